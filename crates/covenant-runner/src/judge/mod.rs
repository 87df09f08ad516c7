//! Judging: every verdict the runner reaches is reached here. [`judge`] takes what
//! was sent for one case ([`Sent`], the exchanges `exec` collected) and applies
//! the checks that judge that kind of case, as [`crate::checks::TABLE`] lists
//! them. A check that has nothing to say about an exchange says nothing, so it can
//! be reported as skipped rather than passed.
//!
//! | module | checks |
//! |---|---|
//! | [`answer`] | those every answer gets: server_error, status_documented, content_type, response_headers, response_schema, response_time |
//! | [`status`] | positive_accepted, negative_rejected, auth_required |
//! | [`error_style`] | error_shape, error_names_field |
//! | [`sequence`] | idempotent_replay, create_then_read |

pub mod answer;
pub mod error_style;
pub mod sequence;
pub mod status;

use std::time::Duration;

use serde_json::Value;

use covenant_spec::Spec;

use crate::cases::CaseKind;
use crate::checks::Check;
use crate::client::Exchange;
use crate::finding::{Outcome, fail};
use crate::plan::{OpPlan, Part};
use crate::request::BodyFlaw;

/// The error classes a case is built to provoke, as `x-covenant-errors` names them.
const VALIDATION: &[&str] = &["validation"];
const AUTH: &[&str] = &["unauthorized", "forbidden"];
const NOT_FOUND: &[&str] = &["not-found"];

/// What was sent for one case, in the shape its kind calls for.
#[derive(Debug)]
pub enum Sent {
    /// One request: positive, negative, auth and unknown-id cases.
    One(Exchange),
    /// The same request twice, with one idempotency key.
    Twice(Exchange, Exchange),
    /// A create by `create_operation`, then, if it returned an id at `id_pointer`,
    /// the read of that id.
    CreateThenRead {
        create_operation: String,
        id_pointer: String,
        created: Exchange,
        read: Option<Read>,
    },
    /// A create, then (if it returned an id) the case's update or delete of it and a
    /// read of it.
    ChangeThenRead {
        create_operation: String,
        id_pointer: String,
        created: Exchange,
        then: Option<Changed>,
    },
    /// A link walk's steps, in order.
    Walk(Vec<WalkSent>),
}

/// One step of a link walk as sent: its exchange, or why it was skipped.
#[derive(Debug)]
pub struct WalkSent {
    pub operation: usize,
    pub exchange: Result<Exchange, String>,
}

/// link_walk: the first step whose answer fails a single-exchange check (every
/// check every answer gets, as [`answer::response_checks`] applies them), named
/// by its step and operation. `None` when no step after the first was sent:
/// the walk went nowhere, and the create's own cases judge it.
fn walk(plans: &[OpPlan], max_time: Option<Duration>, steps: &[WalkSent]) -> Option<Outcome> {
    if steps.iter().skip(1).all(|s| s.exchange.is_err()) {
        return None;
    }
    for (i, step) in steps.iter().enumerate() {
        let (Ok(ex), Some(plan)) = (&step.exchange, plans.get(step.operation)) else {
            continue;
        };
        let mut verdicts = Vec::new();
        answer::response_checks(plan, ex, max_time, &mut verdicts);
        if let Some((check, Err(f))) = verdicts.into_iter().find(|(_, o)| o.is_err()) {
            return Some(fail(
                format!("step {} ({}): {}", i + 1, plan.op.id, f.expected),
                format!("{} ({check})", f.actual),
                format!("{}: {check}: {}", plan.op.id, f.signature),
            ));
        }
    }
    Some(Ok(()))
}

/// What followed a create in an update- or delete-then-read case.
#[derive(Debug)]
pub struct Changed {
    pub created: Value,
    pub id: Value,
    /// The update's body (what the read must show), `None` for a delete.
    pub change_body: Option<Value>,
    pub changed: Exchange,
    pub read: Exchange,
}

/// The read of a create-then-read case.
#[derive(Debug)]
pub struct Read {
    /// The create's JSON body and the id read from it (see [`sequence::created`]).
    pub created: Value,
    pub id: Value,
    pub exchange: Exchange,
}

