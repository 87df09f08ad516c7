//! Document-level checks that decide whether a spec can be loaded at all:
//! OpenAPI version, the shape `openapiv3` expects, and `$ref` integrity.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::error::{Diagnostic, LoadError, Severity};
use crate::pointer;
use crate::source::SourceFile;

/// Which OpenAPI a document is written in. The IR is the same for both; the
/// difference is how schemas read (3.0's dialect of JSON Schema, or 2020-12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Dialect {
    /// OpenAPI 3.0.x: `nullable`, boolean `exclusiveMinimum`, `$ref` siblings ignored.
    OpenApi30,
    /// OpenAPI 3.1.x: schemas are JSON Schema 2020-12 (`type` arrays, `const`,
    /// `$ref` beside other keywords, ...).
    OpenApi31,
}

impl Dialect {
    /// The dialect a document declares (3.0 when it says nothing readable).
    pub fn of(doc: &Value) -> Dialect {
        match doc.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.1") => Dialect::OpenApi31,
            _ => Dialect::OpenApi30,
        }
    }
}

/// Checks the version field and the document's shape, turning serde's path into a
/// JSON Pointer and a line/column.
///
/// The shape is checked with `openapiv3`, which types OpenAPI 3.0. A 3.1 document
/// differs from 3.0 outside its schemas only by additions `openapiv3` ignores
/// (`webhooks`, `components.pathItems`, `jsonSchemaDialect`, `info.summary`,
/// `license.identifier`, an optional `paths`), so it is checked the same way with
/// every schema object set aside: its schemas are JSON Schema 2020-12, which the
/// view hands to `jsonschema` as they are.
pub fn check_document(source: &SourceFile) -> Result<Dialect, LoadError> {
    let doc = &source.value;
    if !doc.is_object() {
        return Err(LoadError::Structure {
            location: source.locate(""),
            message: "the document root must be a mapping".into(),
        });
    }
    let dialect = match doc.get("openapi") {
        None => {
            let message = if doc.get("swagger").is_some() {
                "this is a Swagger 2.0 document; covenant reads OpenAPI 3.0.x and 3.1.x (convert it first)"
            } else {
                "missing `openapi` version field; covenant reads OpenAPI 3.0.x and 3.1.x"
            };
            return Err(LoadError::Version {
                location: source.locate(""),
                message: message.into(),
            });
        }
        Some(Value::String(v)) if v.starts_with("3.0.") || v == "3.0" => Dialect::OpenApi30,
        Some(Value::String(v)) if v.starts_with("3.1.") || v == "3.1" => Dialect::OpenApi31,
        Some(other) => {
            return Err(LoadError::Version {
                location: source.locate("/openapi"),
                message: format!(
                    "unknown OpenAPI version {other}; covenant reads OpenAPI 3.0.x and 3.1.x"
                ),
            });
        }
    };
    let shaped;
    let checked = match dialect {
        Dialect::OpenApi30 => doc,
        Dialect::OpenApi31 => {
            shaped = without_schemas(doc);
            &shaped
        }
    };
    let structure = |(pointer, message): (String, String)| LoadError::Structure {
        location: source.locate(&pointer),
        message,
    };
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(checked).map_err(|e| {
        structure(
            refine(checked)
                .unwrap_or_else(|| (serde_path_to_pointer(e.path()), e.inner().to_string())),
        )
    })?;
    // Path items `openapiv3` does not know of: webhooks, and 3.1's reusable ones.
    for base in ["/webhooks", "/x-webhooks", "/components/pathItems"] {
        for (name, item) in checked
            .pointer(base)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !name.starts_with("x-") {
                let at = pointer::join(base, name);
                if let Some(found) = refine_path_item(&at, item) {
                    return Err(structure(found));
                }
            }
        }
    }
    Ok(dialect)
}

