//! Runs cases against a provider: one request (or a sequence, for replays and
//! create-then-read), then the checks. Also the shrinker, which re-runs a failing
//! case with smaller requests while the same check still fails.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use covenant_spec::Spec;
use covenant_spec::ext::{LookupLocation, ResourceRole};

use crate::cases::{Case, CaseKind, get_part, round_trip, set_part};
use crate::checks::Check;
use crate::client::{Client, Exchange};
use crate::evaluate::{self, Finding, Outcome};
use crate::plan::{OpPlan, Part};
use crate::request::{AuthMode, Request};

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
        if ex.outcome.is_err() {
            run.transport_failures += 1;
        }
        ex
    }

    fn not_found_status(&self) -> u16 {
        covenant_spec::error_style::case_for(&self.spec.covenant.errors, "not-found")
            .0
            .status
    }

    /// Runs `case` (with `request` in place of its own, for shrinking).
    pub async fn run(&self, case: &Case, request: &Request) -> CaseRun {
        let mut run = CaseRun::default();
        let Some(plan) = self.plans.get(case.operation) else {
            return run;
        };
        let out = &mut Vec::new();
        match &case.kind {
            CaseKind::Positive => {
                let ex = self.send(plan, request, &mut run).await;
                evaluate::response_checks(&self.spec, plan, &ex, self.max_time, &[], out);
                push(
                    out,
                    Check::PositiveAccepted,
                    evaluate::positive_accepted(&ex, None, &plan.redaction),
                );
            }
            CaseKind::Negative {
                part,
                pointer,
                keyword,
                ..
            } => {
                let ex = self.send(plan, request, &mut run).await;
                evaluate::response_checks(
                    &self.spec,
                    plan,
                    &ex,
                    self.max_time,
                    &["validation"],
                    out,
                );
                push(
                    out,
                    Check::NegativeRejected,
                    evaluate::negative_rejected(&ex, pointer, keyword),
                );
                push(
                    out,
                    Check::ErrorShape,
                    evaluate::error_shape(&self.spec, &ex, &["validation"]),
                );
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
                    out,
                    Check::ErrorNamesField,
                    evaluate::error_names_field(&self.spec, &ex, &field, parameter),
                );
            }
            CaseKind::AuthMissing | CaseKind::AuthWrong => {
                let what = if request.auth == AuthMode::Missing {
                    "missing"
                } else {
                    "wrong"
                };
                let ex = self.send(plan, request, &mut run).await;
                evaluate::response_checks(
                    &self.spec,
                    plan,
                    &ex,
                    self.max_time,
                    &["unauthorized", "forbidden"],
                    out,
                );
                push(
                    out,
                    Check::AuthRequired,
                    evaluate::auth_required(&self.spec, &ex, what),
                );
                push(
                    out,
                    Check::ErrorShape,
                    evaluate::error_shape(&self.spec, &ex, &["unauthorized", "forbidden"]),
                );
            }
            CaseKind::IdempotentReplay => {
                let first = self.send(plan, request, &mut run).await;
                let second = self.send(plan, request, &mut run).await;
                evaluate::response_checks(&self.spec, plan, &first, self.max_time, &[], out);
                evaluate::response_checks(&self.spec, plan, &second, self.max_time, &[], out);
                push(
                    out,
                    Check::PositiveAccepted,
                    evaluate::positive_accepted(&first, None, &plan.redaction),
                );
                push(
                    out,
                    Check::IdempotentReplay,
                    evaluate::idempotent_replay(&first, &second),
                );
            }
            CaseKind::UnknownId => {
                let ex = self.send(plan, request, &mut run).await;
                evaluate::response_checks(
                    &self.spec,
                    plan,
                    &ex,
                    self.max_time,
                    &["not-found"],
                    out,
                );
                let nf = self.not_found_status();
                if let Ok(a) = &ex.outcome
                    && a.status < 500
                {
                    out.push((
                        Check::CreateThenRead,
                        if a.status == nf {
                            Ok(())
                        } else {
                            Err(Finding {
                                expected: format!(
                                    "status {nf} (not-found) for an id nobody created"
                                ),
                                actual: format!("status {}", a.status),
                                signature: format!("unknown id: status {}", a.status),
                            })
                        },
                    ));
                    push(
                        out,
                        Check::ErrorShape,
                        evaluate::error_shape(&self.spec, &ex, &["not-found"]),
                    );
                }
            }
            CaseKind::CreateThenRead {
                create,
                create_request,
            } => {
                self.create_then_read(plan, *create, create_request, request, &mut run, out)
                    .await
            }
        }
        run.outcomes = std::mem::take(out);
        run
    }

    async fn create_then_read(
        &self,
        plan: &OpPlan,
        create: usize,
        create_request: &Request,
        read_request: &Request,
        run: &mut CaseRun,
        out: &mut Vec<(Check, Outcome)>,
    ) {
        let Some(cplan) = self.plans.get(create) else {
            return;
        };
        let created = self.send(cplan, create_request, run).await;
        let created_body = match &created.outcome {
            Ok(a) if (200..300).contains(&a.status) => a.json(),
            _ => None,
        };
        let id_ptr = cplan
            .resource
            .as_ref()
            .filter(|r| r.role == ResourceRole::Create)
            .map_or(covenant_spec::ext::DEFAULT_ID_POINTER, |r| r.id_pointer())
            .to_owned();
        let Some((body, id)) = created_body.and_then(|b| {
            let id = b.pointer(&id_ptr).cloned()?;
            Some((b, id))
        }) else {
            out.push((
                Check::CreateThenRead,
                Err(Finding {
                    expected: format!("a 2xx create by {} with an id at {id_ptr}", cplan.op.id),
                    actual: match &created.outcome {
                        Ok(a) => format!("status {}", a.status),
                        Err(e) => e.clone(),
                    },
                    signature: "create failed".into(),
                }),
            ));
            return;
        };
        let read = with_id(plan, read_request, id.clone());
        let ex = self.send(plan, &read, run).await;
        evaluate::response_checks(&self.spec, plan, &ex, self.max_time, &[], out);
        push(
            out,
            Check::PositiveAccepted,
            evaluate::positive_accepted(&ex, None, &plan.redaction),
        );
        if let Ok(a) = &ex.outcome {
            if (200..300).contains(&a.status) {
                if let Some(rb) = a.json() {
                    out.push((
                        Check::CreateThenRead,
                        evaluate::read_matches_create(&body, &rb),
                    ));
                }
            } else if a.status < 500 {
                out.push((
                    Check::CreateThenRead,
                    Err(Finding {
                        expected: format!("a 2xx read of the id {} just created", id),
                        actual: format!("status {}", a.status),
                        signature: format!("read after create: status {}", a.status),
                    }),
                ));
            }
        }
    }
}

