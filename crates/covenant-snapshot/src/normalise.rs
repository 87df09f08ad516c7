//! Normalisation: a [`Recording`] becomes a stable, human-readable YAML document
//! (keys sorted, transport headers dropped), redacted by ONE
//! [`covenant_redact::Redactor`] over the whole provider sequence so that an id
//! created in one exchange and read in the next gets the same placeholder. Nothing
//! unredacted leaves this module.
//!
//! The file format is insta's `.snap` (a `---` metadata header, then the YAML), so
//! the files the CLI writes and those the test suite keeps are reviewed the same way
//! (`cargo insta review`).

use serde_json::{Map, Value, json};

use covenant_redact::{Redactor, Rules};
use covenant_spec::Spec;

use crate::error::SnapshotError;
use crate::record::{RawExchange, RawRequest, RawResponse, Recording};

/// Response headers that say nothing about the provider's behaviour.
const TRANSPORT_HEADERS: &[&str] = &[
    "date",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "server",
    "vary",
];

/// A provider's normalised, redacted exchanges.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub provider: String,
    /// `{provider, seed, exchanges: [{id, ...}]}` with keys sorted.
    pub value: Value,
}

/// The redactor a provider sequence uses: the spec's rules plus the recording's
/// credential values as secrets.
pub fn redactor_for(spec: &Spec, rec: &Recording) -> Redactor {
    let mut r = Redactor::new(Rules::from_spec(spec));
    for s in &rec.secrets {
        r.add_secret(s.clone());
    }
    r
}

/// Normalises and redacts a recording with a fresh [`redactor_for`] it.
pub fn normalise(spec: &Spec, rec: &Recording) -> Snapshot {
    let mut r = redactor_for(spec, rec);
    normalise_with(&mut r, rec)
}

/// Normalises with a caller's redactor (to share placeholders with a report).
pub fn normalise_with(r: &mut Redactor, rec: &Recording) -> Snapshot {
    let exchanges: Vec<Value> = rec.exchanges.iter().map(|e| exchange(r, e)).collect();
    Snapshot {
        provider: rec.provider.clone(),
        value: sorted(&json!({
            "provider": rec.provider,
            "seed": rec.seed,
            "exchanges": exchanges,
        })),
    }
}

fn exchange(r: &mut Redactor, e: &RawExchange) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(e.id));
    m.insert("operation".into(), json!(e.operation));
    m.insert("kind".into(), json!(e.kind));
    if let Some(b) = &e.breaks {
        m.insert(
            "breaks".into(),
            json!({"part": b.part, "pointer": b.pointer, "keyword": b.keyword}),
        );
    }
    if let Some(n) = &e.note {
        m.insert("note".into(), json!(r.text(n)));
    }
    let steps: Vec<Value> = e
        .steps
        .iter()
        .map(|s| {
            json!({
                "request": request(r, &s.request),
                "response": response(r, &s.response),
            })
        })
        .collect();
    m.insert("steps".into(), Value::Array(steps));
    Value::Object(m)
}

