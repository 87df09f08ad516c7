//! Runs cases against a provider: sends a case's request (or its sequence: a
//! replay, a create then a read of the id it returned) and hands what was sent to
//! [`crate::judge`], which reaches every verdict. [`with_id`] puts a created id
//! into a read request, here and in the snapshot recorder.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use covenant_spec::Spec;
use covenant_spec::ext::{LookupLocation, ResourceRole};

use crate::cases::{Case, CaseKind, WalkStep, get_part, set_part};
use crate::checks::Check;
use crate::client::{Client, Exchange};
use crate::finding::{Finding, Outcome};
use crate::judge::{self, Read, Sent, WalkSent};
use crate::plan::{OpPlan, Part};
use crate::request::Request;

/// Everything the cases of one provider share.
pub struct Ctx {
    pub spec: Arc<Spec>,
    pub plans: Vec<OpPlan>,
    pub client: Client,
    pub base_url: String,
    pub max_time: Option<Duration>,
}

/// The verdicts of one case run.
#[derive(Debug, Clone, Default)]
pub struct CaseRun {
    pub outcomes: Vec<(Check, Outcome)>,
    pub requests: usize,
    /// Transport failures (no answer at all), for the unreachable test.
    pub transport_failures: usize,
    /// The requests as actually sent, in order (a read carries the id the create
    /// returned): what a reproduction prints.
    pub sent: Vec<Request>,
    /// Every answer's status, with the operation it answered (coverage).
    pub statuses: Vec<(usize, u16)>,
    /// Walk steps not sent, and why (a link's value could not be had).
    pub skipped: Vec<(usize, String)>,
}

impl CaseRun {
    pub fn failure(&self, check: Check) -> Option<&Finding> {
        self.outcomes
            .iter()
            .find(|(c, o)| *c == check && o.is_err())
            .and_then(|(_, o)| o.as_ref().err())
    }
}

impl Ctx {
    async fn send(&self, plan: &OpPlan, req: &Request, run: &mut CaseRun) -> Exchange {
        let ex = self
            .client
            .send(&self.base_url, req, plan.auth.parts(req.auth))
            .await;
        run.requests += 1;
        run.sent.push(req.clone());
        if let Ok(a) = &ex.outcome {
            run.statuses.push((plan.index, a.status));
        }
        if ex.outcome.is_err() {
            run.transport_failures += 1;
        }
        ex
    }

    /// Sends a link walk's steps in order: each step's request takes the values its
    /// link binds from the exchange of the step it follows; a step whose values
    /// cannot be had (its source was skipped or refused, an expression finds
    /// nothing, a value does not fit) is skipped, saying why. Path parameters the
    /// first step shares with later ones (`/customers/{id}/...`) keep its values.
    pub async fn walk(&self, steps: &[WalkStep], run: &mut CaseRun) -> Vec<WalkSent> {
        let mut out: Vec<WalkSent> = Vec::with_capacity(steps.len());
        let mut sent: Vec<Option<Request>> = Vec::with_capacity(steps.len());
        for step in steps {
            let Some(plan) = self.plans.get(step.operation) else {
                break;
            };
            let request = match (step.source, sent.first().cloned().flatten()) {
                (None, _) => Ok(step.request.clone()),
                (Some(j), first) => {
                    let source = out.get(j).and_then(|s| s.exchange.as_ref().ok());
                    let source_req = sent.get(j).and_then(Option::as_ref);
                    match (source.map(|e| &e.outcome), source_req) {
                        (Some(Ok(a)), Some(r)) if (200..300).contains(&a.status) => {
                            let base = match first {
                                Some(f) => under(&f, step.request.clone()),
                                None => step.request.clone(),
                            };
                            crate::expr::bind(plan, &base, &step.bindings, (r, a))
                        }
                        _ => Err(format!(
                            "step {} gave no 2xx answer to take values from",
                            j + 1
                        )),
                    }
                }
            };
            match request {
                Ok(r) => {
                    let ex = self.send(plan, &r, run).await;
                    sent.push(Some(r));
                    out.push(WalkSent {
                        operation: step.operation,
                        exchange: Ok(ex),
                    });
                }
                Err(why) => {
                    sent.push(None);
                    out.push(WalkSent {
                        operation: step.operation,
                        exchange: Err(why),
                    });
                }
            }
        }
        out
    }

