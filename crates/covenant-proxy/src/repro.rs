//! Findings as the runner reports them: an observed request becomes the runner's
//! [`Request`] (so the reproduction is the runner's curl line), and everything a
//! finding shows passes ONE [`Redactor`] first. Credentials the traffic carries
//! (headers and query parameters a security scheme names, `Authorization`,
//! cookies) are registered as secrets as they are seen, and the values redaction
//! masks as personal are registered too, so neither can leak through a message
//! that quotes them. In curl lines credentials appear only as the variables
//! `covenant run` reads (`$COVENANT_<PROVIDER>_<SCHEME>`).

use serde_json::{Map, Value};

use covenant_redact::{Redactor, Rules};
use covenant_runner::auth::AuthPart;
use covenant_runner::config::implied_env;
use covenant_runner::finding::Finding;
use covenant_runner::report::{ReproRequest, Violation};
use covenant_runner::request::Request;
use covenant_runner::{CredentialScrubber, curl};
use covenant_spec::{ParameterLocation, SecurityScheme, Spec};

use crate::ProxyOptions;
use crate::exchange::Observed;
use crate::verdict::{Judge, Verdict};

/// Masked values shorter than this are not hunted for in text (a one-letter
/// value would mask every such letter; covenant-redact keeps none under 4).
const MIN_LEAK: usize = 4;

pub struct Redaction {
    pub redactor: Redactor,
    pub scrubber: CredentialScrubber,
    spec: std::sync::Arc<Spec>,
    provider: String,
    upstream: String,
}

impl Redaction {
    pub fn new(options: &ProxyOptions) -> Redaction {
        let mut scrubber = CredentialScrubber::default();
        scrubber.add_credentials(&options.credentials);
        let mut redactor = Redactor::new(Rules::from_spec(&options.spec));
        for c in options.credentials.values() {
            redactor.add_secret(c.secret.clone());
        }
        Redaction {
            redactor,
            scrubber,
            spec: options.spec.clone(),
            provider: options.provider.clone(),
            upstream: options.upstream.clone(),
        }
    }

    /// Registers the credentials `o` carries as secrets.
    pub fn learn(&mut self, o: &Observed) {
        use base64::Engine;
        for (k, v) in &o.request.headers {
            let name = k.as_str();
            if !(self.redactor.rules().is_secret_header(name)
                || name == "authorization"
                || name == "cookie")
            {
                continue;
            }
            let Ok(v) = v.to_str() else { continue };
            self.secret(v);
            if let Some((scheme, rest)) = v.split_once(' ') {
                self.secret(rest.trim());
                if scheme.eq_ignore_ascii_case("basic")
                    && let Ok(decoded) =
                        base64::engine::general_purpose::STANDARD.decode(rest.trim())
                    && let Ok(text) = String::from_utf8(decoded)
                {
                    self.secret(&text);
                    if let Some((_, password)) = text.split_once(':') {
                        self.secret(password);
                    }
                }
            }
        }
        for (k, v) in &o.inspection.query {
            if self.redactor.rules().is_secret_header(k) {
                self.secret(v);
            }
        }
    }

    fn secret(&mut self, v: &str) {
        if v.len() >= MIN_LEAK {
            self.redactor.add_secret(v.to_string());
        }
    }

    /// `v` redacted; the values redaction hid are registered, so text quoting
    /// them elsewhere hides them too.
    pub fn json(&mut self, v: &Value) -> Value {
        let redacted = self.redactor.json(v);
        let mut hidden = Vec::new();
        hidden_values(v, &redacted, &mut hidden);
        for (value, shown) in hidden {
            self.redactor.add_secret_as(value, shown);
        }
        redacted
    }

    /// The finding `f` of verdict `v` on `o`, as a report shows it.
    pub fn violation(
        &mut self,
        judge: &Judge,
        o: &Observed,
        v: &Verdict,
        f: &Finding,
    ) -> Violation {
        let plan = judge.plan(o);
        let request = judge.request(o);
        // What the answer showed is hidden by the same rules before any text quotes it.
        if let Ok(a) = &o.outcome
            && let Some(body) = a.json()
        {
            self.json(&body);
        }
        let redacted = self.redact_request(&request);
        let auth = self.auth_parts(o);
        let operation = plan.map(|p| p.op.id.clone()).unwrap_or_else(|| {
            format!(
                "{} {}",
                o.request.method,
                self.redactor.text(&o.request.path)
            )
        });
        let text = |r: &mut Redactor, s: &str| r.text(s);
        let signature = text(&mut self.redactor, &f.signature);
        let curl = curl::command(&self.upstream, &redacted, &auth);
        Violation {
            id: format!(
                "{}/{operation}/{}/{signature}",
                self.provider,
                v.check.name()
            ),
            provider: self.provider.clone(),
            operation: operation.clone(),
            check: v.check.name().into(),
            expected: text(&mut self.redactor, &f.expected),
            actual: text(&mut self.redactor, &f.actual),
            case: format!("{operation}/observed/{}", o.seq),
            seed: 0,
            occurrences: 1,
            original_size: request.size(),
            size: request.size(),
            request: ReproRequest {
                method: redacted.method.as_str().into(),
                path: redacted.path_and_query(),
                headers: redacted.header_pairs(),
                body: redacted.body.clone(),
                auth: if auth.is_empty() { "none" } else { "valid" }.into(),
            },
            curl: self.scrubber.scrub(&self.redactor.secrets_only(&curl)),
            new: true,
            flaky: false,
        }
    }

