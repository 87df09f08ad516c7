//! JSON Pointer (RFC 6901) helpers, and the workspace's one way to follow local
//! `$ref`s ([`resolve_ref`] for one hop, [`deref`] and [`deref_at`] to the end) and to
//! read the component name a `$ref` gives ([`schema_name`]).

use serde_json::Value;

/// Escapes one reference token (`~` -> `~0`, `/` -> `~1`).
pub fn escape(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

/// Unescapes one reference token.
pub fn unescape(token: &str) -> String {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~")
    } else {
        token.to_string()
    }
}

/// Appends a token to a pointer.
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

/// Splits a pointer into unescaped tokens. `""` is the root (no tokens).
pub fn tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(unescape)
        .collect()
}

/// The tokens of [`tokens`], lazily, borrowing each one unless it has escapes (for
/// hot paths that only need the first token or two).
///
/// ```
/// let t: Vec<_> = covenant_spec::pointer::tokens_iter("/a~1b/c").collect();
/// assert_eq!(t, ["a/b", "c"]);
/// assert_eq!(covenant_spec::pointer::tokens_iter("").count(), 0);
/// ```
pub fn tokens_iter(pointer: &str) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    let rest = (!pointer.is_empty()).then(|| pointer.trim_start_matches('/'));
    rest.into_iter().flat_map(|r| r.split('/')).map(|t| {
        if t.contains('~') {
            std::borrow::Cow::Owned(unescape(t))
        } else {
            std::borrow::Cow::Borrowed(t)
        }
    })
}

/// Renders a pointer in dot notation (`/documents/0/type` -> `documents.0.type`).
pub fn dotted(pointer: &str) -> String {
    tokens(pointer).join(".")
}

/// Looks up a local `$ref` such as `#/components/schemas/X` in `root`.
pub fn resolve_ref<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

/// The component name in a `$ref` to `#/components/schemas/Name` (as written, so
/// still escaped if the name has `~` or `/`). Naming, not dereferencing: the schema
/// itself is [`resolve_ref`]'s or [`deref`]'s.
pub fn schema_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// How many `$ref`s one dereference follows before giving up (a cycle cannot hang).
const MAX_REFS: usize = 64;

/// Follows local `$ref`s (bounded, so a cycle cannot hang) to the value they name;
/// a dangling or external reference stops at the `$ref` object itself. The one
/// dereferencer of the workspace: the loader, the view, codegen, the generator and
/// the mock all use it (or [`deref_at`]).
pub fn deref<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    let mut v = v;
    for _ in 0..MAX_REFS {
        match step(root, v) {
            Some((t, _)) => v = t,
            None => return v,
        }
    }
    v
}

/// [`deref`], also giving the JSON Pointer of the value reached (`at`, the pointer
/// of `v`, when `v` is not a reference that resolves).
pub fn deref_at<'a>(root: &'a Value, v: &'a Value, at: &str) -> (&'a Value, String) {
    let mut v = v;
    let mut at = at;
    for _ in 0..MAX_REFS {
        match step(root, v) {
            Some((t, p)) => (v, at) = (t, p),
            None => break,
        }
    }
    (v, at.to_string())
}

/// One `$ref` hop: the target and its pointer, if `v` is a resolvable local reference.
fn step<'a>(root: &'a Value, v: &'a Value) -> Option<(&'a Value, &'a str)> {
    let r = v.get("$ref")?.as_str()?;
    let p = r.strip_prefix('#')?;
    Some((root.pointer(p)?, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(unescape("a~1b~0c"), "a/b~c");
        assert_eq!(tokens("/paths/~1a~1b/get"), vec!["paths", "/a/b", "get"]);
        assert_eq!(dotted("/documents/0/type"), "documents.0.type");
        assert!(tokens("").is_empty());
    }

    #[test]
    fn deref_follows_chains_and_stops_at_what_it_cannot_follow() {
        let root = serde_json::json!({
            "a": {"$ref": "#/b"},
            "b": {"$ref": "#/c"},
            "c": {"type": "string"},
            "loop": {"$ref": "#/loop"},
            "dangling": {"$ref": "#/nowhere"},
            "external": {"$ref": "other.yaml#/x"},
        });
        let a = &root["a"];
        assert_eq!(deref(&root, a), &root["c"]);
        assert_eq!(deref_at(&root, a, "/a"), (&root["c"], "/c".to_string()));
        assert_eq!(deref(&root, &root["loop"]), &root["loop"]);
        for k in ["dangling", "external"] {
            assert_eq!(deref_at(&root, &root[k], k), (&root[k], k.to_string()));
        }
        assert_eq!(deref(&root, &root["c"]), &root["c"]);
    }
}
