//! The string formats the derive can check (`#[validate(format = "...")]`,
//! `#[validate(email)]`, `#[validate(url)]`), with the semantics the `jsonschema`
//! crate gives them, so the derive validator and the JSON Schema view agree. One
//! known difference: `date` and `date-time` are chrono's RFC 3339 (the workspace's
//! one implementation), which takes a leap second at any minute where jsonschema
//! takes it only at 23:59 UTC.

/// A format name the derive accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Date,
    DateTime,
    Uuid,
    Email,
    Uri,
    /// ISO 13616 structure with the mod-97 checksum.
    Iban,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "date" => Format::Date,
            "date-time" => Format::DateTime,
            "uuid" => Format::Uuid,
            "email" => Format::Email,
            "uri" | "url" => Format::Uri,
            "iban" => Format::Iban,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Date => "date",
            Format::DateTime => "date-time",
            Format::Uuid => "uuid",
            Format::Email => "email",
            Format::Uri => "uri",
            Format::Iban => "iban",
        }
    }

    pub fn check(self, s: &str) -> bool {
        match self {
            Format::Date => is_date(s),
            Format::DateTime => is_date_time(s),
            Format::Uuid => is_uuid(s),
            Format::Email => is_email(s),
            Format::Uri => is_uri(s),
            Format::Iban => is_iban(s),
        }
    }
}

/// RFC 3339 `full-date`: `YYYY-MM-DD`, a real calendar day. chrono's RFC 3339 parser
/// is its strict one (exactly 4-2-2 digits; `%Y-%m-%d` would take `2024-2-9` and signed
/// years), so the date is checked as the date part of midnight UTC that day, built on
/// the stack.
pub fn is_date(s: &str) -> bool {
    let mut date_time = *b"0000-00-00T00:00:00Z";
    if s.len() != 10 {
        return false;
    }
    date_time[..10].copy_from_slice(s.as_bytes());
    std::str::from_utf8(&date_time).is_ok_and(is_date_time)
}

/// RFC 3339 `date-time`, as chrono parses it: `T`/`t` separator, `Z`/`z` or a numeric
/// offset up to ±23:59, an optional fraction of any length, and second 60 (a leap
/// second) at any minute. chrono also reads a space for the `T` and U+2212 for the
/// offset's minus, which RFC 3339's grammar and jsonschema's `date-time` refuse; so
/// does this.
pub fn is_date_time(s: &str) -> bool {
    matches!(s.as_bytes().get(10), Some(b'T' | b't'))
        && s.is_ascii()
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// The hyphenated 8-4-4-4-12 hex form.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A pragmatic RFC 5321 check: one `@`, a non-empty local part without spaces, a
/// domain of dot-separated labels (or a bracketed address literal).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.is_empty() {
        return false;
    }
    let local_ok = if local.starts_with('"') && local.ends_with('"') && local.len() >= 2 {
        true
    } else {
        !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
    };
    let domain_ok = if domain.starts_with('[') && domain.ends_with(']') {
        true
    } else {
        domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
    };
    local_ok && domain_ok
}

/// An absolute URI: a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), `:`, and
/// no characters a URI cannot contain.
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    scheme_ok
        && rest
            .chars()
            .all(|c| c.is_ascii_graphic() && !"<>\"{}|\\^`".contains(c))
}

/// ISO 13616 IBAN (electronic form, no spaces) with a valid mod-97 checksum.
pub fn is_iban(s: &str) -> bool {
    s.parse::<iban::Iban>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-2-29"));
        assert!(is_date_time("2024-10-22T12:19:12.269594Z"));
        assert!(is_date_time("2024-10-22t12:19:12+02:00"));
        assert!(!is_date_time("2024-10-22T12:19:12"));
        assert!(!is_date_time("2024-10-22T25:19:12Z"));
        assert!(!is_date_time("2024-10-22T12:19:12.Z"));
    }

    #[test]
    fn date_time_edges() {
        // Lower-case separators, any fraction length, leap seconds, offset bounds.
        assert!(is_date_time("2024-10-22t12:19:12z"));
        assert!(is_date_time("2024-10-22T12:19:12.1234567890123Z"));
        assert!(is_date_time("2016-12-31T23:59:60Z"));
        assert!(is_date_time("2024-10-22T12:19:60.5+01:00"));
        assert!(is_date_time("2024-10-22T12:19:12-23:59"));
        assert!(is_date_time("2024-10-22T12:19:12-00:00"));
        assert!(!is_date_time("2024-10-22T12:19:61Z"));
        assert!(!is_date_time("2024-10-22T12:60:12Z"));
        assert!(!is_date_time("2024-10-22T12:19:12+24:00"));
        assert!(!is_date_time("2024-10-22T12:19:12+02:60"));
        assert!(!is_date_time("2024-10-22T12:19:12+0200"));
        assert!(!is_date_time("2024-10-22T12:19:12Z "));
        assert!(!is_date_time("2023-02-29T12:19:12Z"));
        // chrono alone would take these two.
        assert!(!is_date_time("2024-10-22 12:19:12Z"));
        assert!(!is_date_time("2024-10-22T12:19:12\u{2212}02:00"));
        // Dates: exactly four, two and two digits.
        assert!(!is_date("+2024-01-1"));
        assert!(!is_date("2024-01- 1"));
        assert!(!is_date("2024-01-01T"));
        assert!(!is_date("2024-13-01"));
    }

    #[test]
    fn identifiers() {
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid("123e4567e89b12d3a456426614174000"));
        assert!(is_email("a.b@example.com"));
        assert!(!is_email("a b@example.com"));
        assert!(!is_email("ab.example.com"));
        assert!(is_uri("https://example.com?info=success"));
        assert!(!is_uri("/relative/path"));
        assert!(is_iban("DE58123456780123456789"));
        assert!(!is_iban("DE99123456780123456789"));
    }
}
