//! The verdicts on one observed exchange, every one reached by the runner's own
//! judge functions (`covenant_runner::judge`); nothing here validates by itself.
//!
//! | what | checks | against |
//! |---|---|---|
//! | the request, by the mock's pipeline (`Provider::inspect`) | request_valid | the client |
//! | every answer of a routed request | server_error, status_documented, content_type, response_headers, response_schema | the provider |
//! | the answer to a request without any credentials the operation requires | auth_required | the provider |
//! | the answer to a request that broke the contract | negative_rejected, error_shape, error_names_field | the provider |
//! | replays and reads of created ids ([`crate::sequence`]) | idempotent_replay, create_then_read | the provider |
//!
//! A request refused by `--enforce` was answered by the proxy: only its
//! request_valid verdict counts.

use std::sync::Arc;

use covenant_runner::checks::Check;
use covenant_runner::finding::{Outcome, fail, show_ptr};
use covenant_runner::judge::{answer, error_style, status};
use covenant_runner::plan::OpPlan;
use covenant_runner::request::Request;
use covenant_spec::{ParameterLocation, SecurityScheme, Spec};

use crate::ProxyOptions;
use crate::exchange::{Observed, request_of};
use crate::sequence::{Memory, credentials_of, idempotency_key};

/// Who a finding is against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Against {
    Client,
    Provider,
}

#[derive(Debug)]
pub struct Verdict {
    pub check: Check,
    pub outcome: Outcome,
    pub against: Against,
}

/// The checks judged here, in table order (what the report lists per operation).
pub const CHECKS: &[Check] = &[
    Check::ServerError,
    Check::StatusDocumented,
    Check::ContentType,
    Check::ResponseHeaders,
    Check::ResponseSchema,
    Check::ResponseTime,
    Check::NegativeRejected,
    Check::ErrorShape,
    Check::ErrorNamesField,
    Check::AuthRequired,
    Check::IdempotentReplay,
    Check::CreateThenRead,
    Check::RequestValid,
];

pub struct Judge {
    pub spec: Arc<Spec>,
    /// One per operation of the spec, in its order.
    pub plans: Vec<OpPlan>,
    memory: Memory,
    max_time: Option<std::time::Duration>,
}

impl Judge {
    pub fn new(options: &ProxyOptions) -> Judge {
        let (plans, _) = covenant_runner::plan::build(&options.spec, &Default::default());
        Judge {
            spec: options.spec.clone(),
            plans,
            memory: Memory::default(),
            max_time: options.max_response_time,
        }
    }

    pub fn plan(&self, o: &Observed) -> Option<&OpPlan> {
        self.plans.get(o.inspection.operation?)
    }

    /// Every verdict on `o`, in the order the checks ran.
    pub fn judge(&mut self, o: &Observed) -> Vec<Verdict> {
        let mut out = Vec::new();
        let mut push = |check: Check, outcome: Option<Outcome>, against: Against| {
            if let Some(outcome) = outcome {
                out.push(Verdict {
                    check,
                    outcome,
                    against,
                });
            }
        };
        let refusal = o.inspection.refusal.as_ref();
        push(Check::RequestValid, Some(request_valid(o)), Against::Client);
        let Some(index) = o.inspection.operation else {
            return out;
        };
        if o.enforced {
            return out;
        }
        let Some(plan) = self.plans.get(index) else {
            return out;
        };
        let ex = o.exchange();
        let mut answers = Vec::new();
        answer::response_checks(plan, &ex, self.max_time, &mut answers);
        for (check, outcome) in answers {
            push(check, Some(outcome), Against::Provider);
        }
        if credentials_missing(&self.spec, plan, o) {
            // Auth comes first, as at any provider: the refusal says so, whatever
            // else is wrong with the request.
            push(
                Check::AuthRequired,
                status::auth_required(&self.spec, &ex, "missing"),
                Against::Provider,
            );
            return out;
        }
        match refusal {
            Some(r) => {
                let classes: &[&str] = match r.class {
                    "validation" => &["validation"],
                    "malformed" => &["malformed", "validation"],
                    _ => &["unsupported-media-type", "validation", "malformed"],
                };
                let rejected = match (r.class, r.violations.first()) {
                    ("validation", Some(v)) => {
                        status::negative_rejected(&ex, &v.pointer, &v.keyword)
                    }
                    ("malformed", _) => status::malformed_rejected(&ex),
                    _ => None,
                };
                push(Check::NegativeRejected, rejected, Against::Provider);
                push(
                    Check::ErrorShape,
                    error_style::error_shape(&self.spec, plan, &ex, classes),
                    Against::Provider,
                );
                if let Some(v) = r.violations.first() {
                    push(
                        Check::ErrorNamesField,
                        error_style::error_names_field(&self.spec, &ex, &v.pointer, v.parameter),
                        Against::Provider,
                    );
                }
            }
            None => {
                let key = idempotency_key(plan, &o.request.headers, &o.inspection.query);
                push(
                    Check::IdempotentReplay,
                    self.memory.replay(
                        plan,
                        key,
                        credentials_of(&self.spec, &o.request.headers, &o.inspection.query),
                        &o.request.body,
                        &ex,
                    ),
                    Against::Provider,
                );
                if plan.resource.is_some() {
                    let request = request_of(Some(plan), o);
                    push(
                        Check::CreateThenRead,
                        self.memory.create_then_read(plan, &request, &ex),
                        Against::Provider,
                    );
                }
            }
        }
        out
    }

