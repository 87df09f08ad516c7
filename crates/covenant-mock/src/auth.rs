//! Security schemes enforced against configured credentials (not mere presence):
//! API keys in a header or the query, HTTP Bearer, HTTP Basic with the optional
//! `x-covenant-basic-prefixes` extension ({username, password} prefixes). OAuth2 and
//! OpenID Connect schemes accept the configured bearer token. Comparisons run in
//! constant time; no credential value is ever logged.

use std::borrow::Cow;

use base64::Engine as _;
use covenant_spec::{ParameterLocation, SecurityScheme, Spec};
use http::HeaderMap;
use serde_json::Value;

use crate::config::MockCredentials;

/// Why a request is not authenticated (said in the error message; never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    pub message: String,
}

/// Checks the operation's security alternatives (OR of ANDs). Empty = no auth.
pub fn check(
    spec: &Spec,
    security: &[covenant_spec::SecurityRequirement],
    headers: &HeaderMap,
    query: &[(String, String)],
    creds: &MockCredentials,
) -> Result<(), AuthFailure> {
    if security.is_empty() {
        return Ok(());
    }
    let mut first_failure = None;
    for req in security {
        let mut ok = true;
        for (name, _) in &req.schemes {
            let result = match spec.security_schemes.get(name) {
                Some(s) => check_scheme(name, s, headers, query, creds),
                None => Err(format!("unknown security scheme {name}")),
            };
            if let Err(m) = result {
                ok = false;
                first_failure.get_or_insert(m);
                break;
            }
        }
        if ok {
            return Ok(());
        }
    }
    Err(AuthFailure {
        message: first_failure.unwrap_or_else(|| "credentials are missing".into()),
    })
}

fn check_scheme(
    name: &str,
    scheme: &SecurityScheme,
    headers: &HeaderMap,
    query: &[(String, String)],
    creds: &MockCredentials,
) -> Result<(), String> {
    match scheme {
        SecurityScheme::ApiKey {
            name: key_name,
            location,
            ..
        } => {
            let given: Option<Cow<'_, [u8]>> = match location {
                ParameterLocation::Header => headers
                    .get(key_name.as_str())
                    .map(|v| Cow::Borrowed(v.as_bytes())),
                ParameterLocation::Query => query
                    .iter()
                    .find(|(k, _)| k == key_name)
                    .map(|(_, v)| Cow::Borrowed(v.as_bytes())),
                ParameterLocation::Cookie => {
                    cookie(headers, key_name).map(|c| Cow::Owned(c.into_bytes()))
                }
                ParameterLocation::Path => None,
            };
            match given {
                None => Err(format!("the API key {key_name} is missing")),
                Some(g) if ct_eq(&g, creds.api_key_for(name).as_bytes()) => Ok(()),
                Some(_) => Err(format!("the API key {key_name} is not valid")),
            }
        }
        SecurityScheme::Http {
            scheme: http_scheme,
            extensions,
            ..
        } => match http_scheme.as_str() {
            "basic" => basic(
                name,
                headers,
                extensions.get("x-covenant-basic-prefixes"),
                creds,
            ),
            _ => bearer(headers, creds.bearer_for(name)),
        },
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIdConnect { .. } => {
            bearer(headers, creds.bearer_for(name))
        }
    }
}

fn authorization<'h>(headers: &'h HeaderMap, scheme: &str) -> Result<&'h str, String> {
    let value = headers
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| "the Authorization header is missing".to_string())?
        .to_str()
        .map_err(|_| "the Authorization header is not ASCII".to_string())?;
    let (given_scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !given_scheme.eq_ignore_ascii_case(scheme) {
        return Err(format!(
            "the Authorization header does not use the {scheme} scheme"
        ));
    }
    Ok(rest.trim())
}

fn bearer(headers: &HeaderMap, expected: &str) -> Result<(), String> {
    let token = authorization(headers, "Bearer")?;
    if ct_eq(token.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err("the bearer token is not valid".into())
    }
}

fn basic(
    name: &str,
    headers: &HeaderMap,
    prefixes: Option<&Value>,
    creds: &MockCredentials,
) -> Result<(), String> {
    let encoded = authorization(headers, "Basic")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| "the Basic credentials are not valid base64".to_string())?;
    let decoded = String::from_utf8(decoded)
        .map_err(|_| "the Basic credentials are not UTF-8".to_string())?;
    let (user, pass) = decoded
        .split_once(':')
        .ok_or_else(|| "the Basic credentials have no ':' separator".to_string())?;
    if let Some(p) = prefixes {
        if let Some(up) = p.get("username").and_then(Value::as_str)
            && !user.starts_with(up)
        {
            return Err(format!("the username must start with \"{up}\""));
        }
        if let Some(pp) = p.get("password").and_then(Value::as_str)
            && !pass.starts_with(pp)
        {
            return Err(format!("the password must start with \"{pp}\""));
        }
    }
    let (eu, ep) = creds.basic_for(name);
    // Evaluate both comparisons so timing does not say which half was wrong.
    let u_ok = ct_eq(user.as_bytes(), eu.as_bytes());
    let p_ok = ct_eq(pass.as_bytes(), ep.as_bytes());
    if u_ok & p_ok {
        Ok(())
    } else {
        Err("the Basic credentials are not valid".into())
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Constant-time equality (length is not secret).
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks that configured credentials can pass the spec's own rules (e.g. Basic
/// prefixes), so a misconfiguration fails at start, not on every request.
pub fn check_config(spec: &Spec, creds: &MockCredentials) -> Result<(), String> {
    for (name, scheme) in &spec.security_schemes {
        if let SecurityScheme::Http {
            scheme: s,
            extensions,
            ..
        } = scheme
        {
            if s != "basic" {
                continue;
            }
            let Some(p) = extensions.get("x-covenant-basic-prefixes") else {
                continue;
            };
            let (u, pw) = creds.basic_for(name);
            for (which, value) in [("username", u), ("password", pw)] {
                if let Some(prefix) = p.get(which).and_then(Value::as_str)
                    && !value.starts_with(prefix)
                {
                    return Err(format!(
                        "the configured Basic {which} for scheme {name} of {} must start with \"{prefix}\" (x-covenant-basic-prefixes)",
                        spec.provider
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