fn request(r: &mut Redactor, q: &RawRequest) -> Value {
    let mut m = Map::new();
    m.insert("method".into(), json!(q.method));
    m.insert("auth".into(), json!(q.auth));
    // Path parameters pass the query rules (names decide personal/secret/volatile).
    let mut path = q.path.clone();
    for (name, value) in &q.path_params {
        let shown = r
            .query([(name.as_str(), value.as_str())])
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .unwrap_or_else(|| "<secret>".into());
        path = path.replace(&format!("{{{name}}}"), &shown);
    }
    m.insert("path".into(), json!(r.text(&path)));
    let query = r.query(q.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if !query.is_empty() {
        m.insert("query".into(), pairs(query));
    }
    let headers = redact_headers(r, &q.headers);
    if !headers.is_empty() {
        m.insert("headers".into(), pairs(headers));
    }
    if let Some(b) = &q.body {
        m.insert("body".into(), body(r, b));
    }
    Value::Object(m)
}

fn response(r: &mut Redactor, a: &RawResponse) -> Value {
    match a {
        RawResponse::Failed(e) => json!({"error": r.text(e)}),
        RawResponse::Answer {
            status,
            headers,
            body: b,
        } => {
            let kept: Vec<(String, String)> = headers
                .iter()
                .filter(|(k, _)| !TRANSPORT_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
                .cloned()
                .collect();
            let mut m = Map::new();
            m.insert("status".into(), json!(status));
            let hs = redact_headers(r, &kept);
            if !hs.is_empty() {
                m.insert("headers".into(), pairs(hs));
            }
            if !b.is_empty() {
                m.insert("body".into(), body(r, b));
            }
            Value::Object(m)
        }
    }
}

/// Headers through the redactor's header rules; a header whose name is personal
/// (by the query/field name rules) is masked too.
fn redact_headers(r: &mut Redactor, headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in headers {
        let as_param = r.query([(k.as_str(), v.as_str())]);
        if as_param.first().is_some_and(|(_, v)| v == "<personal>") {
            out.push((k.to_ascii_lowercase(), "<personal>".to_string()));
            continue;
        }
        out.extend(r.headers([(k.as_str(), v.as_str())]));
    }
    out.sort();
    out
}

fn pairs(p: Vec<(String, String)>) -> Value {
    let mut m = Map::new();
    for (k, v) in p {
        match m.get_mut(&k) {
            Some(Value::Array(a)) => a.push(json!(v)),
            Some(prev) => *prev = json!([prev.clone(), v]),
            None => {
                m.insert(k, json!(v));
            }
        }
    }
    Value::Object(m)
}

fn body(r: &mut Redactor, bytes: &[u8]) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        return r.json(&v);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => json!(r.text(s)),
        Err(_) => json!(format!("<{} bytes, not UTF-8>", bytes.len())),
    }
}

/// Object keys sorted at every level (serde_json here keeps insertion order).
pub fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

impl Snapshot {
    /// The YAML body (what insta stores after the header).
    pub fn to_yaml(&self) -> String {
        yaml(&self.value)
    }

    /// The exchanges, by id, each as its own sorted value.
    pub fn exchanges(&self) -> Vec<(String, Value)> {
        self.value
            .get("exchanges")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|e| {
                        let id = e.get("id").and_then(Value::as_str).unwrap_or("?");
                        (id.to_string(), e.clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The file name under an output directory: `<provider>.snap`.
    pub fn file_name(&self) -> String {
        format!("{}.snap", self.provider)
    }

    /// insta's `.snap` format: metadata header, then the YAML body.
    pub fn to_snap_file(&self) -> String {
        format!(
            "---\nsource: covenant snapshot\nexpression: {}\n---\n{}",
            self.provider,
            self.to_yaml()
        )
    }

    /// Reads a `.snap` file (as written by [`Snapshot::to_snap_file`] or by insta).
    pub fn from_snap_file(path: &std::path::Path, text: &str) -> Result<Snapshot, SnapshotError> {
        let bad = |message: String| SnapshotError::BadSnapshot {
            path: path.to_path_buf(),
            message,
        };
        let body = snap_body(text).ok_or_else(|| bad("missing the `---` header".into()))?;
        let value: Value =
            serde_yaml_ng::from_str(body).map_err(|e| bad(format!("not YAML: {e}")))?;
        let provider = value
            .get("provider")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no `provider` key".into()))?
            .to_string();
        Ok(Snapshot {
            provider,
            value: sorted(&value),
        })
    }
}

/// The body of an insta `.snap` text: what follows the second `---` line.
pub fn snap_body(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(&rest[end + 5..])
}

/// Stable YAML of a value.
pub fn yaml(v: &Value) -> String {
    serde_yaml_ng::to_string(&sorted(v)).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
}
