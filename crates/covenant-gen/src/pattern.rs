//! Strings for ECMA-262 `pattern`s: the pattern is rewritten into `regex-syntax` terms
//! (`\d`/`\w` are ASCII in ECMA-262), its leading `^` / trailing `$` anchors are removed
//! (proptest cannot generate anchors; a full match also matches an unanchored search),
//! and an unanchored end gets an optional alphanumeric tail so lengths vary. Every
//! generated string is re-checked with `regress`, the ECMA-262 engine.

use proptest::prelude::*;
use regex_syntax::hir::{Hir, HirKind, Look};

/// An ECMA-262 regex compiled once for checks.
pub fn ecma(pattern: &str) -> Result<regress::Regex, String> {
    regress::Regex::with_flags(pattern, "u")
        .or_else(|_| regress::Regex::new(pattern))
        .map_err(|e| format!("pattern {pattern:?} is not an ECMA-262 regex: {e}"))
}

/// Rewrites ECMA-only escapes into regex-syntax's (ASCII `\d`, `\w`, `\/`, ...).
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let rep: Option<&str> = match (n, in_class) {
                    ('d', false) => Some("[0-9]"),
                    ('d', true) => Some("0-9"),
                    ('D', false) => Some("[^0-9]"),
                    ('w', false) => Some("[A-Za-z0-9_]"),
                    ('w', true) => Some("A-Za-z0-9_"),
                    ('W', false) => Some("[^A-Za-z0-9_]"),
                    ('/', _) => Some("/"),
                    ('-', _) => Some("\\-"),
                    _ => None,
                };
                match rep {
                    Some(r) => out.push_str(r),
                    None => {
                        out.push('\\');
                        out.push(n);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A leading `]` or `^]` is literal in ECMA too; copy it through.
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_anchor(h: &Hir) -> bool {
    matches!(
        h.kind(),
        HirKind::Look(
            Look::Start | Look::End | Look::StartLF | Look::EndLF | Look::StartCRLF | Look::EndCRLF
        )
    )
}

/// Removes anchors at the edges; any other look-around is unsupported.
fn strip(h: &Hir) -> Result<Hir, String> {
    match h.kind() {
        HirKind::Look(_) if is_anchor(h) => Ok(Hir::empty()),
        HirKind::Look(l) => Err(format!("{l:?} cannot be generated")),
        HirKind::Concat(parts) => {
            let mut parts: Vec<&Hir> = parts.iter().collect();
            while parts.first().is_some_and(|p| is_anchor(p)) {
                parts.remove(0);
            }
            while parts.last().is_some_and(|p| is_anchor(p)) {
                parts.pop();
            }
            let stripped = parts
                .into_iter()
                .map(strip)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Hir::concat(stripped))
        }
        HirKind::Alternation(alts) => Ok(Hir::alternation(
            alts.iter().map(strip).collect::<Result<Vec<_>, _>>()?,
        )),
        HirKind::Capture(c) => strip(&c.sub),
        HirKind::Repetition(r) => {
            let mut r = r.clone();
            r.sub = Box::new(strip(&r.sub)?);
            Ok(Hir::repetition(r))
        }
        _ => Ok(h.clone()),
    }
}

fn ends_anchored(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    let n = bytes.len();
    n > 0 && bytes[n - 1] == b'$' && !(n > 1 && bytes[n - 2] == b'\\')
}

/// A strategy for strings matching `pattern` (ECMA-262, unanchored search semantics)
/// with a char count in `min..=max`.
pub fn strategy(pattern: &str, min: usize, max: usize) -> Result<SBoxedStrategy<String>, String> {
    let check = ecma(pattern)?;
    let translated = translate(pattern);
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&translated)
        .map_err(|e| format!("pattern {pattern:?} is outside the generator's regex syntax: {e}"))?;
    let mut core = strip(&hir).map_err(|e| format!("pattern {pattern:?}: {e}"))?;
    if !ends_anchored(pattern) {
        // Room to reach minLength and to vary: an optional alphanumeric tail.
        let tail = regex_syntax::ParserBuilder::new()
            .build()
            .parse(&format!("[A-Z0-9]{{0,{}}}", min.clamp(6, 64)))
            .map_err(|e| e.to_string())?;
        core = Hir::concat(vec![core, tail]);
    }
    let strings = proptest::string::string_regex_parsed(&core)
        .map_err(|e| format!("pattern {pattern:?}: {e}"))?;
    Ok(strings
        .prop_filter("pattern strings outside the length bounds", move |s| {
            let n = s.chars().count();
            n >= min && n <= max && check.find(s).is_some()
        })
        .sboxed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_ecma_classes() {
        assert_eq!(translate(r"^\d{3}$"), "^[0-9]{3}$");
        assert_eq!(translate(r"[\d\w]+"), "[0-9A-Za-z0-9_]+");
        assert_eq!(translate(r"a\/b"), "a/b");
    }

    #[test]
    fn lookaround_is_an_error() {
        assert!(strategy(r"^(?=a)b", 0, 10).is_err());
    }

    #[test]
    fn anchors_detected() {
        assert!(ends_anchored("^a$"));
        assert!(!ends_anchored(r"^a\$"));
        assert!(!ends_anchored("^DE"));
    }
}
