//! Whether the status is the one the case calls for: a valid request accepted
//! (positive_accepted), a broken one rejected (negative_rejected), missing or wrong
//! credentials refused (auth_required).

use serde_json::Value;

use covenant_spec::Spec;
use covenant_spec::error_style;

use crate::client::Exchange;
use crate::finding::{Outcome, fail, show_ptr};

fn status_of(ex: &Exchange) -> Option<u16> {
    ex.outcome.as_ref().ok().map(|a| a.status)
}

/// positive_accepted: a valid request gets a 2xx. A refusal quotes the error body,
/// its secret and personal values masked by `redaction`.
pub fn positive_accepted(ex: &Exchange, redaction: &covenant_redact::Rules) -> Option<Outcome> {
    let s = status_of(ex)?;
    if s >= 500 {
        return None; // server_error's finding, not this check's
    }
    Some(accepted(ex, s, redaction))
}

/// positive_accepted on a valid request that names a resource the runner did not
/// create (a random path id): a 404 the operation documents is the right answer to
/// an id that does not exist, so it judges nothing (skipped), where any other
/// refusal fails.
pub fn positive_accepted_unknown_ids(
    ex: &Exchange,
    documents_not_found: bool,
    redaction: &covenant_redact::Rules,
) -> Option<Outcome> {
    let s = status_of(ex)?;
    if s >= 500 || (s == 404 && documents_not_found) {
        return None;
    }
    Some(accepted(ex, s, redaction))
}

fn accepted(ex: &Exchange, s: u16, redaction: &covenant_redact::Rules) -> Outcome {
    if (200..300).contains(&s) {
        Ok(())
    } else {
        fail(
            "a 2xx answer to a valid request",
            format!("status {s}{}", error_summary(ex, redaction)),
            format!("status {s}"),
        )
    }
}

/// A short excerpt of the error body, so a report says why the request was refused.
/// A JSON body is quoted with its secret and personal values masked, as snapshots
/// mask them (a live sandbox may echo the names it was sent); any body is cut after
/// 300 characters.
fn error_summary(ex: &Exchange, redaction: &covenant_redact::Rules) -> String {
    const MAX_CHARS: usize = 300;
    let Ok(a) = &ex.outcome else {
        return String::new();
    };
    if a.body.is_empty() {
        return String::new();
    }
    let text = match serde_json::from_slice::<Value>(&a.body) {
        Ok(v) => covenant_redact::Redactor::new(redaction.clone())
            .json(&v)
            .to_string(),
        // Not JSON: no field names to go by. Only the head is read.
        Err(_) => String::from_utf8_lossy(&a.body[..a.body.len().min(4 * MAX_CHARS)]).into_owned(),
    };
    match text.char_indices().nth(MAX_CHARS) {
        None => format!(": {text}"),
        Some((at, _)) => format!(": {}... ({} bytes)", &text[..at], a.body.len()),
    }
}

pub fn negative_rejected(ex: &Exchange, pointer: &str, keyword: &str) -> Option<Outcome> {
    rejected(
        ex,
        format!(
            "a 4xx rejection (the request breaks `{keyword}` at {})",
            show_ptr(pointer)
        ),
        format!("accepted {} {keyword}", show_ptr(pointer)),
    )
}

/// A 4xx, else a finding with `expected` and `signature` (a 5xx is server_error's).
fn rejected(ex: &Exchange, expected: String, signature: String) -> Option<Outcome> {
    let s = status_of(ex)?;
    if s >= 500 {
        return None;
    }
    Some(if (400..500).contains(&s) {
        Ok(())
    } else {
        fail(expected, format!("status {s}"), signature)
    })
}

/// negative_rejected on a malformed body (not JSON where JSON is documented): a 4xx.
pub fn malformed_rejected(ex: &Exchange) -> Option<Outcome> {
    rejected(
        ex,
        "a 4xx rejection (the body is not valid JSON)".into(),
        "accepted malformed JSON".into(),
    )
}

/// negative_rejected on a request without its required body: a 4xx.
pub fn missing_body_rejected(ex: &Exchange) -> Option<Outcome> {
    rejected(
        ex,
        "a 4xx rejection (the required body is missing)".into(),
        "accepted a missing body".into(),
    )
}

/// auth_required: missing or wrong credentials get the documented 401/403.
pub fn auth_required(spec: &Spec, ex: &Exchange, what: &str) -> Option<Outcome> {
    let s = status_of(ex)?;
    if s >= 500 {
        return None;
    }
    let allowed: Vec<u16> = ["unauthorized", "forbidden"]
        .iter()
        .map(|c| error_style::case_for(&spec.covenant.errors, c).0.status)
        .collect();
    Some(if allowed.contains(&s) {
        Ok(())
    } else {
        fail(
            format!(
                "{} for {what} credentials",
                allowed
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            format!("status {s}"),
            format!("{what}: status {s}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Answer;
    use serde_json::json;

    /// A refused valid request is reported with an excerpt of the error body, but
    /// not the personal or secret values in it (a live sandbox may echo what it got).
    #[test]
    fn refusal_excerpts_withhold_personal_values() {
        let ex = Exchange {
            outcome: Ok(Answer {
                status: 422,
                headers: Vec::new(),
                body: serde_json::to_vec(&json!({
                    "error": "invalid",
                    "partner_lastname": "Mustermann",
                    "api_key": "sk_live_abc",
                    "details": [{"firstName": "Erika", "reason": "duplicate"}]
                }))
                .expect("JSON"),
                body_error: None,
            }),
            elapsed: std::time::Duration::ZERO,
        };
        let finding = positive_accepted(&ex, &covenant_redact::Rules::default())
            .expect("judged")
            .expect_err("a 422 is a refusal");
        for hidden in ["Mustermann", "Erika", "sk_live_abc"] {
            assert!(!finding.actual.contains(hidden), "{}", finding.actual);
        }
        assert!(finding.actual.contains("status 422"), "{}", finding.actual);
        assert!(finding.actual.contains("duplicate"), "{}", finding.actual);
        // Text bodies are quoted as they are, bounded.
        let text = Exchange {
            outcome: Ok(Answer {
                status: 400,
                headers: Vec::new(),
                body: "x".repeat(1000).into_bytes(),
                body_error: None,
            }),
            elapsed: std::time::Duration::ZERO,
        };
        let finding = positive_accepted(&text, &covenant_redact::Rules::default())
            .expect("judged")
            .expect_err("a 400 is a refusal");
        assert!(finding.actual.len() < 400, "{}", finding.actual.len());
    }
}
