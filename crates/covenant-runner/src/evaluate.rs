//! The checks themselves: each judges one exchange (or a pair, for replays and
//! create-then-read) against the spec and says pass or fail with expected vs
//! actual. A check that does not apply to an exchange says nothing, so it can be
//! reported as skipped rather than passed.

use std::time::Duration;

use serde_json::Value;

use covenant_spec::error_style::{self, has_field_slots, names_field};
use covenant_spec::ir::essence;
use covenant_spec::{ErrorCase, Spec};

use crate::checks::Check;
use crate::client::{Answer, Exchange};
use crate::plan::{OpPlan, coerce};

/// Why a check failed. `signature` is stable across runs (no ids, no timings): it
/// identifies the violation for deduplication and `--baseline`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub expected: String,
    pub actual: String,
    pub signature: String,
}

pub type Outcome = Result<(), Finding>;

fn fail(
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

/// The generic checks every answer gets: server_error, status_documented,
/// content_type, response_headers, response_schema, response_time.
///
/// `classes` are the error classes the case is built to provoke (`validation` for a
/// negative, ...). Their statuses count as documented even when the operation lists
/// no such response: the spec's `x-covenant-errors` (or, for a class it does not
/// describe, the conventions' fallback) documents them; `error_shape` judges those
/// answers.
pub fn response_checks(
    spec: &Spec,
    plan: &OpPlan,
    ex: &Exchange,
    max_time: Option<Duration>,
    classes: &[&str],
    out: &mut Vec<(Check, Outcome)>,
) {
    if let Some(max) = max_time {
        out.push((
            Check::ResponseTime,
            if ex.elapsed > max {
                fail(
                    format!("an answer within {} ms", max.as_millis()),
                    format!("{} ms", ex.elapsed.as_millis()),
                    "slow",
                )
            } else {
                Ok(())
            },
        ));
    }
    let a = match &ex.outcome {
        Ok(a) => a,
        Err(e) => {
            out.push((
                Check::ServerError,
                fail(
                    "an HTTP answer",
                    format!("no answer: {e}"),
                    transport_kind(e),
                ),
            ));
            return;
        }
    };
    out.push((
        Check::ServerError,
        if a.status >= 500 {
            fail(
                "a status below 500",
                format!("status {}", a.status),
                format!("status {}", a.status),
            )
        } else {
            Ok(())
        },
    ));
    let Some((ri, doc)) = plan
        .op
        .responses
        .iter()
        .enumerate()
        .find(|(_, r)| r.status == covenant_spec::StatusCode::Code(a.status))
        .or_else(|| {
            plan.op
                .responses
                .iter()
                .enumerate()
                .find(|(_, r)| r.status == covenant_spec::StatusCode::Range(a.status / 100))
        })
        .or_else(|| {
            plan.op
                .responses
                .iter()
                .enumerate()
                .find(|(_, r)| r.status == covenant_spec::StatusCode::Default)
        })
    else {
        let by_style = classes
            .iter()
            .any(|c| error_style::case_for(&spec.covenant.errors, c).0.status == a.status);
        if by_style {
            out.push((Check::StatusDocumented, Ok(())));
            return;
        }
        out.push((
            Check::StatusDocumented,
            fail(
                format!(
                    "one of the documented statuses {}",
                    plan.op
                        .responses
                        .iter()
                        .map(|r| r.status.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!("status {}", a.status),
                format!("status {}", a.status),
            ),
        ));
        return;
    };
    out.push((Check::StatusDocumented, Ok(())));

    // content_type
    let ct = a.header("content-type").map(essence);
    let documented: Vec<String> = doc.content.iter().map(|m| m.essence()).collect();
    let media = if doc.content.is_empty() {
        out.push((
            Check::ContentType,
            if a.body.is_empty() {
                Ok(())
            } else {
                fail(
                    format!("no body (status {} documents none)", doc.status),
                    format!(
                        "{} bytes of {}",
                        a.body.len(),
                        ct.as_deref().unwrap_or("untyped content")
                    ),
                    format!("{}: undocumented body", a.status),
                )
            },
        ));
        None
    } else {
        match &ct {
            None => {
                out.push((
                    Check::ContentType,
                    fail(
                        format!("Content-Type {}", documented.join(" or ")),
                        "no Content-Type header",
                        format!("{}: no content type", a.status),
                    ),
                ));
                None
            }
            Some(ct) => match doc
                .content
                .iter()
                .enumerate()
                .find(|(_, m)| media_matches(&m.essence(), ct))
            {
                Some((mi, m)) => {
                    out.push((Check::ContentType, Ok(())));
                    Some((mi, m))
                }
                None => {
                    out.push((
                        Check::ContentType,
                        fail(
                            format!("Content-Type {}", documented.join(" or ")),
                            format!("Content-Type {ct}"),
                            format!("{}: content type {ct}", a.status),
                        ),
                    ));
                    None
                }
            },
        }
    };

    // response_headers
    let mut header_problems = Vec::new();
    for (hi, h) in doc.headers.iter().enumerate() {
        match a.header(&h.name) {
            None if h.required => header_problems.push(format!("{} missing", h.name)),
            None => {}
            Some(v) => {
                if let Some((validator, types)) = plan.headers.get(&(ri, hi)) {
                    let value = coerce(v, types);
                    if !validator.is_valid(&value) {
                        header_problems
                            .push(format!("{} = {v:?} does not match its schema", h.name));
                    }
                }
            }
        }
    }
    if !doc.headers.is_empty() {
        out.push((
            Check::ResponseHeaders,
            if header_problems.is_empty() {
                Ok(())
            } else {
                fail(
                    format!(
                        "headers {} as documented for {}",
                        doc.headers
                            .iter()
                            .map(|h| h.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        doc.status
                    ),
                    header_problems.join("; "),
                    format!("{}: {}", a.status, header_problems.join("; ")),
                )
            },
        ));
    }

    // response_schema
    if let Some((mi, m)) = media {
        if let Some(validator) = plan.bodies.get(&(ri, mi)) {
            out.push((
                Check::ResponseSchema,
                body_against(a, validator, &m.media_type, &plan.redaction),
            ));
        } else if m.is_json() {
            out.push((Check::ResponseSchema, json_body(a).map(|_| ())));
        }
    }
}

fn transport_kind(e: &str) -> String {
    e.split(':').next().unwrap_or(e).to_string()
}

/// `application/json` matches `application/json`; a documented `*/*` or `type/*` matches widely.
fn media_matches(documented: &str, actual: &str) -> bool {
    if documented == actual || documented == "*/*" {
        return true;
    }
    match documented.strip_suffix("/*") {
        Some(prefix) => actual.split('/').next() == Some(prefix),
        None => false,
    }
}

fn json_body(a: &Answer) -> Result<Value, Finding> {
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

fn body_against(
    a: &Answer,
    validator: &jsonschema::Validator,
    media: &str,
    redaction: &covenant_redact::Rules,
) -> Outcome {
    let body = json_body(a)?;
    let v = covenant_spec::view::violations(validator, &body);
    if v.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = v
        .iter()
        .take(5)
        .map(|v| {
            // Messages quote the offending value: withheld under a secret or
            // personal field (a live sandbox answers with real names).
            let hidden =
                covenant_spec::pointer::tokens_iter(&v.pointer).any(|t| redaction.hides_field(&t));
            format!(
                "{} {}: {}",
                if v.pointer.is_empty() {
                    "(root)"
                } else {
                    &v.pointer
                },
                v.keyword,
                if hidden {
                    "(message withheld: the value is secret or personal data)"
                } else {
                    &v.message
                }
            )
        })
        .collect();
    fail(
        format!(
            "a body valid against the {media} schema of status {}",
            a.status
        ),
        shown.join("; "),
        format!(
            "{}: {}",
            a.status,
            v.iter()
                .map(|v| format!("{} {}", v.pointer, v.keyword))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

fn status_of(ex: &Exchange) -> Option<u16> {
    ex.outcome.as_ref().ok().map(|a| a.status)
}

/// positive_accepted. `not_found_ok`: a read whose id may not exist.
pub fn positive_accepted(
    ex: &Exchange,
    not_found: Option<u16>,
    redaction: &covenant_redact::Rules,
) -> Option<Outcome> {
    let s = status_of(ex)?;
    if s >= 500 {
        return None; // server_error's finding, not this check's
    }
    Some(if (200..300).contains(&s) || Some(s) == not_found {
        Ok(())
    } else {
        fail(
            "a 2xx answer to a valid request",
            format!("status {s}{}", error_summary(ex, redaction)),
            format!("status {s}"),
        )
    })
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
    let s = status_of(ex)?;
    if s >= 500 {
        return None;
    }
    Some(if (400..500).contains(&s) {
        Ok(())
    } else {
        fail(
            format!(
                "a 4xx rejection (the request breaks `{keyword}` at {})",
                show_ptr(pointer)
            ),
            format!("status {s}"),
            format!("accepted {} {keyword}", show_ptr(pointer)),
        )
    })
}

fn show_ptr(p: &str) -> &str {
    if p.is_empty() { "(root)" } else { p }
}

/// error_shape: the answer uses the status, content type and body shape of `class`.
/// `classes` lists acceptable classes (auth accepts unauthorized or forbidden).
pub fn error_shape(spec: &Spec, ex: &Exchange, classes: &[&str]) -> Option<Outcome> {
    let a = ex.outcome.as_ref().ok()?;
    if !(400..500).contains(&a.status) {
        return None; // not an error answer: other checks judge it
    }
    let cases: Vec<(&str, ErrorCase)> = classes
        .iter()
        .map(|c| (*c, error_style::case_for(&spec.covenant.errors, c).0))
        .collect();
    let Some((class, case)) = cases.iter().find(|(_, c)| c.status == a.status) else {
        return Some(fail(
            format!(
                "status {} ({})",
                cases
                    .iter()
                    .map(|(_, c)| c.status.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
                classes.join(" or ")
            ),
            format!("status {}", a.status),
            format!("{}: status {}", classes.join("|"), a.status),
        ));
    };
    let sig = |what: &str| format!("{class}: {what}");
    match &case.body {
        None => {
            if !a.body.is_empty() {
                return Some(fail(
                    format!("an empty body ({class} style)"),
                    format!("{} bytes", a.body.len()),
                    sig("non-empty body"),
                ));
            }
        }
        Some(template) => {
            if let Some(want) = &case.content_type {
                let got = a.header("content-type").map(essence);
                if got.as_deref() != Some(essence(want).as_str()) {
                    return Some(fail(
                        format!("Content-Type {want} ({class} style)"),
                        format!("Content-Type {}", got.as_deref().unwrap_or("(none)")),
                        sig("content type"),
                    ));
                }
            }
            let body = match json_body(a) {
                Ok(b) => b,
                Err(f) => {
                    return Some(Err(Finding {
                        signature: sig("not JSON"),
                        ..f
                    }));
                }
            };
            if let Some(problem) = shape_mismatch(template, &body, "") {
                return Some(fail(
                    format!("a body shaped like the {class} template"),
                    problem.clone(),
                    sig(&problem),
                ));
            }
        }
    }
    Some(Ok(()))
}

/// Where `body` departs from the template's shape: template keys missing, a
/// `'{x:int}'` slot not an integer, an `$each` not an array, a `$map` not an object.
pub fn shape_mismatch(template: &Value, body: &Value, at: &str) -> Option<String> {
    match template {
        Value::String(s) if s.starts_with('{') && s.ends_with(":int}") => (!body.is_i64()
            && !body.is_u64())
        .then(|| format!("{} is not an integer", show_ptr(at))),
        Value::String(_) => {
            (!body.is_string()).then(|| format!("{} is not a string", show_ptr(at)))
        }
        Value::Object(m) if m.contains_key("$each") => {
            let Value::Array(items) = body else {
                return Some(format!("{} is not an array", show_ptr(at)));
            };
            let item = m.get("item")?;
            items
                .iter()
                .enumerate()
                .find_map(|(i, b)| shape_mismatch(item, b, &format!("{at}/{i}")))
        }
        Value::Object(m) if m.contains_key("$map") => {
            (!body.is_object()).then(|| format!("{} is not an object", show_ptr(at)))
        }
        Value::Object(m) => {
            let Value::Object(b) = body else {
                return Some(format!("{} is not an object", show_ptr(at)));
            };
            for (k, t) in m {
                let here = covenant_spec::pointer::join(at, k);
                match b.get(k) {
                    None => return Some(format!("{here} is missing")),
                    Some(bv) => {
                        if let Some(p) = shape_mismatch(t, bv, &here) {
                            return Some(p);
                        }
                    }
                }
            }
            None
        }
        Value::Array(ts) => {
            let Value::Array(bs) = body else {
                return Some(format!("{} is not an array", show_ptr(at)));
            };
            ts.iter()
                .zip(bs)
                .enumerate()
                .find_map(|(i, (t, b))| shape_mismatch(t, b, &format!("{at}/{i}")))
        }
        Value::Number(_) => {
            (!body.is_number()).then(|| format!("{} is not a number", show_ptr(at)))
        }
        Value::Bool(_) => {
            (!body.is_boolean()).then(|| format!("{} is not a boolean", show_ptr(at)))
        }
        Value::Null => None,
    }
}

/// error_names_field: the validation error names `field` (a body pointer, or a
/// parameter name when `parameter`).
pub fn error_names_field(
    spec: &Spec,
    ex: &Exchange,
    field: &str,
    parameter: bool,
) -> Option<Outcome> {
    let a = ex.outcome.as_ref().ok()?;
    if !(400..500).contains(&a.status) || (field.is_empty() && !parameter) {
        return None;
    }
    let (case, _) = error_style::case_for(&spec.covenant.errors, "validation");
    if case.status != a.status {
        return None; // error_shape reports the wrong status
    }
    let template = case.body.as_ref()?;
    if !has_field_slots(&case) && !template.to_string().contains("{message}") {
        return None; // the style has nowhere to name a field
    }
    let body = a.json()?;
    let shown = if parameter {
        field.to_string()
    } else {
        case.field_notation.render(field)
    };
    Some(if names_field(&case, &body, field, parameter) {
        Ok(())
    } else {
        let got = error_style::extract(&case, &body);
        fail(
            format!("the error names `{shown}`"),
            if got.fields.is_empty() {
                format!("it names no field: {}", truncate(&body.to_string(), 300))
            } else {
                format!("it names {}", got.fields.join(", "))
            },
            format!("missing {shown}"),
        )
    })
}

fn truncate(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
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

/// idempotent_replay: two answers to one key are the same status and body.
pub fn idempotent_replay(first: &Exchange, second: &Exchange) -> Option<Outcome> {
    let (a, b) = (first.outcome.as_ref().ok()?, second.outcome.as_ref().ok()?);
    if a.status >= 500 || b.status >= 500 {
        return None;
    }
    if a.status != b.status {
        return Some(fail(
            format!(
                "the replay answers status {} like the first request",
                a.status
            ),
            format!("status {}", b.status),
            "status differs",
        ));
    }
    let same = match (a.json(), b.json()) {
        (Some(x), Some(y)) => x == y,
        _ => a.body == b.body,
    };
    Some(if same {
        Ok(())
    } else {
        let diff = match (a.json(), b.json()) {
            (Some(x), Some(y)) => first_difference(&x, &y, ""),
            _ => "bodies differ".into(),
        };
        fail(
            "the replay returns the first answer's body",
            diff,
            "body differs",
        )
    })
}

/// The first place two JSON values differ, as `pointer: a != b`.
pub fn first_difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, xv) in x {
                let here = covenant_spec::pointer::join(at, k);
                match y.get(k) {
                    None => return format!("{here} missing in the replay"),
                    Some(yv) if yv != xv => return first_difference(xv, yv, &here),
                    _ => {}
                }
            }
            for k in y.keys() {
                if !x.contains_key(k) {
                    return format!("{} only in the replay", covenant_spec::pointer::join(at, k));
                }
            }
            format!("{} differs", show_ptr(at))
        }
        _ => format!(
            "{}: {} != {}",
            show_ptr(at),
            truncate(&a.to_string(), 80),
            truncate(&b.to_string(), 80)
        ),
    }
}

/// create_then_read: every field both answers carry has the same value.
pub fn read_matches_create(created: &Value, read: &Value) -> Outcome {
    let (Some(c), Some(r)) = (created.as_object(), read.as_object()) else {
        return Ok(());
    };
    for (k, rv) in r {
        if let Some(cv) = c.get(k)
            && cv != rv
        {
            return fail(
                "the read returns what the create returned",
                first_difference(cv, rv, &covenant_spec::pointer::join("", k)),
                format!("/{k} differs"),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A response that breaks its schema in a personal field is reported without the
    /// value; other fields keep the message (it names what was wrong).
    #[test]
    fn schema_findings_withhold_personal_values() {
        let validator = covenant_spec::view::compile(&json!({
            "type": "object",
            "properties": {
                "partner_lastname": {"type": "string", "pattern": "^[A-Z]+$"},
                "status": {"enum": ["open", "closed"]}
            }
        }))
        .expect("compiles");
        let answer = Answer {
            status: 200,
            headers: Vec::new(),
            body: serde_json::to_vec(&json!({"partner_lastname": "Mustermann", "status": "gone"}))
                .expect("JSON"),
            body_error: None,
        };
        let finding = body_against(
            &answer,
            &validator,
            "application/json",
            &covenant_redact::Rules::default(),
        )
        .expect_err("two violations");
        assert!(!finding.actual.contains("Mustermann"), "{}", finding.actual);
        assert!(
            finding
                .actual
                .contains("/partner_lastname pattern: (message withheld"),
            "{}",
            finding.actual
        );
        assert!(
            finding.actual.contains(r#""gone" is not one of"#),
            "{}",
            finding.actual
        );
    }

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
        let finding = positive_accepted(&ex, None, &covenant_redact::Rules::default())
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
        let finding = positive_accepted(&text, None, &covenant_redact::Rules::default())
            .expect("judged")
            .expect_err("a 400 is a refusal");
        assert!(finding.actual.len() < 400, "{}", finding.actual.len());
    }

    #[test]
    fn shape_follows_the_template() {
        let t = json!({"status": "{status:int}", "invalidFields": {"$each": "violation", "item": {"field": "{field}"}}});
        assert_eq!(
            shape_mismatch(
                &t,
                &json!({"status": 422, "invalidFields": [{"field": "a"}]}),
                ""
            ),
            None
        );
        assert_eq!(
            shape_mismatch(&t, &json!({"status": "422", "invalidFields": []}), ""),
            Some("/status is not an integer".into())
        );
        assert_eq!(
            shape_mismatch(
                &t,
                &json!({"status": 422, "invalidFields": [{"name": "a"}]}),
                ""
            ),
            Some("/invalidFields/0/field is missing".into())
        );
    }

    #[test]
    fn read_comparison_names_the_field() {
        let e = read_matches_create(&json!({"id": "a", "x": 1}), &json!({"id": "a", "x": 2}))
            .unwrap_err();
        assert_eq!(e.signature, "/x differs");
        assert!(read_matches_create(&json!({"id": "a"}), &json!({"id": "a", "y": 1})).is_ok());
    }
}
