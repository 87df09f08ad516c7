//! Seeded random walks over the link graph ([`covenant_spec::links::edges`]):
//! from each create that has somewhere to go, a bounded number of walks of at
//! most [`MAX_STEPS`] steps, each step following an edge out of an operation an
//! earlier step called (the values its link binds come from that step's
//! exchange), ending after a delete. Deterministic for a seed. A failing walk is
//! shrunk by dropping the steps it does not need ([`shrink`]), and prints as a
//! bash script that keeps each answer and takes the linked values from it
//! ([`script`]).

use std::collections::BTreeMap;

use serde_json::Value;

use covenant_spec::Spec;
use covenant_spec::ext::ResourceRole;
use covenant_spec::links::{Edge, Slot};

use crate::cases::{self, Budget, Case, CaseKind, WalkStep, get_part, set_part};
use crate::checks::Check;
use crate::curl;
use crate::exec::{Ctx, set_pointer};
use crate::finding::Finding;
use crate::plan::{Generators, OpPlan, Part};
use crate::request::Request;

/// The most steps a walk takes (the create included).
pub const MAX_STEPS: usize = 6;

/// The most walks from one create.
pub const WALKS: usize = 8;

/// The walks of `spec`: up to `budget.cases` (at most [`WALKS`]) per create with an edge
/// out of it, skipping operations `excluded` names.
pub fn generate(
    spec: &Spec,
    plans: &[OpPlan],
    gens: &[Generators],
    budget: Budget,
    excluded: &dyn Fn(usize) -> bool,
) -> Vec<Case> {
    let edges = covenant_spec::links::edges(spec);
    let mut positives: BTreeMap<usize, Vec<Request>> = BTreeMap::new();
    let mut pos = |i: usize| -> Vec<Request> {
        positives
            .entry(i)
            .or_insert_with(|| match (plans.get(i), gens.get(i)) {
                (Some(p), Some(g)) if p.problems.is_empty() => cases::positives(p, g, budget),
                _ => Vec::new(),
            })
            .clone()
    };
    let mut out = Vec::new();
    for plan in plans {
        let is_create = plan
            .resource
            .as_ref()
            .is_some_and(|r| r.role == ResourceRole::Create);
        if !is_create || excluded(plan.index) || !edges.iter().any(|e| e.from == plan.index) {
            continue;
        }
        let starts = pos(plan.index);
        if starts.is_empty() {
            continue;
        }
        for n in 0..budget.cases.clamp(1, WALKS) {
            let mut rng = Rng(budget.seed
                ^ cases::fnv1a(plan.op.id.as_bytes()).rotate_left(23)
                ^ (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut steps = vec![WalkStep {
                operation: plan.index,
                operation_id: plan.op.id.clone(),
                link: None,
                source: None,
                bindings: Vec::new(),
                request: starts[rng.below(starts.len())].clone(),
            }];
            while steps.len() < MAX_STEPS {
                // Edges out of any operation called so far, from its latest step.
                let choices: Vec<(usize, &Edge)> = edges
                    .iter()
                    .filter(|e| !excluded(e.to))
                    .filter_map(|e| {
                        let k = steps.iter().rposition(|s| s.operation == e.from)?;
                        Some((k, e))
                    })
                    .filter(|(_, e)| !pos(e.to).is_empty())
                    .collect();
                if choices.is_empty() {
                    break;
                }
                let (source, edge) = choices[rng.below(choices.len())];
                let reqs = pos(edge.to);
                let Some(target) = plans.get(edge.to) else {
                    break;
                };
                steps.push(WalkStep {
                    operation: edge.to,
                    operation_id: target.op.id.clone(),
                    link: Some(edge.name.clone()),
                    source: Some(source),
                    bindings: edge.bindings.clone(),
                    request: reqs[rng.below(reqs.len())].clone(),
                });
                let deletes = target
                    .resource
                    .as_ref()
                    .is_some_and(|r| r.role == ResourceRole::Delete);
                if deletes {
                    break;
                }
            }
            if steps.len() < 2 {
                continue;
            }
            out.push(Case {
                id: format!("{}/link_walk/{n}", plan.op.id),
                operation: plan.index,
                operation_id: plan.op.id.clone(),
                request: steps[0].request.clone(),
                kind: CaseKind::LinkWalk { steps },
            });
        }
    }
    out
}

/// SplitMix64: small, seeded, stable across platforms.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// `steps` without step `i` (never the first): later steps' sources renumbered;
/// `None` when a later step takes its values from step `i`.
fn without(steps: &[WalkStep], i: usize) -> Option<Vec<WalkStep>> {
    let mut out = Vec::with_capacity(steps.len() - 1);
    for (k, s) in steps.iter().enumerate() {
        if k == i {
            continue;
        }
        let mut s = s.clone();
        match s.source {
            Some(j) if j == i => return None,
            Some(j) if j > i => s.source = Some(j - 1),
            _ => {}
        }
        out.push(s);
    }
    Some(out)
}

/// The fewest steps that still fail the same way: drops steps one at a time
/// (from the end, so steps after the failing one go first), keeping a drop when
/// link_walk still fails with the same signature. The create stays. At most
/// `max_runs` re-runs. Returns the shrunk case, its finding and the requests
/// its run sent.
pub async fn shrink(
    ctx: &Ctx,
    case: &Case,
    finding: Finding,
    sent: Vec<Request>,
    max_runs: usize,
) -> (Case, Finding, Vec<Request>) {
    let CaseKind::LinkWalk { steps } = &case.kind else {
        return (case.clone(), finding, sent);
    };
    let (mut best, mut best_finding, mut best_sent) = (steps.clone(), finding, sent);
    let mut runs = 0;
    let mut i = best.len();
    while i > 1 && runs < max_runs {
        i -= 1;
        let Some(candidate) = without(&best, i) else {
            continue;
        };
        runs += 1;
        let trial = Case {
            kind: CaseKind::LinkWalk {
                steps: candidate.clone(),
            },
            ..case.clone()
        };
        let run = ctx.run(&trial, &trial.request).await;
        if let Some(f) = run
            .failure(Check::LinkWalk)
            .filter(|f| f.signature == best_finding.signature)
        {
            best_finding = f.clone();
            best = candidate;
            best_sent = run.sent;
            i = i.min(best.len());
        }
    }
    let shrunk = Case {
        kind: CaseKind::LinkWalk { steps: best },
        ..case.clone()
    };
    (shrunk, best_finding, best_sent)
}

/// The shell function a walk script reads linked values with: the answer's text
/// as curl -i printed it, a runtime expression, and 1 to keep only the last path
/// segment.
const TAKE: &str = r##"take() { python3 -c 'import json,sys
t,e,seg=sys.argv[1],sys.argv[2],sys.argv[3]=="1"
h,_,b=t.replace("\r\n","\n").partition("\n\n")
if e.startswith("$response.header."):
  n=e.split(".",2)[2].lower()
  v=[l.split(":",1)[1].strip() for l in h.split("\n")[1:] if l.split(":",1)[0].strip().lower()==n][0]
else:
  v=json.loads(b)
  for k in e.split("#",1)[1].split("/")[1:]:
    k=k.replace("~1","/").replace("~0","~"); v=v[int(k)] if isinstance(v,list) else v[k]
if seg: v=v.split("?")[0].split("#")[0].rstrip("/").rsplit("/",1)[-1]
print(v if isinstance(v,str) else json.dumps(v))' "$@"; }"##;

/// A walk as a bash script runnable as printed: each step's answer is kept in
/// `$A<n>` and printed; a value a link takes from an answer is read into
/// `$V<n>_<k>` by `take` and sent where the link puts it. `sent` are the
/// requests the run sent (skipped steps print as comments, `skipped` saying why).
pub fn script(
    ctx: &Ctx,
    shown_base_url: &str,
    steps: &[WalkStep],
    sent: &[Request],
    skipped: &[(usize, String)],
) -> String {
    let names: Vec<&str> = steps.iter().map(|s| s.operation_id.as_str()).collect();
    let mut lines = vec![
        format!(
            "# link walk: {}; each answer is kept in $A<step>, linked values are read from it",
            names.join(" then ")
        ),
        TAKE.to_string(),
    ];
    // Per step, the variable each bound parameter was sent from.
    let mut vars: Vec<BTreeMap<String, String>> = Vec::new();
    let mut next = sent.iter();
    for (i, step) in steps.iter().enumerate() {
        vars.push(BTreeMap::new());
        if let Some((_, why)) = skipped.iter().find(|(k, _)| *k == i) {
            lines.push(format!(
                "# step {} ({}) skipped: {why}",
                i + 1,
                step.operation_id
            ));
            continue;
        }
        let (Some(req), Some(plan)) = (next.next(), ctx.plans.get(step.operation)) else {
            break;
        };
        let mut templated = req.clone();
        let mut subs = Vec::new();
        for (k, b) in step.bindings.iter().enumerate() {
            let Some(j) = step.source else { break };
            let sentinel = format!("COVENANTVALUE{i}X{k}X");
            let var = format!("V{}_{k}", i + 1);
            let (part, at) = match &b.slot {
                Slot::Param(loc, name) => (part_of(*loc), covenant_spec::pointer::join("", name)),
                Slot::Body(p) => (Part::Body, p.clone()),
            };
            let numeric = get_part(req, part)
                .and_then(|v| {
                    if at.is_empty() {
                        Some(v)
                    } else {
                        v.pointer(&at).cloned()
                    }
                })
                .is_some_and(|v| v.is_number());
            let line = if let Some(name) = b.expression.strip_prefix("$request.path.") {
                match vars.get(j).and_then(|m| m.get(name)) {
                    Some(v) => format!("{var}=\"${v}\""),
                    None => continue,
                }
            } else if b.expression.starts_with("$response.") {
                format!(
                    "{var}=$(take \"$A{}\" {} {})",
                    j + 1,
                    curl::single_quote(&b.expression),
                    u8::from(b.last_segment)
                )
            } else {
                continue; // constants and templates print as sent
            };
            lines.push(line);
            if let Slot::Param(_, name) = &b.slot {
                vars[i].insert(name.clone(), var.clone());
            }
            let mut whole = get_part(&templated, part).unwrap_or(Value::Object(Default::default()));
            if at.is_empty() {
                whole = Value::String(sentinel.clone());
            } else {
                set_pointer(&mut whole, &at, Value::String(sentinel.clone()));
            }
            set_part(&mut templated, part, whole);
            subs.push((sentinel, var, numeric));
        }
        let mut command = curl::command(shown_base_url, &templated, plan.auth.parts(req.auth));
        for (sentinel, var, numeric) in &subs {
            command = curl::with_sentinel(&command, sentinel, var, *numeric);
        }
        lines.push(format!("A{}=$({command})", i + 1));
        lines.push(format!("printf '%s\\n\\n' \"$A{}\"", i + 1));
    }
    lines.join("\n")
}

fn part_of(loc: covenant_spec::ParameterLocation) -> Part {
    match loc {
        covenant_spec::ParameterLocation::Path => Part::Path,
        covenant_spec::ParameterLocation::Query => Part::Query,
        _ => Part::Header,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(operation: usize, source: Option<usize>) -> WalkStep {
        WalkStep {
            operation,
            operation_id: format!("op{operation}"),
            link: None,
            source,
            bindings: Vec::new(),
            request: Request::new(covenant_spec::Method::Get, "/x"),
        }
    }

    /// A step can be dropped only when no later step takes values from it; later
    /// sources are renumbered.
    #[test]
    fn dropping_a_step_keeps_the_links_of_the_rest() {
        let steps = vec![
            step(0, None),
            step(1, Some(0)),
            step(2, Some(1)),
            step(3, Some(0)),
        ];
        assert!(without(&steps, 1).is_none(), "step 3 needs step 2");
        let dropped = without(&steps, 2).expect("nothing needs step 3");
        let sources: Vec<Option<usize>> = dropped.iter().map(|s| s.source).collect();
        assert_eq!(sources, vec![None, Some(0), Some(0)]);
        let last = without(&steps, 3).expect("the last step");
        assert_eq!(last.len(), 3);
    }

    #[test]
    fn the_seeded_choice_is_stable_and_in_range() {
        let picks = |seed| {
            let mut r = Rng(seed);
            (0..8).map(|_| r.below(5)).collect::<Vec<_>>()
        };
        assert_eq!(picks(7), picks(7));
        assert_ne!(picks(7), picks(8));
        assert!(picks(7).iter().all(|p| *p < 5));
    }
}