    /// The runner's request for `o` (see [`request_of`]).
    pub fn request(&self, o: &Observed) -> Request {
        request_of(self.plan(o), o)
    }
}

/// Whether the operation requires credentials and the request carries none of
/// any scheme it names (header, query parameter, cookie or `Authorization`).
fn credentials_missing(spec: &Spec, plan: &OpPlan, o: &Observed) -> bool {
    let reqs = &plan.op.security;
    if reqs.is_empty() || reqs.iter().any(|r| r.schemes.is_empty()) {
        return false;
    }
    let headers = &o.request.headers;
    let carries = |scheme: &str| match spec.security_schemes.get(scheme) {
        Some(SecurityScheme::ApiKey { name, location, .. }) => match location {
            ParameterLocation::Query => o.inspection.query.iter().any(|(k, _)| k == name),
            ParameterLocation::Cookie => headers.get_all(http::header::COOKIE).iter().any(|c| {
                c.to_str().is_ok_and(|c| {
                    c.split(';')
                        .any(|p| p.trim().starts_with(&format!("{name}=")))
                })
            }),
            _ => headers.contains_key(name.as_str()),
        },
        Some(_) => headers.contains_key(http::header::AUTHORIZATION),
        None => false,
    };
    !reqs
        .iter()
        .flat_map(|r| r.schemes.iter())
        .any(|(name, _)| carries(name))
}

/// request_valid: the request follows its operation's parameters and body. One
/// finding names every broken field (the first in the signature).
fn request_valid(o: &Observed) -> Outcome {
    let Some(r) = &o.inspection.refusal else {
        return Ok(());
    };
    let expected = match r.class {
        "not-found" => "a method and path that an operation of the spec serves".to_string(),
        "validation" => "a request that follows the operation's parameters and body".into(),
        "malformed" => "a body that parses as the documented media type".into(),
        _ => "a body in a media type the operation documents".into(),
    };
    if r.violations.is_empty() {
        let message = r.message.clone().unwrap_or_default();
        return fail(expected, message, format!("request {}", r.class));
    }
    let named: Vec<String> = r
        .violations
        .iter()
        .map(|v| {
            let place = if v.parameter {
                format!("parameter {}", v.pointer)
            } else {
                format!("body {}", show_ptr(&v.pointer))
            };
            format!("{place} breaks `{}`: {}", v.keyword, v.message)
        })
        .collect();
    let first = &r.violations[0];
    let place = if first.parameter {
        format!("parameter {}", first.pointer)
    } else {
        format!("body {}", show_ptr(&first.pointer))
    };
    fail(
        expected,
        named.join("; "),
        format!("{place} breaks `{}`", first.keyword),
    )
}
