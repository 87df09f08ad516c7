//! Step 2: reject attribute misuse before any code is written, each error spanned at
//! the attribute item at fault.

use std::collections::HashSet;

use syn::Error;

use crate::parse::{Field, Num, Parsed, Rule, RuleKind};

const FORMATS: [&str; 6] = ["date", "date-time", "uuid", "email", "uri", "iban"];

pub fn check(parsed: &Parsed) -> syn::Result<()> {
    let mut errors: Option<Error> = None;
    let mut push = |e: Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let fields: Vec<&Field> = match parsed {
        Parsed::Struct { fields } => fields.iter().collect(),
        Parsed::Enum { variants, .. } => variants.iter().flat_map(|v| v.fields.iter()).collect(),
    };
    for f in fields {
        let mut seen = HashSet::new();
        for rule in &f.rules {
            if !seen.insert(rule.kind.key()) {
                push(Error::new(
                    rule.span,
                    format!("duplicate `{}` rule on this field", rule.kind.key()),
                ));
                continue;
            }
            if let Err(e) = check_rule(rule) {
                push(e);
            }
        }
        let has_format = f.rules.iter().any(|r| {
            matches!(
                r.kind,
                RuleKind::Format(_) | RuleKind::Email | RuleKind::Url
            )
        });
        let formats = f
            .rules
            .iter()
            .filter(|r| {
                matches!(
                    r.kind,
                    RuleKind::Format(_) | RuleKind::Email | RuleKind::Url
                )
            })
            .count();
        if has_format
            && formats > 1
            && let Some(r) = f
                .rules
                .iter()
                .filter(|r| {
                    matches!(
                        r.kind,
                        RuleKind::Format(_) | RuleKind::Email | RuleKind::Url
                    )
                })
                .nth(1)
        {
            push(Error::new(
                r.span,
                "a field has at most one format (`format`, `email`, `url`)",
            ));
        }
    }
    if let Parsed::Enum { variants, .. } = parsed {
        for v in variants {
            if let Some(span) = v.unknown_value
                && (v.fields.len() != 1 || v.style != crate::parse::Style::Unnamed)
            {
                push(Error::new(
                    span,
                    "`unknown_value` goes on a newtype variant holding the unknown wire value, e.g. `Unknown(String)`",
                ));
            }
        }
    }
    match errors {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn non_negative_integer(n: &Num, what: &str) -> syn::Result<()> {
    if n.value < 0.0 || n.value.fract() != 0.0 {
        return Err(Error::new(
            n.span,
            format!("`{what}` must be a non-negative integer"),
        ));
    }
    Ok(())
}

fn ordered(min: &Option<Num>, max: &Option<Num>, what: &str) -> syn::Result<()> {
    if let (Some(lo), Some(hi)) = (min, max)
        && lo.value > hi.value
    {
        return Err(Error::new(
            lo.span,
            format!(
                "{what}: min ({}) is greater than max ({})",
                lo.value, hi.value
            ),
        ));
    }
    Ok(())
}

fn check_rule(rule: &Rule) -> syn::Result<()> {
    match &rule.kind {
        RuleKind::Length { min, max, equal } => {
            if min.is_none() && max.is_none() && equal.is_none() {
                return Err(Error::new(
                    rule.span,
                    "`length(...)` needs `min`, `max` or `equal`",
                ));
            }
            if let (Some(e), true) = (equal, min.is_some() || max.is_some()) {
                return Err(Error::new(
                    e.span,
                    "`equal` cannot be combined with `min` or `max`",
                ));
            }
            for (n, what) in [(min, "min"), (max, "max"), (equal, "equal")] {
                if let Some(n) = n {
                    non_negative_integer(n, what)?;
                }
            }
            ordered(min, max, "length")
        }
        RuleKind::Range {
            min,
            max,
            exclusive_min,
            exclusive_max,
        } => {
            if min.is_none() && max.is_none() && exclusive_min.is_none() && exclusive_max.is_none()
            {
                return Err(Error::new(
                    rule.span,
                    "`range(...)` needs at least one bound",
                ));
            }
            ordered(min, max, "range")?;
            ordered(exclusive_min, exclusive_max, "range")?;
            ordered(min, exclusive_max, "range")?;
            ordered(exclusive_min, max, "range")
        }
        RuleKind::MultipleOf(n) => {
            if n.value <= 0.0 {
                return Err(Error::new(n.span, "`multiple_of` must be greater than 0"));
            }
            Ok(())
        }
        RuleKind::Pattern(lit) => regress::Regex::new(&lit.value()).map(|_| ()).map_err(|e| {
            Error::new(
                lit.span(),
                format!("this pattern does not compile as an ECMA-262 regex: {e}"),
            )
        }),
        RuleKind::Format(lit) => {
            if FORMATS.contains(&lit.value().as_str()) {
                Ok(())
            } else {
                Err(Error::new(
                    lit.span(),
                    format!(
                        "unknown format `{}`; expected one of: {}",
                        lit.value(),
                        FORMATS.join(", ")
                    ),
                ))
            }
        }
        RuleKind::Enumeration(values) => {
            if values.is_empty() {
                Err(Error::new(
                    rule.span,
                    "`enumeration(...)` needs at least one value",
                ))
            } else {
                Ok(())
            }
        }
        RuleKind::ForbiddenProperties(names) => {
            let mut seen = HashSet::new();
            if names.is_empty() {
                return Err(Error::new(
                    rule.span,
                    "`forbidden_properties(...)` needs at least one property name",
                ));
            }
            for n in names {
                if !seen.insert(n.value()) {
                    return Err(Error::new(
                        n.span(),
                        format!("`{}` is listed twice", n.value()),
                    ));
                }
            }
            Ok(())
        }
        RuleKind::RegexPath(_)
        | RuleKind::Email
        | RuleKind::Url
        | RuleKind::UniqueItems
        | RuleKind::Nested => Ok(()),
    }
}
