//! The checks every answer gets, whatever the case: server_error,
//! status_documented, content_type, response_headers, response_schema and
//! response_time.

use std::time::Duration;

use covenant_spec::ir::essence;

use crate::checks::Check;
use crate::client::{Answer, Exchange};
use crate::finding::{Outcome, fail, json_body};
use crate::plan::{OpPlan, coerce};

/// The generic checks every answer gets: server_error, status_documented,
/// content_type, response_headers, response_schema, response_time.
///
/// Every status must be listed by the operation (as a code, an `NXX` range or
/// `default`), whatever error class the case provokes and whatever
/// `x-covenant-errors` says; `error_shape` judges the style of a refusal.
/// Whether `op` documents any error response (a 4xx/5xx code or range, or `default`).
pub fn documents_errors(op: &covenant_spec::Operation) -> bool {
    op.responses.iter().any(|r| match r.status {
        covenant_spec::StatusCode::Code(c) => c >= 400,
        covenant_spec::StatusCode::Range(k) => k >= 4,
        covenant_spec::StatusCode::Default => true,
    })
}

/// The response `plan`'s operation documents for `status` and its index: the
/// exact code, else its `2XX`-style range, else `default`.
fn documented(plan: &OpPlan, status: u16) -> Option<(usize, &covenant_spec::Response)> {
    let find = |want: covenant_spec::StatusCode| {
        plan.op
            .responses
            .iter()
            .enumerate()
            .find(|(_, r)| r.status == want)
    };
    find(covenant_spec::StatusCode::Code(status))
        .or_else(|| find(covenant_spec::StatusCode::Range(status / 100)))
        .or_else(|| find(covenant_spec::StatusCode::Default))
}

/// The compiled validator of the body `plan`'s operation documents for answer
/// `a` (by its status, then its Content-Type), if any.
pub fn body_validator<'p>(plan: &'p OpPlan, a: &Answer) -> Option<&'p covenant_spec::book::Page> {
    let (ri, doc) = documented(plan, a.status)?;
    let ct = essence(a.header("content-type")?);
    let mi = doc
        .content
        .iter()
        .position(|m| media_matches(&m.essence(), &ct))?;
    plan.bodies.get(&(ri, mi))
}

pub fn response_checks(
    plan: &OpPlan,
    ex: &Exchange,
    max_time: Option<Duration>,
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
    let Some((ri, doc)) = documented(plan, a.status) else {
        // An operation that documents no error response at all is silent on how
        // it refuses: no refusal status can be judged against it (lint warns of
        // the gap, `no-error-response`). One that documents some is held to them.
        if a.status >= 400 && !documents_errors(&plan.op) {
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
    // A response documented without `content` says nothing about a body: OpenAPI
    // does not read it as "no body", and frameworks send one anyway. Where a
    // provider's errors really carry no body, `x-covenant-errors` says so and
    // error_shape holds the answer to it.
    let media = if doc.content.is_empty() {
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

fn body_against(
    a: &Answer,
    validator: &covenant_spec::book::Page,
    media: &str,
    redaction: &covenant_redact::Rules,
) -> Outcome {
    let body = json_body(a)?;
    let v = validator.violations(&body);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A response that breaks its schema in a personal field is reported without the
    /// value; other fields keep the message (it names what was wrong).
    #[test]
    fn schema_findings_withhold_personal_values() {
        let validator = covenant_spec::book::Page::single(
            covenant_spec::view::compile(&json!({
                "type": "object",
                "properties": {
                    "partner_lastname": {"type": "string", "pattern": "^[A-Z]+$"},
                    "status": {"enum": ["open", "closed"]}
                }
            }))
            .expect("compiles"),
        );
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
}
