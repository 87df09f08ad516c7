//! The string formats the derive can check (`#[validate(format = "...")]`,
//! `#[validate(email)]`, `#[validate(url)]`), with the semantics the `jsonschema`
//! crate gives them, so the derive validator and the JSON Schema view agree.

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

/// RFC 3339 `full-date`: `YYYY-MM-DD`, a real calendar day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// RFC 3339 `date-time` (`T`/`t` separator, `Z`/`z` or numeric offset, optional fraction,
/// leap second 60 accepted as RFC 3339 allows).
pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !is_date(&s[..10]) || !matches!(b[10], b'T' | b't') {
        return false;
    }
    let t = &b[11..];
    let two = |i: usize| -> Option<u32> {
        let (x, y) = (*t.get(i)?, *t.get(i + 1)?);
        (x.is_ascii_digit() && y.is_ascii_digit())
            .then(|| u32::from(x - b'0') * 10 + u32::from(y - b'0'))
    };
    let (Some(h), Some(m), Some(sec)) = (two(0), two(3), two(6)) else {
        return false;
    };
    if t[2] != b':' || t[5] != b':' || h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut i = 8;
    if t.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while t.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &t[i..] {
        [b'Z' | b'z'] => true,
        [sign, rest @ ..] if (*sign == b'+' || *sign == b'-') && rest.len() == 5 => {
            let oh = two(i + 1);
            let om = two(i + 4);
            rest[2] == b':' && oh.is_some_and(|h| h <= 23) && om.is_some_and(|m| m <= 59)
        }
        _ => false,
    }
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
