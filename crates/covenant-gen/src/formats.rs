//! Realistic strings for the `format`s the specs use: RFC 3339 date-times and dates,
//! real (version 4) UUIDs, emails, URIs, IBANs with correct mod-97 check digits, and
//! a few more that `jsonschema` checks. Unknown formats give `None` (plain strings).

use proptest::prelude::*;

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn date() -> impl Strategy<Value = (i32, u32, u32)> {
    (1950i32..=2099, 1u32..=12).prop_flat_map(|(y, m)| (Just(y), Just(m), 1..=days_in_month(y, m)))
}

fn time() -> impl Strategy<Value = String> {
    (0u32..24, 0u32..60, 0u32..60, prop::option::of(0u32..1000)).prop_map(
        |(h, m, s, ms)| match ms {
            Some(ms) => format!("{h:02}:{m:02}:{s:02}.{ms:03}"),
            None => format!("{h:02}:{m:02}:{s:02}"),
        },
    )
}

fn offset() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("Z".to_string()),
        1 => (0u32..=14, prop::sample::select(vec![0u32, 30, 45]), any::<bool>())
            .prop_map(|(h, m, neg)| format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' })),
    ]
}

/// Computes the two IBAN check digits for `country` + `bban` (ISO 13616 mod 97).
pub fn iban_check_digits(country: &str, bban: &str) -> u32 {
    let rearranged = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let digits = if let Some(d) = c.to_digit(10) {
            d.to_string()
        } else {
            (c.to_ascii_uppercase() as u32 - 'A' as u32 + 10).to_string()
        };
        for d in digits.chars() {
            rem = (rem * 10 + d.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    98 - rem
}

fn iban() -> impl Strategy<Value = String> {
    // (country, BBAN regex) for countries whose BBAN is a plain structure.
    let countries: Vec<(&'static str, &'static str)> = vec![
        ("DE", "[0-9]{18}"),
        ("AT", "[0-9]{16}"),
        ("NL", "[A-Z]{4}[0-9]{10}"),
        ("GB", "[A-Z]{4}[0-9]{14}"),
    ];
    prop::sample::select(countries).prop_flat_map(|(country, bban)| {
        proptest::string::string_regex(bban)
            .map(|s| {
                s.prop_map(move |bban| {
                    format!("{country}{:02}{bban}", iban_check_digits(country, &bban))
                })
                .sboxed()
            })
            .unwrap_or_else(|_| {
                Just(format!(
                    "DE{:02}{}",
                    iban_check_digits("DE", "370400440532013000"),
                    "370400440532013000"
                ))
                .sboxed()
            })
    })
}

fn regex(r: &'static str) -> SBoxedStrategy<String> {
    proptest::string::string_regex(r)
        .map(|s| s.sboxed())
        .unwrap_or_else(|_| Just(String::new()).sboxed())
}

/// A strategy for `format`, or `None` when the format is not one the generator knows.
pub fn strategy(format: &str) -> Option<SBoxedStrategy<String>> {
    Some(match format {
        "date-time" => (date(), time(), offset())
            .prop_map(|((y, mo, d), t, z)| format!("{y:04}-{mo:02}-{d:02}T{t}{z}"))
            .sboxed(),
        "date" => date()
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
            .sboxed(),
        "time" => (time(), offset())
            .prop_map(|(t, z)| format!("{t}{z}"))
            .sboxed(),
        "uuid" => any::<[u8; 16]>()
            .prop_map(|b| uuid::Builder::from_random_bytes(b).into_uuid().to_string())
            .sboxed(),
        "email" | "idn-email" => {
            regex("[a-z]{1,10}(\\.[a-z]{1,6})?@[a-z]{2,10}\\.(com|org|net|de|io)")
        }
        "uri" | "iri" => regex("https://[a-z]{2,10}\\.(com|org|example)(/[a-z0-9]{1,8}){0,3}"),
        "uri-reference" | "iri-reference" => {
            regex("(https://[a-z]{2,10}\\.com)?/[a-z0-9]{1,8}(/[a-z0-9]{1,8}){0,2}")
        }
        "hostname" | "idn-hostname" => regex("[a-z]{2,10}(\\.[a-z]{2,8}){1,2}"),
        "ipv4" => any::<[u8; 4]>()
            .prop_map(|b| format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]))
            .sboxed(),
        "ipv6" => any::<[u16; 8]>()
            .prop_map(|b| {
                b.iter()
                    .map(|x| format!("{x:x}"))
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .sboxed(),
        "iban" => iban().sboxed(),
        _ => return None,
    })
}

/// A value of the right shape that the format rejects, for negatives.
pub fn bad_values(format: &str) -> Vec<&'static str> {
    match format {
        "date-time" => vec!["2024-13-45T25:61:00Z", "not-a-date-time", "2024-01-01"],
        "date" => vec!["2024-13-45", "not-a-date", "2024-02-30"],
        "time" => vec!["25:61:00Z", "not-a-time"],
        "uuid" => vec!["not-a-uuid", "123e4567-e89b-12d3-a456-42661417400g"],
        "email" | "idn-email" => vec!["not-an-email", "no-at-sign.example.com"],
        "uri" | "iri" => vec!["not a uri", "//no-scheme"],
        "uri-reference" | "iri-reference" => vec!["\\\\not a reference"],
        "hostname" | "idn-hostname" => vec!["-bad-.host-", "a..b"],
        "ipv4" => vec!["256.1.1.1", "1.2.3"],
        "ipv6" => vec!["1:2:3", "not-an-ipv6"],
        "iban" => vec![
            "DE00370400440532013000",
            "XX12345",
            "DE89370400440532013001",
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_iban_check_digits() {
        // The textbook example DE89 3704 0044 0532 0130 00.
        assert_eq!(iban_check_digits("DE", "370400440532013000"), 89);
        // GB82 WEST 1234 5698 7654 32.
        assert_eq!(iban_check_digits("GB", "WEST12345698765432"), 82);
    }

    #[test]
    fn unknown_format_is_none() {
        assert!(strategy("x-unknown").is_none());
        assert!(strategy("date-time").is_some());
    }
}
