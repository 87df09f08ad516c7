//! Typed covenant extensions (see `specs/CONVENTIONS.md`): `x-assumptions` and
//! `x-covenant-errors` at the root, `x-covenant-idempotency` and
//! `x-covenant-resource` on operations, `x-covenant-lifecycle` on schemas.
//! Malformed extensions are load errors with their location.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Diagnostic, Severity};
use crate::http::{METHODS, ParameterLocation};
use crate::pointer;
use crate::source::SourceFile;

/// One recorded ambiguity: what the seed says, what the spec decided, and why.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Assumption {
    pub id: String,
    #[serde(default)]
    pub pointer: Option<String>,
    pub seed: String,
    pub decision: String,
    pub reason: String,
}

/// How a provider writes its errors, keyed by failure class
/// (`validation`, `malformed`, `unauthorized`, ...).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ErrorStyle(pub BTreeMap<String, ErrorCase>);

impl ErrorStyle {
    pub fn case(&self, class: &str) -> Option<&ErrorCase> {
        self.0.get(class)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ErrorCase {
    pub status: u16,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub field_notation: FieldNotation,
    /// The body template; `None` means an empty body.
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldNotation {
    /// `/documents/0/type`
    #[default]
    Pointer,
    /// `documents.0.type`
    Dotted,
    /// `type` (the last property name)
    Name,
}

impl FieldNotation {
    /// Renders a body pointer in this notation.
    pub fn render(self, body_pointer: &str) -> String {
        match self {
            FieldNotation::Pointer => body_pointer.to_string(),
            FieldNotation::Dotted => pointer::dotted(body_pointer),
            FieldNotation::Name => pointer::tokens(body_pointer)
                .into_iter()
                .rev()
                .find(|t| t.parse::<usize>().is_err())
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Idempotency {
    #[serde(rename = "in")]
    pub location: ParameterLocation,
    pub name: String,
    /// ISO 8601 duration, e.g. `P7D`.
    #[serde(default)]
    pub window: Option<String>,
    #[serde(default)]
    pub on_body_mismatch: BodyMismatch,
    #[serde(default)]
    pub bypass_when: Option<Bypass>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyMismatch {
    #[default]
    Replay,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bypass {
    #[serde(rename = "in")]
    pub location: ParameterLocation,
    pub name: String,
    pub equals: Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Resource {
    pub name: String,
    pub role: ResourceRole,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub lookup: Option<Lookup>,
    /// Forced initial field values; the first whose `when` matches the request wins.
    #[serde(default, deserialize_with = "one_or_many")]
    pub initial: Vec<Initial>,
    /// Set when the resource was inferred from the plain document rather than
    /// declared with `x-covenant-resource`: what it was inferred from.
    #[serde(skip)]
    pub inferred: Option<String>,
}

/// Where a resource's id sits in its created body when the spec does not say.
pub const DEFAULT_ID_POINTER: &str = "/id";

/// The `id` of a resource whose create names the new item in its `Location`
/// header: the id is the header's last path segment.
pub const LOCATION_ID: &str = "$response.header.Location";

impl Resource {
    /// The JSON Pointer of the id in the created resource's body (`id`, default `/id`).
    pub fn id_pointer(&self) -> &str {
        self.id.as_deref().unwrap_or(DEFAULT_ID_POINTER)
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Initial>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Initial),
        Many(Vec<Initial>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(i) => vec![i],
        OneOrMany::Many(v) => v,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceRole {
    Create,
    Read,
    /// Changes a stored resource (PUT/PATCH of an item).
    Update,
    /// Removes a stored resource: later reads are not-found.
    Delete,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    #[serde(rename = "in")]
    pub location: LookupLocation,
    #[serde(default)]
    pub pointer: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

impl Lookup {
    /// The JSON Pointer a body lookup reads the id from (default `/id`).
    pub fn id_pointer(&self) -> &str {
        self.pointer.as_deref().unwrap_or(DEFAULT_ID_POINTER)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LookupLocation {
    Body,
    Path,
    Query,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Initial {
    pub pointer: String,
    pub value: Value,
    /// Applies only when the request matches (e.g. `{in: query, name: draft, equals: true}`).
    #[serde(default)]
    pub when: Option<Bypass>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    pub initial: Value,
    #[serde(default)]
    pub transitions: BTreeMap<String, Vec<Value>>,
}

/// All covenant extensions of a spec, parsed.
#[derive(Debug, Clone, Default)]
pub struct Extensions {
    pub assumptions: Vec<Assumption>,
    pub errors: ErrorStyle,
    /// By operation pointer.
    pub idempotency: BTreeMap<String, Idempotency>,
    pub resources: BTreeMap<String, Resource>,
    /// Operations marked `x-covenant-resource: false`: nothing is inferred for them
    /// (and a create so marked implies no resource at all).
    pub not_resources: std::collections::BTreeSet<String>,
    /// By schema pointer.
    pub lifecycles: BTreeMap<String, Lifecycle>,
}

impl Extensions {
    pub fn parse(source: &SourceFile) -> Result<Extensions, Vec<Diagnostic>> {
        let doc = &source.value;
        let mut errors = Vec::new();
        let mut ext = Extensions::default();
        fn typed<T: for<'de> Deserialize<'de>>(
            source: &SourceFile,
            at: &str,
            v: &Value,
            errors: &mut Vec<Diagnostic>,
        ) -> Option<T> {
            match serde_path_to_error::deserialize::<_, T>(v) {
                Ok(t) => Some(t),
                Err(e) => {
                    let mut p = at.to_string();
                    for seg in e.path().iter() {
                        match seg {
                            serde_path_to_error::Segment::Seq { index } => {
                                p.push_str(&format!("/{index}"))
                            }
                            serde_path_to_error::Segment::Map { key } => p = pointer::join(&p, key),
                            _ => {}
                        }
                    }
                    errors.push(Diagnostic {
                        severity: Severity::Error,
                        code: "bad-extension",
                        message: format!("malformed covenant extension: {}", e.inner()),
                        location: source.locate(&p),
                    });
                    None
                }
            }
        }
        if let Some(v) = doc.get("x-assumptions") {
            ext.assumptions = typed(source, "/x-assumptions", v, &mut errors).unwrap_or_default();
            let mut seen = std::collections::HashSet::new();
            for (i, a) in ext.assumptions.iter().enumerate() {
                if !seen.insert(a.id.clone()) {
                    errors.push(Diagnostic {
                        severity: Severity::Error,
                        code: "bad-extension",
                        message: format!("assumption id `{}` is used twice", a.id),
                        location: source.locate(&format!("/x-assumptions/{i}/id")),
                    });
                }
            }
        }
        if let Some(v) = doc.get("x-covenant-errors") {
            ext.errors = typed(source, "/x-covenant-errors", v, &mut errors).unwrap_or_default();
        }
        for (path, item) in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let at = pointer::join(&pointer::join("/paths", path), method);
                if let Some(v) = op.get("x-covenant-idempotency")
                    && let Some(i) = typed(
                        source,
                        &pointer::join(&at, "x-covenant-idempotency"),
                        v,
                        &mut errors,
                    )
                {
                    ext.idempotency.insert(at.clone(), i);
                }
                if op.get("x-covenant-resource") == Some(&Value::Bool(false)) {
                    ext.not_resources.insert(at.clone());
                } else if let Some(v) = op.get("x-covenant-resource")
                    && let Some(r) = typed(
                        source,
                        &pointer::join(&at, "x-covenant-resource"),
                        v,
                        &mut errors,
                    )
                {
                    ext.resources.insert(at.clone(), r);
                }
            }
        }
        // Lifecycles may sit on any schema; walk the document for them.
        let mut stack = vec![(String::new(), doc)];
        while let Some((at, v)) = stack.pop() {
            match v {
                Value::Object(m) => {
                    if let Some(l) = m.get("x-covenant-lifecycle")
                        && let Some(l) = typed(
                            source,
                            &pointer::join(&at, "x-covenant-lifecycle"),
                            l,
                            &mut errors,
                        )
                    {
                        ext.lifecycles.insert(at.clone(), l);
                    }
                    for (k, c) in m {
                        if k != "x-covenant-lifecycle" && k != "example" && k != "examples" {
                            stack.push((pointer::join(&at, k), c));
                        }
                    }
                }
                Value::Array(a) => {
                    for (i, c) in a.iter().enumerate() {
                        stack.push((format!("{at}/{i}"), c));
                    }
                }
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(ext)
        } else {
            Err(errors)
        }
    }
}