/// Whether the operation documents "no such resource" (404): then a made-up id in a
/// valid request (a path id, an RPC call's body id) may rightly be answered 404.
/// So may an operation on an existing resource (a read, update or delete, declared
/// or inferred): a random id names nothing, and its sequences test it on real ids.
fn documents_not_found(plan: &OpPlan) -> bool {
    plan.op
        .responses
        .iter()
        .any(|r| r.status == covenant_spec::StatusCode::Code(404))
        || plan.resource.as_ref().is_some_and(|r| {
            matches!(
                r.role,
                covenant_spec::ext::ResourceRole::Read
                    | covenant_spec::ext::ResourceRole::Update
                    | covenant_spec::ext::ResourceRole::Delete
            )
        })
}

/// The verdicts on one case of `kind` on operation `op` (`plans` are every
/// operation's: a walk's steps are judged by their own; `max_time` turns
/// response_time on), in the order the checks ran.
pub fn judge(
    spec: &Spec,
    plans: &[OpPlan],
    op: usize,
    max_time: Option<Duration>,
    kind: &CaseKind,
    sent: &Sent,
) -> Vec<(Check, Outcome)> {
    let mut out = Vec::new();
    let Some(plan) = plans.get(op) else {
        return out;
    };
    let answer = |ex: &Exchange, out: &mut Vec<(Check, Outcome)>| {
        answer::response_checks(plan, ex, max_time, out)
    };
    match (kind, sent) {
        (CaseKind::LinkWalk { .. }, Sent::Walk(steps)) => {
            push(&mut out, Check::LinkWalk, walk(plans, max_time, steps));
        }
        (CaseKind::Positive, Sent::One(ex)) => {
            answer(ex, &mut out);
            push(
                &mut out,
                Check::PositiveAccepted,
                status::positive_accepted_unknown_ids(
                    ex,
                    documents_not_found(plan),
                    &plan.redaction,
                ),
            );
        }
        (
            CaseKind::Negative {
                part,
                pointer,
                keyword,
                ..
            },
            Sent::One(ex),
        ) => {
            answer(ex, &mut out);
            push(
                &mut out,
                Check::NegativeRejected,
                status::negative_rejected(ex, pointer, keyword),
            );
            push(
                &mut out,
                Check::ErrorShape,
                error_style::error_shape(spec, plan, ex, VALIDATION),
            );
            // A body field is named by its pointer, a parameter by its name.
            let (field, parameter) = match part {
                Part::Body => (pointer.clone(), false),
                _ => (
                    covenant_spec::pointer::tokens(pointer)
                        .first()
                        .cloned()
                        .unwrap_or_default(),
                    true,
                ),
            };
            push(
                &mut out,
                Check::ErrorNamesField,
                error_style::error_names_field(spec, ex, &field, parameter),
            );
        }
        (CaseKind::AuthMissing | CaseKind::AuthWrong, Sent::One(ex)) => {
            let what = if matches!(kind, CaseKind::AuthMissing) {
                "missing"
            } else {
                "wrong"
            };
            answer(ex, &mut out);
            push(
                &mut out,
                Check::AuthRequired,
                status::auth_required(spec, ex, what),
            );
            push(
                &mut out,
                Check::ErrorShape,
                error_style::error_shape(spec, plan, ex, AUTH),
            );
        }
        (CaseKind::IdempotentReplay, Sent::Twice(first, second)) => {
            answer(first, &mut out);
            answer(second, &mut out);
            push(
                &mut out,
                Check::PositiveAccepted,
                status::positive_accepted(first, &plan.redaction),
            );
            push(
                &mut out,
                Check::IdempotentReplay,
                sequence::idempotent_replay(first, second),
            );
        }
        (CaseKind::BadBody { flaw }, Sent::One(ex)) => {
            // Outside the documented framing the contract says nothing of success:
            // only a malformed body must be refused. Every answer must still be
            // documented, and a refusal written in the provider's style.
            let classes: &[&str] = match flaw {
                BodyFlaw::Malformed | BodyFlaw::Missing => &["malformed", "validation"],
                _ => &["unsupported-media-type", "validation", "malformed"],
            };
            answer(ex, &mut out);
            match flaw {
                BodyFlaw::Malformed => push(
                    &mut out,
                    Check::NegativeRejected,
                    status::malformed_rejected(ex),
                ),
                BodyFlaw::Missing => push(
                    &mut out,
                    Check::NegativeRejected,
                    status::missing_body_rejected(ex),
                ),
                _ => {}
            }
            push(
                &mut out,
                Check::ErrorShape,
                error_style::error_shape(spec, plan, ex, classes),
            );
        }
        (CaseKind::UnknownId, Sent::One(ex)) => {
            answer(ex, &mut out);
            push(
                &mut out,
                Check::CreateThenRead,
                sequence::unknown_id(spec, &plan.op, ex),
            );
            push(
                &mut out,
                Check::ErrorShape,
                error_style::error_shape(spec, plan, ex, NOT_FOUND),
            );
        }
        (
            CaseKind::CreateThenRead { create_request, .. },
            Sent::CreateThenRead {
                create_operation,
                id_pointer,
                created,
                read,
            },
        ) => match read {
            None => out.push((
                Check::CreateThenRead,
                sequence::create_failed(create_operation, id_pointer, created),
            )),
            Some(read) => {
                answer(&read.exchange, &mut out);
                push(
                    &mut out,
                    Check::PositiveAccepted,
                    status::positive_accepted(&read.exchange, &plan.redaction),
                );
                push(
                    &mut out,
                    Check::CreateThenRead,
                    sequence::read_after_create(
                        &read.created,
                        &read.id,
                        &read.exchange,
                        // An inferred resource is held only to what the client sent:
                        // the plain document does not say the server keeps the rest.
                        plan.resource
                            .as_ref()
                            .filter(|r| r.inferred.is_some())
                            .map(|_| create_request.body.as_ref().unwrap_or(&Value::Null)),
                        &|doc| {
                            let validator = read
                                .exchange
                                .outcome
                                .as_ref()
                                .ok()
                                .and_then(|a| answer::body_validator(plan, a));
                            validator.is_none_or(|v| v.is_valid(doc))
                        },
                    ),
                );
            }
        },
        (
            CaseKind::ForeignId { .. },
            Sent::CreateThenRead {
                create_operation,
                read,
                ..
            },
        ) => {
            // The create is another resource's: when it fails there is nothing to
            // judge here (its own cases say why).
            if let Some(read) = read {
                answer(&read.exchange, &mut out);
                push(
                    &mut out,
                    Check::CreateThenRead,
                    sequence::foreign_id(create_operation, &read.id, &read.exchange),
                );
            }
        }
        (
            CaseKind::UpdateThenRead { .. } | CaseKind::DeleteThenRead { .. },
            Sent::ChangeThenRead {
                create_operation,
                id_pointer,
                created,
                then,
            },
        ) => {
            let check = if matches!(kind, CaseKind::UpdateThenRead { .. }) {
                Check::UpdateThenRead
            } else {
                Check::DeleteThenRead
            };
            match then {
                None => out.push((
                    check,
                    sequence::create_failed(create_operation, id_pointer, created),
                )),
                Some(c) => {
                    answer(&c.changed, &mut out);
                    push(
                        &mut out,
                        Check::PositiveAccepted,
                        status::positive_accepted(&c.changed, &plan.redaction),
                    );
                    // The read is another operation's answer: its own cases judge
                    // its contract; here it says whether the change took, and a 5xx
                    // the chain provoked (create, change, read) is a server error.
                    if let Ok(a) = &c.read.outcome
                        && a.status >= 500
                    {
                        out.push((
                            Check::ServerError,
                            fail(
                                "a status below 500 for the read after the change",
                                format!("status {}", a.status),
                                format!("read after {}: status {}", plan.op.id, a.status),
                            ),
                        ));
                    }
                    let verdict = if (200..300)
                        .contains(&c.changed.outcome.as_ref().map(|a| a.status).unwrap_or(0))
                    {
                        match check {
                            Check::UpdateThenRead => {
                                let reader = match kind {
                                    CaseKind::UpdateThenRead { read, .. } => plans.get(*read),
                                    _ => None,
                                };
                                let validator = reader
                                    .zip(c.read.outcome.as_ref().ok())
                                    .and_then(|(p, a)| answer::body_validator(p, a));
                                let fits = |doc: &Value| validator.is_none_or(|v| v.is_valid(doc));
                                let answered =
                                    c.changed.outcome.as_ref().ok().and_then(|a| a.json());
                                sequence::read_after_update(
                                    c.change_body.as_ref(),
                                    answered.as_ref(),
                                    &c.id,
                                    &c.read,
                                    &fits,
                                )
                            }
                            _ => sequence::read_after_delete(&c.id, &c.read),
                        }
                    } else {
                        None // the change was refused: positive_accepted says so
                    };
                    push(&mut out, check, verdict);
                }
            }
        }
        (kind, sent) => {
            debug_assert!(false, "a {} case sent as {sent:?}", kind.label());
        }
    }
    debug_assert!(
        out.iter().all(|(check, _)| check.judges(kind.kind())),
        "a check judged a {} case that checks::TABLE does not give it: {:?}",
        kind.label(),
        out.iter().map(|(c, _)| c.name()).collect::<Vec<_>>()
    );
    out
}

