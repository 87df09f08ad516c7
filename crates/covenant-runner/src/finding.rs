//! A check's verdict on an exchange: [`Outcome`], passed or a [`Finding`] with
//! expected vs actual; and the wording the checks share (pointers, excerpts, a body
//! that must be JSON).

use serde_json::Value;

use crate::client::Answer;

/// Why a check failed. `signature` is stable across runs (no ids, no timings): it
/// identifies the violation for deduplication and `--baseline`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub expected: String,
    pub actual: String,
    pub signature: String,
}

pub type Outcome = Result<(), Finding>;

/// A failed [`Outcome`].
pub fn fail(
    expected: impl Into<String>,
    actual: impl Into<String>,
    signature: impl Into<String>,
) -> Outcome {
    Err(Finding {
        expected: expected.into(),
        actual: actual.into(),
        signature: signature.into(),
    })
}

/// A JSON Pointer as findings show it: `(root)` for the empty pointer.
pub fn show_ptr(p: &str) -> &str {
    if p.is_empty() { "(root)" } else { p }
}

/// At most `n` bytes of `s` (cut at a character boundary), `...` when cut.
pub fn truncate(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// The answer's body as JSON, or the finding that says why it is not.
pub fn json_body(a: &Answer) -> Result<Value, Finding> {
    if let Some(e) = &a.body_error {
        return Err(Finding {
            expected: "a complete JSON body".into(),
            actual: e.clone(),
            signature: format!("{}: body unreadable", a.status),
        });
    }
    serde_json::from_slice(&a.body).map_err(|e| Finding {
        expected: "a JSON body".into(),
        actual: format!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&a.body[..a.body.len().min(200)])
        ),
        signature: format!("{}: not JSON", a.status),
    })
}