    fn redact_request(&mut self, request: &Request) -> Request {
        let mut out = request.clone();
        let pairs = |m: &Map<String, Value>| -> Vec<(String, String)> {
            m.iter()
                .map(|(k, v)| (k.clone(), covenant_runner::request::scalar(v)))
                .collect()
        };
        let path = pairs(&request.path_params);
        out.path_params = self
            .redactor
            .query(path.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        let query: Vec<(String, String)> = request
            .query
            .iter()
            .flat_map(|(k, v)| match v {
                Value::Array(a) => a
                    .iter()
                    .map(|x| (k.clone(), covenant_runner::request::scalar(x)))
                    .collect(),
                x => vec![(k.clone(), covenant_runner::request::scalar(x))],
            })
            .collect();
        let mut q = Map::new();
        for (k, v) in self
            .redactor
            .query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        {
            match q.get_mut(&k) {
                Some(Value::Array(a)) => a.push(Value::String(v)),
                Some(prev) => *prev = Value::Array(vec![prev.clone(), Value::String(v)]),
                None => {
                    q.insert(k, Value::String(v));
                }
            }
        }
        out.query = q;
        let headers = pairs(&request.headers);
        out.headers = self
            .redactor
            .headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .into_iter()
            .filter(|(k, _)| k != "authorization" && k != "cookie")
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        out.body = request.body.as_ref().map(|b| self.json(b));
        out
    }

    /// The credentials `o` carried, shown as the variables `covenant run` reads.
    fn auth_parts(&self, o: &Observed) -> Vec<AuthPart> {
        let mut out = Vec::new();
        for (name, scheme) in &self.spec.security_schemes {
            let var = format!("${}", implied_env(&self.provider, name));
            match scheme {
                SecurityScheme::ApiKey {
                    name: key,
                    location,
                    ..
                } => match location {
                    ParameterLocation::Query => {
                        if o.inspection.query.iter().any(|(k, _)| k == key) {
                            out.push(AuthPart::Query {
                                name: key.clone(),
                                value: String::new(),
                                shown: var,
                            });
                        }
                    }
                    _ => {
                        if o.request.headers.contains_key(key.as_str()) {
                            out.push(AuthPart::Header {
                                name: key.clone(),
                                value: String::new(),
                                shown: var,
                            });
                        }
                    }
                },
                SecurityScheme::Http { scheme, .. } => {
                    let Some(given) = o
                        .request
                        .headers
                        .get(http::header::AUTHORIZATION)
                        .and_then(|v| v.to_str().ok())
                    else {
                        continue;
                    };
                    let basic = scheme.eq_ignore_ascii_case("basic");
                    if basic && given.len() > 6 && given[..6].eq_ignore_ascii_case("basic ") {
                        out.push(AuthPart::Basic {
                            user: String::new(),
                            password: String::new(),
                            shown_user: format!("${}_USERNAME", implied_env(&self.provider, name)),
                            shown_password: format!(
                                "${}_PASSWORD",
                                implied_env(&self.provider, name)
                            ),
                        });
                    } else if !basic {
                        out.push(AuthPart::Header {
                            name: "Authorization".into(),
                            value: String::new(),
                            shown: format!("Bearer {var}"),
                        });
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// `text` as every output writes it: secrets and personal values hidden,
    /// known credentials as their variables.
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber.scrub(&self.redactor.secrets_only(text))
    }
}

/// The leaves of `original` that `redacted` shows as `<personal>` or `<secret>`,
/// with what they are shown as.
fn hidden_values(original: &Value, redacted: &Value, out: &mut Vec<(String, String)>) {
    match (original, redacted) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                if let Some(w) = b.get(k) {
                    hidden_values(v, w, out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (v, w) in a.iter().zip(b) {
                hidden_values(v, w, out);
            }
        }
        (Value::Object(_) | Value::Array(_), Value::String(shown)) => {
            // A whole structure masked: each of its leaves is hidden.
            let mut leaves = Vec::new();
            leaves_of(original, &mut leaves);
            out.extend(leaves.into_iter().map(|l| (l, shown.clone())));
        }
        (v, Value::String(shown)) if shown == "<personal>" || shown == "<secret>" => {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return,
            };
            if text.len() >= MIN_LEAK {
                out.push((text, shown.clone()));
            }
        }
        _ => {}
    }
}

fn leaves_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.values().for_each(|c| leaves_of(c, out)),
        Value::Array(a) => a.iter().for_each(|c| leaves_of(c, out)),
        Value::String(s) if s.len() >= MIN_LEAK => out.push(s.clone()),
        Value::Number(n) if n.to_string().len() >= MIN_LEAK => out.push(n.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Masked leaves (also inside a masked structure) are found with what they are
    /// shown as; short values and kept ones are not.
    #[test]
    fn hidden_values_are_the_masked_leaves() {
        let original = json!({
            "surname": "Mustermann",
            "sex": "M",
            "address": {"street": "Hauptstrasse", "city": "Wolfsburg"},
            "status": "open"
        });
        let redacted = json!({
            "surname": "<personal>",
            "sex": "<personal>",
            "address": "<personal>",
            "status": "open"
        });
        let mut out = Vec::new();
        hidden_values(&original, &redacted, &mut out);
        out.sort();
        let shown = "<personal>".to_string();
        assert_eq!(
            out,
            [
                ("Hauptstrasse".to_string(), shown.clone()),
                ("Mustermann".to_string(), shown.clone()),
                ("Wolfsburg".to_string(), shown),
            ]
        );
    }
}