fn push(out: &mut Vec<(Check, Outcome)>, check: Check, o: Option<Outcome>) {
    if let Some(o) = o {
        out.push((check, o));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Kind;
    use crate::client::Answer;
    use serde_json::json;

    fn exchange(status: u16, body: Value) -> Exchange {
        Exchange {
            outcome: Ok(Answer {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: serde_json::to_vec(&body).expect("JSON"),
                body_error: None,
            }),
            elapsed: Duration::ZERO,
        }
    }

    /// The judge applies to each kind of case exactly the checks of its own that
    /// the table lists for that kind, and no check the table does not list.
    /// (rebilly: its validation errors have a field list, so error_names_field
    /// applies.)
    #[test]
    fn the_judge_applies_the_checks_the_table_lists() {
        let spec = Spec::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/rebilly.yaml"
        ))
        .expect("spec loads");
        let (plans, _) = crate::plan::build(&spec, &Default::default());
        let status_of = |class: &str| {
            covenant_spec::error_style::case_for(&spec.covenant.errors, class)
                .0
                .status
        };
        let body = json!({"id": "s1"});
        let request = crate::request::Request::new(covenant_spec::Method::Post, "/x");
        let changed = |read: u16| Sent::ChangeThenRead {
            create_operation: "create".into(),
            id_pointer: "/id".into(),
            created: exchange(201, body.clone()),
            then: Some(Changed {
                created: body.clone(),
                id: json!("s1"),
                change_body: Some(json!({})),
                changed: exchange(200, body.clone()),
                read: exchange(read, body.clone()),
            }),
        };
        let cases = vec![
            (CaseKind::Positive, Sent::One(exchange(200, body.clone()))),
            (
                CaseKind::ForeignId {
                    create: 0,
                    create_request: Box::new(request.clone()),
                },
                Sent::CreateThenRead {
                    create_operation: "create".into(),
                    id_pointer: "/id".into(),
                    created: exchange(201, body.clone()),
                    read: Some(Read {
                        created: body.clone(),
                        id: json!("s1"),
                        exchange: exchange(404, json!({})),
                    }),
                },
            ),
            (
                CaseKind::UpdateThenRead {
                    create: 0,
                    create_request: Box::new(request.clone()),
                    read: 0,
                    read_request: Box::new(request.clone()),
                },
                changed(200),
            ),
            (
                CaseKind::DeleteThenRead {
                    create: 0,
                    create_request: Box::new(request.clone()),
                    read: 0,
                    read_request: Box::new(request.clone()),
                },
                changed(404),
            ),
            (
                CaseKind::Negative {
                    part: Part::Body,
                    pointer: "/reason".into(),
                    keyword: "type".into(),
                    description: String::new(),
                },
                Sent::One(exchange(status_of("validation"), json!({}))),
            ),
            (
                CaseKind::AuthMissing,
                Sent::One(exchange(status_of("unauthorized"), json!({}))),
            ),
            (
                CaseKind::BadBody {
                    flaw: BodyFlaw::Malformed,
                },
                Sent::One(exchange(status_of("malformed"), json!({}))),
            ),
            (
                CaseKind::AuthWrong,
                Sent::One(exchange(status_of("unauthorized"), json!({}))),
            ),
            (
                CaseKind::IdempotentReplay,
                Sent::Twice(exchange(201, body.clone()), exchange(201, body.clone())),
            ),
            (
                CaseKind::UnknownId,
                Sent::One(exchange(status_of("not-found"), json!({}))),
            ),
            (
                CaseKind::CreateThenRead {
                    create: 0,
                    create_request: Box::new(request.clone()),
                },
                Sent::CreateThenRead {
                    create_operation: "create".into(),
                    id_pointer: "/id".into(),
                    created: exchange(201, body.clone()),
                    read: Some(Read {
                        created: body.clone(),
                        id: json!("s1"),
                        exchange: exchange(200, body.clone()),
                    }),
                },
            ),
        ];
        // A walk of two steps on operation 0: the second's 500 fails link_walk.
        let step = crate::cases::WalkStep {
            operation: 0,
            operation_id: plans[0].op.id.clone(),
            link: None,
            source: None,
            bindings: Vec::new(),
            request: request.clone(),
        };
        // (The first step is left unsent: its answer is the create's, judged by
        // its own cases.)
        let walked = |status: u16| {
            Sent::Walk(vec![
                WalkSent {
                    operation: 0,
                    exchange: Err("not under test".into()),
                },
                WalkSent {
                    operation: 0,
                    exchange: Ok(exchange(status, json!({}))),
                },
            ])
        };
        let walk_kind = CaseKind::LinkWalk {
            steps: vec![step.clone(), step],
        };
        let verdict = |sent: &Sent| {
            judge(&spec, &plans, 0, None, &walk_kind, sent)
                .into_iter()
                .map(|(c, o)| (c, o.map_err(|f| f.signature)))
                .collect::<Vec<_>>()
        };
        let failed = verdict(&walked(500));
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert_eq!(failed[0].0, Check::LinkWalk);
        assert!(
            failed[0].1.as_ref().unwrap_err().contains("server_error"),
            "{failed:?}"
        );
        // A walk whose later steps were all skipped says nothing.
        let skipped = Sent::Walk(vec![
            WalkSent {
                operation: 0,
                exchange: Ok(exchange(201, body.clone())),
            },
            WalkSent {
                operation: 0,
                exchange: Err("no value".into()),
            },
        ]);
        assert!(verdict(&skipped).is_empty());
        let mut cases = cases;
        cases.push((walk_kind.clone(), walked(500)));
        let kinds: Vec<Kind> = cases.iter().map(|(k, _)| k.kind()).collect();
        assert!(
            Kind::ALL.iter().all(|k| kinds.contains(k)),
            "a case of every kind"
        );
        for (kind, sent) in &cases {
            let judged: Vec<Check> =
                judge(&spec, &plans, 0, Some(Duration::from_secs(1)), kind, sent)
                    .into_iter()
                    .map(|(c, _)| c)
                    .collect();
            for c in &judged {
                assert!(c.judges(kind.kind()), "{}: {c} is not listed", kind.label());
            }
            for c in Check::ALL {
                let own = c.row().judges.len() < Kind::ALL.len();
                if own && c.judges(kind.kind()) {
                    assert!(
                        judged.contains(&c),
                        "{}: {c} listed, not applied",
                        kind.label()
                    );
                }
            }
        }
    }

    /// A refusal in a status the operation does not list is undocumented, even when
    /// it is the status covenant's own fallback gives the class the case provokes
    /// (rebilly documents 422 for bad input; a malformed body answered 400 is not
    /// documented, though 400 is the generic `malformed` status).
    #[test]
    fn refusals_in_undocumented_statuses_are_flagged() {
        let spec = Spec::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/rebilly.yaml"
        ))
        .expect("spec loads");
        let (plans, _) = crate::plan::build(&spec, &Default::default());
        let malformed = CaseKind::BadBody {
            flaw: BodyFlaw::Malformed,
        };
        let verdict = |status: u16| {
            judge(
                &spec,
                &plans,
                0,
                None,
                &malformed,
                &Sent::One(exchange(status, json!({}))),
            )
            .into_iter()
            .find(|(c, _)| *c == Check::StatusDocumented)
            .map(|(_, o)| o.is_ok())
        };
        assert_eq!(verdict(400), Some(false), "400 is not documented");
        assert_eq!(verdict(422), Some(true), "422 is");
    }
}