/// `doc` with every schema object (`components.schemas` entries and `schema`
/// members) replaced by `{}`, and `paths` present: what `openapiv3` can type of a
/// 3.1 document. Pointers are unchanged, so errors still locate in the source.
fn without_schemas(doc: &Value) -> Value {
    let mut out = doc.clone();
    if let Some(m) = out.as_object_mut() {
        m.entry("paths")
            .or_insert_with(|| Value::Object(Default::default()));
    }
    if let Some(Value::Object(schemas)) = out.pointer_mut("/components/schemas") {
        for s in schemas.values_mut() {
            *s = Value::Object(Default::default());
        }
    }
    let mut stack: Vec<&mut Value> = vec![&mut out];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, child) in m.iter_mut() {
                    if k == "schema" && child.is_object() {
                        *child = Value::Object(Default::default());
                    } else if k != "example" && k != "examples" && k != "schemas" {
                        stack.push(child);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
    out
}

/// `openapiv3` uses untagged enums (`ReferenceOr`), which make serde forget the path
/// below them. Re-deserialise the pieces one by one to find the deepest failing node.
fn refine(doc: &Value) -> Option<(String, String)> {
    for (path, item) in doc.get("paths")?.as_object().into_iter().flatten() {
        let found = refine_path_item(&pointer::join("/paths", path), item);
        if found.is_some() {
            return found;
        }
    }
    let components = doc.get("components").and_then(Value::as_object);
    for (kind, entries) in components.into_iter().flatten() {
        for (name, v) in entries.as_object().into_iter().flatten() {
            let at = pointer::join(&pointer::join("/components", kind), name);
            let found = match kind.as_str() {
                "schemas" => try_as::<openapiv3::Schema>(&at, v),
                "responses" => try_as::<openapiv3::Response>(&at, v),
                "parameters" => try_as::<openapiv3::Parameter>(&at, v),
                "requestBodies" => try_as::<openapiv3::RequestBody>(&at, v),
                "securitySchemes" => try_as::<openapiv3::SecurityScheme>(&at, v),
                "headers" => try_as::<openapiv3::Header>(&at, v),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// `v` (at `at`) read as a `T`: the pointer and message of the first error.
fn try_as<T: serde::de::DeserializeOwned>(at: &str, v: &Value) -> Option<(String, String)> {
    if v.get("$ref").is_some() {
        return None;
    }
    serde_path_to_error::deserialize::<_, T>(v).err().map(|e| {
        (
            format!("{at}{}", serde_path_to_pointer(e.path())),
            e.inner().to_string(),
        )
    })
}

/// The deepest error in a path item at `at`: a response, then an operation, then
/// the item itself.
fn refine_path_item(at: &str, item: &Value) -> Option<(String, String)> {
    for method in crate::http::METHODS {
        if let Some(op) = item.get(method) {
            let op_at = pointer::join(at, method);
            for (code, r) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let found = try_as::<openapiv3::Response>(
                    &pointer::join(&pointer::join(&op_at, "responses"), code),
                    r,
                );
                if found.is_some() {
                    return found;
                }
            }
            if let Some(found) = try_as::<openapiv3::Operation>(&op_at, op) {
                return Some(found);
            }
        }
    }
    try_as::<openapiv3::PathItem>(at, item)
}

fn serde_path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", pointer::escape(key))),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// Finds every `$ref`: dangling local refs and ref cycles are errors; external refs
/// (other files, URLs) are warnings, since covenant reads one file.
///
/// A cycle is a chain of refs that never reaches a schema with content of its own:
/// `A: {$ref: B}`, `B: {$ref: A}`, or `A: {allOf: [{$ref: A}]}`. Recursion through
/// `properties` or `items` is legitimate and not reported.
pub fn check_refs(source: &SourceFile) -> Vec<Diagnostic> {
    let doc = &source.value;
    let mut out = Vec::new();
    let mut refs: Vec<(String, String)> = Vec::new(); // (pointer of the $ref, target)
    let mut stack = vec![(String::new(), doc)];
    while let Some((at, v)) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    refs.push((pointer::join(&at, "$ref"), r.clone()));
                }
                for (k, child) in m {
                    // Examples are data, not spec: a `$ref` key inside one is just a key.
                    if k == "example"
                        || (k == "examples" && at.ends_with("/schema"))
                        || k == "enum"
                        || k == "const"
                        || k == "default"
                    {
                        continue;
                    }
                    stack.push((pointer::join(&at, k), child));
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    stack.push((format!("{at}/{i}"), child));
                }
            }
            _ => {}
        }
    }
    refs.sort();
    let diag = |severity, code, at: &str, message| Diagnostic {
        severity,
        code,
        message,
        location: source.locate(at),
    };
    for (at, r) in &refs {
        if let Some(p) = r.strip_prefix('#') {
            if !(p.is_empty() || p.starts_with('/')) {
                out.push(diag(
                    Severity::Error,
                    "invalid-ref",
                    at,
                    format!("`{r}` is not a JSON Pointer reference"),
                ));
            } else if pointer::resolve_ref(doc, r).is_none() {
                out.push(diag(
                    Severity::Error,
                    "dangling-ref",
                    at,
                    format!("`{r}` points at nothing in this document"),
                ));
            }
        } else {
            out.push(diag(
                Severity::Warning,
                "external-ref",
                at,
                format!("external reference `{r}` is not followed; covenant reads one file"),
            ));
        }
    }
    // Cycle detection over "transparent" edges: a $ref alias, or an allOf member.
    let targets: HashSet<&str> = refs
        .iter()
        .map(|(_, r)| r.as_str())
        .filter(|r| r.starts_with("#/"))
        .collect();
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for t in &targets {
        let Some(v) = pointer::resolve_ref(doc, t) else {
            continue;
        };
        let mut next = Vec::new();
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            next.push(r);
        }
        for member in v
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = member.get("$ref").and_then(Value::as_str) {
                next.push(r);
            }
        }
        edges.insert(t, next);
    }
    let mut reported = HashSet::new();
    let mut sorted: Vec<&str> = targets.into_iter().collect();
    sorted.sort();
    for start in sorted {
        // DFS with an explicit path to report the cycle members.
        let mut path: Vec<&str> = vec![start];
        let mut iters: Vec<usize> = vec![0];
        let mut done = HashSet::new();
        while let Some(&node) = path.last() {
            let i = iters.last_mut().expect("same length as path");
            let next = edges.get(node).and_then(|n| n.get(*i)).copied();
            *i += 1;
            match next {
                None => {
                    done.insert(node);
                    path.pop();
                    iters.pop();
                }
                Some(n) if path.contains(&n) => {
                    let pos = path.iter().position(|p| *p == n).expect("contained");
                    let mut cycle: Vec<&str> = path[pos..].to_vec();
                    let min = cycle.iter().min().copied().unwrap_or(n);
                    if reported.insert(min.to_string()) {
                        cycle.push(n);
                        out.push(diag(
                            Severity::Error,
                            "ref-cycle",
                            &min[1..],
                            format!("reference cycle: {}", cycle.join(" -> ")),
                        ));
                    }
                }
                Some(n) if done.contains(n) || !edges.contains_key(n) => {}
                Some(n) => {
                    path.push(n);
                    iters.push(0);
                }
            }
        }
    }
    out
}
