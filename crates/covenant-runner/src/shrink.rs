//! The shrinker: re-runs a failing case with smaller requests while the same
//! check still fails the same way, and keeps the smallest.

use serde_json::Value;

use crate::cases::{Case, CaseKind, get_part, round_trip, sendable, set_part};
use crate::checks::Check;
use crate::exec::Ctx;
use crate::finding::Finding;
use crate::plan::{OpPlan, Part};
use crate::request::Request;

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
/// `max_runs` re-runs. Returns the smallest failing request, its finding, and the
/// requests its run actually sent (`sent`: those of the original run).
pub async fn shrink(
    ctx: &Ctx,
    case: &Case,
    check: Check,
    finding: Finding,
    sent: Vec<Request>,
    max_runs: usize,
) -> (Request, Finding, Vec<Request>) {
    let Some(plan) = ctx.plans.get(case.operation) else {
        return (case.request.clone(), finding, sent);
    };
    let mut best = case.request.clone();
    let mut best_finding = finding;
    let mut best_sent = sent;
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
                    || !sendable(part, &get_part(&r, part).unwrap_or_default())
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
                    best_sent = run.sent;
                    continue 'outer;
                }
            }
        }
        break;
    }
    (best, best_finding, best_sent)
}
