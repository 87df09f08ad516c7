//! How rule arguments and offending values appear in messages: [`Literal`], an
//! `enumeration` constant, and [`Shown`], a string quoted and cut. A leaf: the rules
//! (`rules.rs`) build violations with them and the violations (`error.rs`) render them.

/// A constant in `#[validate(enumeration(...))]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal {
    Str(&'static str),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl std::fmt::Display for Literal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Literal::Str(s) => write!(f, "{s:?}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{x}"),
            Literal::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// A string value as a message shows it: quoted and escaped, and cut after
/// [`Shown::MAX_CHARS`] characters so that a huge value does not make a huge message.
pub struct Shown<'a>(pub &'a str);

impl Shown<'_> {
    pub const MAX_CHARS: usize = 64;
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match cut(self.0, Self::MAX_CHARS) {
            None => write!(f, "{:?}", self.0),
            Some((head, n)) => write!(f, "{head:?}... ({n} characters)"),
        }
    }
}

/// `s` cut after `max` characters, with its length in characters; `None` when it
/// is no longer than that.
pub(crate) fn cut(s: &str, max: usize) -> Option<(&str, usize)> {
    if s.len() <= max {
        // No more characters than bytes.
        return None;
    }
    let (at, _) = s.char_indices().nth(max)?;
    Some((&s[..at], s.chars().count()))
}