fn push(out: &mut Vec<(Check, Outcome)>, check: Check, o: Option<Outcome>) {
    if let Some(o) = o {
        out.push((check, o));
    }
}

/// Sets `ptr` in `v`, creating objects on the way.
pub fn set_pointer(v: &mut Value, ptr: &str, new: Value) {
    let tokens = covenant_spec::pointer::tokens(ptr);
    let mut cur = v;
    for (i, t) in tokens.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Default::default());
        }
        let Value::Object(m) = cur else { return };
        if i + 1 == tokens.len() {
            m.insert(t.clone(), new);
            return;
        }
        cur = m
            .entry(t.clone())
            .or_insert(Value::Object(Default::default()));
    }
}

/// Whether `request` is still a case of the same kind: valid for positive-like
/// kinds, exactly the one declared violation for a negative.
fn same_kind(plan: &OpPlan, case: &Case, request: &Request) -> bool {
    for (part, pp) in &plan.parts {
        let Some(v) = get_part(request, *part) else {
            return false;
        };
        let v = if *part == Part::Body {
            v
        } else {
            round_trip(plan, *part, &v)
        };
        match &case.kind {
            CaseKind::Negative {
                part: np,
                pointer,
                keyword,
                ..
            } if np == part => {
                let vs = covenant_spec::view::violations(&pp.validator, &v);
                if !(vs.len() == 1 && &vs[0].pointer == pointer && &vs[0].keyword == keyword) {
                    return false;
                }
            }
            _ => {
                if !pp.validator.is_valid(&v) {
                    return false;
                }
            }
        }
    }
    true
}

/// Smaller variants of a JSON value: each drops one property or item, or shortens one string.
fn candidates(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for k in m.keys() {
                let mut c = m.clone();
                c.remove(k);
                out.push(Value::Object(c));
            }
            for (k, child) in m {
                for sub in candidates(child) {
                    let mut c = m.clone();
                    c.insert(k.clone(), sub);
                    out.push(Value::Object(c));
                }
            }
        }
        Value::Array(a) => {
            for i in 0..a.len() {
                let mut c = a.clone();
                c.remove(i);
                out.push(Value::Array(c));
            }
            for (i, child) in a.iter().enumerate() {
                for sub in candidates(child) {
                    let mut c = a.clone();
                    c[i] = sub;
                    out.push(Value::Array(c));
                }
            }
        }
        Value::String(s) if !s.is_empty() => {
            let chars: Vec<char> = s.chars().collect();
            out.push(Value::String(String::new()));
            if chars.len() > 1 {
                out.push(Value::String(chars[..chars.len() / 2].iter().collect()));
                out.push(Value::String(chars[..chars.len() - 1].iter().collect()));
            }
        }
        Value::Number(n) if n.as_f64() != Some(0.0) => {
            out.push(Value::from(0));
            out.push(Value::from(1));
        }
        _ => {}
    }
    out
}

/// Greedy reduction: tries smaller variants of each part (body, then parameters) and
/// keeps one whenever the case is still of its kind and `check` still fails. At most
/// `max_runs` re-runs. Returns the smallest failing request and its finding.
pub async fn shrink(
    ctx: &Ctx,
    case: &Case,
    check: Check,
    finding: Finding,
    max_runs: usize,
) -> (Request, Finding) {
    let Some(plan) = ctx.plans.get(case.operation) else {
        return (case.request.clone(), finding);
    };
    let mut best = case.request.clone();
    let mut best_finding = finding;
    let mut runs = 0;
    'outer: loop {
        for part in [Part::Body, Part::Query, Part::Header, Part::Path] {
            let Some(v) = get_part(&best, part) else {
                continue;
            };
            for cand in candidates(&v) {
                let mut r = best.clone();
                set_part(&mut r, part, cand);
                if r.size() >= best.size()
                    || !crate::cases::sendable(part, &get_part(&r, part).unwrap_or_default())
                    || !same_kind(plan, case, &r)
                {
                    continue;
                }
                if runs >= max_runs {
                    break 'outer;
                }
                runs += 1;
                let run = ctx.run(case, &r).await;
                // The same check must still fail the same way (a 404 from an emptied
                // path segment is not the 400 being shrunk).
                if let Some(f) = run
                    .failure(check)
                    .filter(|f| f.signature == best_finding.signature)
                {
                    best_finding = f.clone();
                    best = r;
                    continue 'outer;
                }
            }
        }
        break;
    }
    (best, best_finding)
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