    /// Runs `case` (with `request` in place of its own, for shrinking).
    pub async fn run(&self, case: &Case, request: &Request) -> CaseRun {
        let mut run = CaseRun::default();
        let Some(plan) = self.plans.get(case.operation) else {
            return run;
        };
        let sent = match &case.kind {
            CaseKind::LinkWalk { steps } => {
                let sent = self.walk(steps, &mut run).await;
                run.skipped = sent
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| Some((i, s.exchange.as_ref().err()?.clone())))
                    .collect();
                Sent::Walk(sent)
            }
            CaseKind::IdempotentReplay => {
                let first = self.send(plan, request, &mut run).await;
                let second = self.send(plan, request, &mut run).await;
                Sent::Twice(first, second)
            }
            CaseKind::CreateThenRead {
                create,
                create_request,
            }
            | CaseKind::ForeignId {
                create,
                create_request,
            } => {
                let Some(cplan) = self.plans.get(*create) else {
                    return run;
                };
                let id_pointer = created_id_pointer(cplan);
                let created = self.send(cplan, create_request, &mut run).await;
                let read = match judge::sequence::created(&created, &id_pointer) {
                    None => None,
                    Some((body, id)) => {
                        let read = under(create_request, with_id(plan, request, id.clone()));
                        Some(Read {
                            created: body,
                            id,
                            exchange: self.send(plan, &read, &mut run).await,
                        })
                    }
                };
                Sent::CreateThenRead {
                    create_operation: cplan.op.id.clone(),
                    id_pointer,
                    created,
                    read,
                }
            }
            CaseKind::UpdateThenRead {
                create,
                create_request,
                read,
                read_request,
            }
            | CaseKind::DeleteThenRead {
                create,
                create_request,
                read,
                read_request,
            } => {
                let (Some(cplan), Some(rplan)) = (self.plans.get(*create), self.plans.get(*read))
                else {
                    return run;
                };
                let id_pointer = created_id_pointer(cplan);
                let created = self.send(cplan, create_request, &mut run).await;
                let then = match judge::sequence::created(&created, &id_pointer) {
                    None => None,
                    Some((body, id)) => {
                        let change = under(create_request, with_id(plan, request, id.clone()));
                        let changed = self.send(plan, &change, &mut run).await;
                        let again = under(create_request, with_id(rplan, read_request, id.clone()));
                        let read = self.send(rplan, &again, &mut run).await;
                        Some(judge::Changed {
                            created: body,
                            id,
                            change_body: change.body.clone(),
                            changed,
                            read,
                        })
                    }
                };
                Sent::ChangeThenRead {
                    create_operation: cplan.op.id.clone(),
                    id_pointer,
                    created,
                    then,
                }
            }
            CaseKind::Positive
            | CaseKind::Negative { .. }
            | CaseKind::AuthMissing
            | CaseKind::AuthWrong
            | CaseKind::UnknownId
            | CaseKind::BadBody { .. } => Sent::One(self.send(plan, request, &mut run).await),
        };
        run.outcomes = judge::judge(
            &self.spec,
            &self.plans,
            case.operation,
            self.max_time,
            &case.kind,
            &sent,
        );
        run
    }
}

pub use crate::expr::set_pointer;

/// Where a create operation's answer holds the new id (default `/id`).
pub fn created_id_pointer(create: &OpPlan) -> String {
    create
        .resource
        .as_ref()
        .filter(|r| r.role == ResourceRole::Create)
        .map_or(covenant_spec::ext::DEFAULT_ID_POINTER, |r| r.id_pointer())
        .to_owned()
}

/// The id a request carries where `plan`'s resource lookup says (the inverse of
/// [`with_id`]).
pub fn id_in(plan: &OpPlan, request: &Request) -> Option<Value> {
    let lookup = plan.resource.as_ref()?.lookup.as_ref()?;
    match lookup.location {
        LookupLocation::Body => request.body.as_ref()?.pointer(lookup.id_pointer()).cloned(),
        LookupLocation::Path => request.path_params.get(lookup.name.as_deref()?).cloned(),
        LookupLocation::Query => request.query.get(lookup.name.as_deref()?).cloned(),
    }
}

/// `request` under the same collection as `create`: path parameters both share
/// (`/customers/{customer_id}/...`) take the create's values.
fn under(create: &Request, mut request: Request) -> Request {
    for (k, v) in &create.path_params {
        if let Some(slot) = request.path_params.get_mut(k) {
            *slot = v.clone();
        }
    }
    request
}

/// The read request carrying `id` where the read operation's `x-covenant-resource`
/// lookup says (body pointer, path or query parameter). Shared by create-then-read
/// and by the snapshot recorder.
pub fn with_id(plan: &OpPlan, read: &Request, id: Value) -> Request {
    let mut read = read.clone();
    let Some(lookup) = plan.resource.as_ref().and_then(|r| r.lookup.clone()) else {
        return read;
    };
    match lookup.location {
        LookupLocation::Body => {
            let ptr = lookup.id_pointer().to_owned();
            let mut b = read
                .body
                .take()
                .unwrap_or(Value::Object(Default::default()));
            set_pointer(&mut b, &ptr, id);
            read.body = Some(b);
            if read.content_type.is_none() {
                read.content_type = plan.content_type.clone();
            }
        }
        LookupLocation::Path | LookupLocation::Query => {
            let part = if lookup.location == LookupLocation::Path {
                Part::Path
            } else {
                Part::Query
            };
            if let (Some(name), Some(Value::Object(mut m))) = (lookup.name, get_part(&read, part)) {
                m.insert(name, id);
                set_part(&mut read, part, Value::Object(m));
            }
        }
    }
    read
}
