//! JSON Pointer (RFC 6901) helpers.

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
    let p = reference.strip_prefix('#')?;
    root.pointer(p)
}

/// Follows local `$ref`s (bounded, so a cycle cannot hang) to the value they name;
/// a dangling or external reference stops at the `$ref` object itself. The one
/// dereferencer of the workspace: the loader, the view, codegen and the mock all use it.
pub fn deref<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    let mut v = v;
    for _ in 0..64 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => match resolve_ref(root, r) {
                Some(t) => v = t,
                None => return v,
            },
            None => return v,
        }
    }
    v
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
}
