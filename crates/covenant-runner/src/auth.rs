//! Turns an operation's security requirements and the resolved credentials into
//! what a request carries: valid, missing or wrong credentials. Reproductions
//! refer to credentials by environment variable, never by value.

use serde_json::Value;

use covenant_spec::{Operation, ParameterLocation, SecurityScheme, Spec};

use crate::config::Credentials;
use crate::request::AuthMode;

/// One piece of credentials on the wire. `shown` is what a reproduction prints in
/// place of the value: an environment variable reference for real credentials, the
/// literal for the deliberately wrong ones (they are not secrets).
#[derive(Clone, PartialEq, Eq)]
pub enum AuthPart {
    Header {
        name: String,
        value: String,
        shown: String,
    },
    Query {
        name: String,
        value: String,
        shown: String,
    },
    Basic {
        user: String,
        password: String,
        shown_user: String,
        shown_password: String,
    },
}

impl std::fmt::Debug for AuthPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthPart::Header { name, shown, .. } => write!(f, "Header({name}: {shown})"),
            AuthPart::Query { name, shown, .. } => write!(f, "Query({name}={shown})"),
            AuthPart::Basic {
                shown_user,
                shown_password,
                ..
            } => {
                write!(f, "Basic({shown_user}:{shown_password})")
            }
        }
    }
}

/// How an operation authenticates, resolved against the credentials.
#[derive(Debug, Clone, Default)]
pub struct AuthPlan {
    /// Whether the operation declares any security requirement.
    pub required: bool,
    /// The parts for valid credentials (the first requirement that every credential satisfies).
    pub valid: Vec<AuthPart>,
    /// The same parts with wrong values.
    pub wrong: Vec<AuthPart>,
    /// Schemes of the chosen requirement that have no credential (the run cannot authenticate).
    pub unsatisfied: Vec<String>,
}

impl AuthPlan {
    pub fn parts(&self, mode: AuthMode) -> &[AuthPart] {
        match mode {
            AuthMode::Valid => &self.valid,
            AuthMode::Wrong => &self.wrong,
            AuthMode::Missing => &[],
        }
    }
}

/// Plans authentication for `op`.
pub fn plan(spec: &Spec, op: &Operation, creds: &Credentials) -> AuthPlan {
    if op.security.is_empty() || op.security.iter().any(|r| r.schemes.is_empty()) {
        // No requirement, or an empty alternative (`{}`): anonymous access is allowed.
        return AuthPlan::default();
    }
    let chosen = op
        .security
        .iter()
        .find(|r| r.schemes.iter().all(|(s, _)| creds.contains_key(s)))
        .unwrap_or(&op.security[0]);
    let mut plan = AuthPlan {
        required: true,
        ..AuthPlan::default()
    };
    for (scheme_name, _) in &chosen.schemes {
        let (Some(scheme), Some(cred)) = (
            spec.security_schemes.get(scheme_name),
            creds.get(scheme_name),
        ) else {
            plan.unsatisfied.push(scheme_name.clone());
            continue;
        };
        let env = format!("${}", cred.env);
        match scheme {
            SecurityScheme::ApiKey { name, location, .. } => {
                let wrong = wrong_value(&cred.secret, "covenant-wrong-key");
                let (v, w) = if *location == ParameterLocation::Query {
                    (
                        AuthPart::Query {
                            name: name.clone(),
                            value: cred.secret.clone(),
                            shown: env,
                        },
                        AuthPart::Query {
                            name: name.clone(),
                            value: wrong.clone(),
                            shown: wrong,
                        },
                    )
                } else {
                    (
                        AuthPart::Header {
                            name: name.clone(),
                            value: cred.secret.clone(),
                            shown: env,
                        },
                        AuthPart::Header {
                            name: name.clone(),
                            value: wrong.clone(),
                            shown: wrong,
                        },
                    )
                };
                plan.valid.push(v);
                plan.wrong.push(w);
            }
            SecurityScheme::Http {
                scheme, extensions, ..
            } if scheme == "basic" => {
                let prefixes = extensions.get("x-covenant-basic-prefixes");
                let prefix = |k: &str| {
                    prefixes
                        .and_then(|p| p.get(k))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                let (user, user_env) = cred
                    .username
                    .clone()
                    .unwrap_or_else(|| (String::new(), "COVENANT_USERNAME".into()));
                plan.valid.push(AuthPart::Basic {
                    user: user.clone(),
                    password: cred.secret.clone(),
                    shown_user: format!("${user_env}"),
                    shown_password: env,
                });
                let wrong_user =
                    wrong_value(&user, &format!("{}covenant-wrong", prefix("username")));
                let wrong_password = wrong_value(
                    &cred.secret,
                    &format!("{}covenant-wrong", prefix("password")),
                );
                plan.wrong.push(AuthPart::Basic {
                    shown_user: wrong_user.clone(),
                    shown_password: wrong_password.clone(),
                    user: wrong_user,
                    password: wrong_password,
                });
            }
            SecurityScheme::Http {
                scheme,
                bearer_format,
                ..
            } if scheme == "bearer" => {
                bearer(
                    &mut plan,
                    cred.secret.clone(),
                    env,
                    bearer_format.as_deref(),
                );
            }
            SecurityScheme::OAuth2 { .. } => {
                bearer(&mut plan, cred.secret.clone(), env, None);
            }
            _ => plan.unsatisfied.push(scheme_name.clone()),
        }
    }
    plan
}

/// `candidate`, altered if it happens to equal the real value.
fn wrong_value(real: &str, candidate: &str) -> String {
    if real == candidate {
        format!("{candidate}-x")
    } else {
        candidate.to_string()
    }
}

fn bearer(plan: &mut AuthPlan, secret: String, env: String, format: Option<&str>) {
    let uuid = format.is_some_and(|f| f.eq_ignore_ascii_case("uuid"));
    let wrong = if uuid {
        wrong_value(&secret, "00000000-0000-4000-8000-000000000000")
    } else {
        wrong_value(&secret, "covenant-wrong-token")
    };
    plan.valid.push(AuthPart::Header {
        name: "Authorization".into(),
        value: format!("Bearer {secret}"),
        shown: format!("Bearer {env}"),
    });
    plan.wrong.push(AuthPart::Header {
        name: "Authorization".into(),
        value: format!("Bearer {wrong}"),
        shown: format!("Bearer {wrong}"),
    });
}
