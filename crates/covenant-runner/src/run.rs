//! A run against one provider: the cases (a pure function of spec, credentials'
//! presence, seed and budget, optionally one partition of them), sent with bounded
//! concurrency, judged, grouped into the provider's part of the report, each
//! distinct failure shrunk to a minimal reproduction.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use covenant_spec::Spec;

use crate::cases::{self, Case, CaseKind};
use crate::checks::Check;
use crate::client::{self, ClientOptions};
use crate::config::Credentials;
use crate::coverage::{Collector, MinCoverage};
use crate::error::RunnerError;
use crate::exec::{CaseRun, Ctx};
use crate::finding::Finding;
use crate::report::{
    self, CheckResult, Coverage, OperationReport, ProviderReport, Report, ReproRequest, Status,
    Timing, Violation,
};
use crate::request::AuthMode;
use crate::{curl, exec, plan, shrink, walk};

/// How a run is shaped.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub seed: u64,
    /// Valid cases per operation (also the cap on negative cases per operation).
    pub cases: usize,
    /// The checks that count; every case is still sent.
    pub checks: Vec<Check>,
    pub client: ClientOptions,
    /// `(K, N)`: run only the cases whose id hashes to slice K of N (1-based).
    pub partition: Option<(u64, u64)>,
    pub max_response_time: Option<Duration>,
    /// Re-runs allowed per distinct failure while shrinking (0 disables shrinking).
    pub shrink_runs: usize,
    /// Operations left out (`operationId` or `METHOD /path`): not run, reported
    /// as excluded.
    pub exclude: Vec<String>,
    /// Violations that do not reproduce alone fail the run too (`--flaky fail`).
    pub flaky_fails: bool,
    /// `--min-coverage`: coverage each provider must reach.
    pub min_coverage: Vec<MinCoverage>,
    /// Operations to infer no resource for (`--no-infer`), as [`selects`] reads them.
    pub no_infer: Vec<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: 0,
            cases: 50,
            checks: Check::ALL.to_vec(),
            client: ClientOptions::default(),
            partition: None,
            max_response_time: None,
            shrink_runs: 200,
            exclude: Vec::new(),
            flaky_fails: false,
            min_coverage: Vec::new(),
            no_infer: Vec::new(),
        }
    }
}

/// Parses `K/N` (1 <= K <= N).
pub fn parse_partition(s: &str) -> Result<(u64, u64), RunnerError> {
    let bad = || {
        RunnerError::Options(format!(
            "--partition must be K/N with 1 <= K <= N, got `{s}`"
        ))
    };
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// One provider to run against.
pub struct Target {
    pub provider: String,
    pub spec: Arc<Spec>,
    pub base_url: String,
    /// The base URL reproductions print (a variable reference for ephemeral mocks).
    pub shown_base_url: String,
    pub credentials: Credentials,
    /// Per security scheme, the variable(s) a user sets to give its credentials
    /// (named in the error when one is missing).
    pub credential_vars: BTreeMap<String, String>,
    /// Operations left out, as [`selects`] reads them.
    pub exclude: Vec<String>,
}

/// Whether `pattern` names `op`: its `operationId`, or `METHOD /path` as written in
/// the spec (method in any case).
pub fn selects(pattern: &str, op: &covenant_spec::Operation) -> bool {
    let pattern = pattern.trim();
    pattern == op.id
        || pattern
            .split_once(' ')
            .is_some_and(|(m, p)| m.eq_ignore_ascii_case(op.method.as_str()) && p.trim() == op.path)
}

impl Target {
    pub fn new(
        provider: &str,
        spec: Arc<Spec>,
        base_url: &str,
        credentials: Credentials,
    ) -> Target {
        Target {
            provider: provider.to_string(),
            spec,
            base_url: base_url.to_string(),
            shown_base_url: base_url.to_string(),
            credentials,
            credential_vars: BTreeMap::new(),
            exclude: Vec::new(),
        }
    }
}

/// Progress: (provider, cases done, cases total).
pub type Progress = Arc<dyn Fn(&str, usize, usize) + Send + Sync>;

/// The cases a run would send (after partitioning): a pure function of the spec,
/// credentials' presence, seed and budget.
pub fn case_list(spec: &Spec, credentials: &Credentials, opts: &RunOptions) -> Vec<Case> {
    let (plans, gens) = plan::build(spec, credentials);
    let mut all = cases::generate(&plans, &gens, budget(opts));
    all.extend(walk::generate(spec, &plans, &gens, budget(opts), &|_| {
        false
    }));
    partitioned(all, opts.partition)
}

fn budget(opts: &RunOptions) -> cases::Budget {
    cases::Budget {
        seed: opts.seed,
        cases: opts.cases,
    }
}

fn partitioned(cases: Vec<Case>, partition: Option<(u64, u64)>) -> Vec<Case> {
    match partition {
        None => cases,
        Some((k, n)) => cases
            .into_iter()
            .filter(|c| cases::fnv1a(c.id.as_bytes()) % n == k - 1)
            .collect(),
    }
}

/// Runs every case against `target` and builds its part of the report. Never
/// panics on what the provider sends; a provider that cannot be run gets `error`.
pub async fn run_target(
    target: &Target,
    opts: &RunOptions,
    progress: Option<Progress>,
) -> ProviderReport {
    let mut report = ProviderReport {
        name: target.provider.clone(),
        spec: target.spec.path().display().to_string(),
        base_url: target.shown_base_url.clone(),
        error: None,
        cases: 0,
        requests: 0,
        operations: Vec::new(),
        violations: Vec::new(),
        coverage_totals: Default::default(),
        coverage_gate: Vec::new(),
    };
    let (plans, gens) = plan::build(&target.spec, &target.credentials);
    let excluded: BTreeSet<usize> = plans
        .iter()
        .filter(|p| target.exclude.iter().any(|x| selects(x, &p.op)))
        .map(|p| p.index)
        .collect();
    let missing: BTreeSet<&String> = plans
        .iter()
        .filter(|p| !excluded.contains(&p.index))
        .flat_map(|p| &p.auth.unsatisfied)
        .collect();
    if !missing.is_empty() {
        let schemes = missing
            .iter()
            .map(|s| {
                let vars = target.credential_vars.get(*s).cloned().unwrap_or_else(|| {
                    format!("${}", crate::config::implied_env(&target.provider, s))
                });
                format!("`{s}` (set {vars})")
            })
            .collect::<Vec<_>>()
            .join(", ");
        report.error = Some(
            RunnerError::MissingCredentials {
                provider: target.provider.clone(),
                schemes,
            }
            .to_string(),
        );
        return report;
    }
    let client = match client::Client::new(&opts.client) {
        Ok(c) => c,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    let mut generated = vec![0usize; plans.len()];
    let mut all = cases::generate(&plans, &gens, budget(opts));
    all.extend(walk::generate(
        &target.spec,
        &plans,
        &gens,
        budget(opts),
        &|i| excluded.contains(&i),
    ));
    all.retain(|c| !excluded.contains(&c.operation));
    for c in &all {
        if let Some(n) = generated.get_mut(c.operation) {
            *n += 1;
        }
    }
    let all = partitioned(all, opts.partition);
    drop(gens);
    let ctx = Arc::new(Ctx {
        spec: target.spec.clone(),
        plans,
        client,
        base_url: target.base_url.clone(),
        max_time: opts.max_response_time,
    });
    let cases = Arc::new(all);
    let total = cases.len();
    // Two phases: a single request that changes an item named by a generated id
    // (a DELETE of `/notes/{id}` with id 3) could hit a resource another case's
    // chain just created, where a provider's ids are guessable (1, 2, 3, ...),
    // and make a correct provider look wrong. Those run once every chain is done.
    let (first, later): (Vec<usize>, Vec<usize>) =
        (0..total).partition(|&i| !changes_named_items(&cases[i], &ctx.plans));
    // Spawn in windows so a huge budget does not hold every future at once; the
    // client's semaphore bounds the requests actually in flight.
    let window = opts.client.concurrency.max(1) * 4;
    let mut runs: Vec<Option<CaseRun>> = vec![None; total];
    let mut done = 0;
    for phase in [first, later] {
        let mut set = tokio::task::JoinSet::new();
        let mut pending = phase.into_iter();
        let mut next = pending.next();
        while next.is_some() || !set.is_empty() {
            while let Some(i) = next.filter(|_| set.len() < window) {
                let (ctx, cases) = (ctx.clone(), cases.clone());
                set.spawn(async move {
                    let case = &cases[i];
                    (i, ctx.run(case, &case.request).await)
                });
                next = pending.next();
            }
            match set.join_next().await {
                Some(Ok((i, run))) => {
                    runs[i] = Some(run);
                    done += 1;
                    if let Some(p) = &progress {
                        p(&target.provider, done, total);
                    }
                }
                Some(Err(e)) => {
                    report.error = Some(format!("internal error running a case: {e}"));
                    return report;
                }
                None => break,
            }
        }
    }
    let runs: Vec<CaseRun> = runs.into_iter().map(Option::unwrap_or_default).collect();
    report.cases = total;
    report.requests = runs.iter().map(|r| r.requests).sum();
    let transport: usize = runs.iter().map(|r| r.transport_failures).sum();
    if report.requests > 0 && transport == report.requests {
        let msg = runs
            .iter()
            .flat_map(|r| r.outcomes.iter())
            .find_map(|(_, o)| o.as_ref().err().map(|f| f.actual.clone()))
            .unwrap_or_default();
        report.error = Some(
            RunnerError::Unreachable {
                provider: target.provider.clone(),
                base_url: target.shown_base_url.clone(),
                message: msg,
            }
            .to_string(),
        );
        return report;
    }
    let selection = Selection {
        excluded: &excluded,
        generated: &generated,
    };
    aggregate(&ctx, target, opts, &cases, &runs, &selection, &mut report).await;
    report
}

/// Whether `case` is a single request (not a chain) that may change an item
/// its path names by a generated id: an unsafe method with a path parameter.
fn changes_named_items(case: &Case, plans: &[plan::OpPlan]) -> bool {
    use covenant_spec::{Method, ParameterLocation};
    let single = !matches!(
        case.kind,
        CaseKind::CreateThenRead { .. }
            | CaseKind::ForeignId { .. }
            | CaseKind::UpdateThenRead { .. }
            | CaseKind::DeleteThenRead { .. }
            | CaseKind::LinkWalk { .. }
    );
    single
        && plans.get(case.operation).is_some_and(|p| {
            !matches!(
                p.op.method,
                Method::Get | Method::Head | Method::Options | Method::Trace
            ) && p.op.parameters_in(ParameterLocation::Path).next().is_some()
        })
}

/// Which operations the run left out, and how many cases each had before
/// partitioning: what [`coverage`] needs beside the cases themselves.
struct Selection<'a> {
    excluded: &'a BTreeSet<usize>,
    generated: &'a [usize],
}

/// Why `check` judged nothing on an operation whose cases were of `kinds`.
fn skip_reason(
    spec: &Spec,
    check: Check,
    kinds: &BTreeSet<&'static str>,
    opts: &RunOptions,
) -> String {
    let judged_kinds: Vec<&str> = check.row().judges.iter().map(|k| k.label()).collect();
    if !judged_kinds.iter().any(|k| kinds.contains(k)) {
        return match check {
            Check::ResponseTime if opts.max_response_time.is_none() => {
                "off: --max-response-time is not set".into()
            }
            Check::IdempotentReplay => {
                "the spec declares no idempotency key for it (x-covenant-idempotency)".into()
            }
            Check::CreateThenRead => {
                "no resource it creates or reads is declared (x-covenant-resource) or inferred (OpenAPI links, a Location header, REST paths, RPC pairs)".into()
            }
            Check::UpdateThenRead | Check::DeleteThenRead => {
                "it is not the update/delete of a resource that another operation creates and another reads".into()
            }
            Check::LinkWalk => {
                "walks start at creates with OpenAPI links or an inferred resource; it is not one".into()
            }
            _ => format!("no {} case for it", judged_kinds.join("/")),
        };
    }
    match check {
        Check::ErrorNamesField if spec.covenant.errors.case("validation").is_none() => {
            "its refusals named the broken field in no notation covenant reads (pointer, dotted path, name, location array); x-covenant-errors can declare the style".into()
        }
        Check::ErrorNamesField => "the declared error style has no place for a field".into(),
        Check::PositiveAccepted => {
            "every valid request named a made-up id and was answered with the documented 404".into()
        }
        Check::RequestValid => {
            "it judges the requests of a client, seen by covenant proxy; the runner's own requests are built to the contract".into()
        }
        Check::LinkWalk => "no walk got past its first step (see the skipped steps)".into(),
        _ => "no answer it applies to (refusals, 5xx and transport failures are judged by other checks)".into(),
    }
}

/// How far operation `index` was tested, and why not further.
fn coverage(
    plan: &plan::OpPlan,
    selection: &Selection<'_>,
    cases: usize,
    checks: &[CheckResult],
) -> (Coverage, Option<String>) {
    let problems = || plan.problems.join("; ");
    if selection.excluded.contains(&plan.index) {
        return (
            Coverage::Excluded,
            Some("excluded (--exclude-operation or exclude-operations)".into()),
        );
    }
    if selection.generated.get(plan.index).copied().unwrap_or(0) == 0 {
        let reason = if plan.problems.is_empty() {
            "no case could be generated for it".to_string()
        } else {
            problems()
        };
        return (Coverage::NotTested, Some(reason));
    }
    if cases == 0 {
        return (
            Coverage::Excluded,
            Some("its cases fall in other partitions".into()),
        );
    }
    if checks.iter().all(|c| c.judged == 0) {
        return (
            Coverage::NotTested,
            Some("no answer was judged by the selected checks".into()),
        );
    }
    if !plan.problems.is_empty() {
        return (Coverage::PartlyTested, Some(problems()));
    }
    (Coverage::Tested, None)
}

async fn aggregate(
    ctx: &Ctx,
    target: &Target,
    opts: &RunOptions,
    cases: &[Case],
    runs: &[CaseRun],
    selection: &Selection<'_>,
    report: &mut ProviderReport,
) {
    // (op, check) -> (judged, failed, signature -> (first case, finding, occurrences))
    type Groups = BTreeMap<String, (usize, Finding, usize)>;
    let mut table: BTreeMap<(usize, Check), (usize, usize, Groups)> = BTreeMap::new();
    for (i, (case, run)) in cases.iter().zip(runs).enumerate() {
        let mut seen = std::collections::BTreeSet::new();
        for (check, outcome) in &run.outcomes {
            if !opts.checks.contains(check) {
                continue;
            }
            let entry = table.entry((case.operation, *check)).or_default();
            // A case judged twice by one check (a replay's two answers) counts once.
            if seen.insert((*check, outcome.is_ok())) {
                entry.0 += 1;
            }
            if let Err(f) = outcome {
                entry.1 += 1;
                entry
                    .2
                    .entry(f.signature.clone())
                    .and_modify(|g| g.2 += 1)
                    .or_insert((i, f.clone(), 1));
            }
        }
    }
    let collector = collect(&ctx.plans, cases, runs);
    for plan in &ctx.plans {
        let kinds: BTreeSet<&'static str> = cases
            .iter()
            .filter(|c| c.operation == plan.index)
            .map(|c| c.kind.label())
            .collect();
        let mut checks = Vec::new();
        for check in &opts.checks {
            let (judged, failed) = table
                .get(&(plan.index, *check))
                .map(|e| (e.0, e.1))
                .unwrap_or((0, 0));
            let skipped = failed == 0 && judged == 0;
            checks.push(CheckResult {
                check: check.name().into(),
                status: Status::from_counts(judged, failed),
                judged,
                failed,
                reason: skipped.then(|| {
                    // A walk that went nowhere says why (the first step it skipped).
                    let why = (*check == Check::LinkWalk)
                        .then(|| {
                            cases.iter().zip(runs).find_map(|(c, r)| {
                                let (i, why) = r.skipped.first()?;
                                (c.operation == plan.index)
                                    .then(|| format!("{} step {}: {why}", c.id, i + 1))
                            })
                        })
                        .flatten();
                    why.unwrap_or_else(|| skip_reason(&ctx.spec, *check, &kinds, opts))
                }),
            });
        }
        let n = cases.iter().filter(|c| c.operation == plan.index).count();
        let (coverage, reason) = coverage(plan, selection, n, &checks);
        let resource = plan.resource.as_ref().map(|r| {
            let role = match r.role {
                covenant_spec::ext::ResourceRole::Create => "create",
                covenant_spec::ext::ResourceRole::Read => "read",
                covenant_spec::ext::ResourceRole::Update => "update",
                covenant_spec::ext::ResourceRole::Delete => "delete",
            };
            match &r.inferred {
                Some(from) => format!("{role} of {} (inferred from {from})", r.name),
                None => format!("{role} of {} (x-covenant-resource)", r.name),
            }
        });
        report.operations.push(OperationReport {
            exercised: collector.exercised(plan, false),
            resource,
            id: plan.op.id.clone(),
            method: plan.op.method.as_str().into(),
            path: plan.op.path.clone(),
            cases: n,
            problems: plan.problems.clone(),
            checks,
            coverage,
            reason,
        });
    }
    for ((op, check), (_, _, groups)) in table {
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort_by_key(|(_, g)| g.0);
        for (signature, (first, finding, occurrences)) in groups {
            let case = &cases[first];
            let plan = &ctx.plans[op];
            let original = case.request.size();
            let original_sent = runs[first].sent.clone();
            let walked = matches!(case.kind, CaseKind::LinkWalk { .. });
            let (case, request, finding, sent) = if opts.shrink_runs > 0 && walked {
                let (c, f, sent) =
                    walk::shrink(ctx, case, finding, original_sent, opts.shrink_runs).await;
                let r = c.request.clone();
                (c, r, f, sent)
            } else if opts.shrink_runs > 0 {
                let (r, f, sent) =
                    shrink::shrink(ctx, case, check, finding, original_sent, opts.shrink_runs)
                        .await;
                (case.clone(), r, f, sent)
            } else {
                (case.clone(), case.request.clone(), finding, original_sent)
            };
            let case = &case;
            // Confirmed before it is reported: the minimal case replayed alone, with
            // no concurrent traffic. One that passes then is reported flaky.
            let confirm = ctx.run(case, &request).await;
            let flaky = confirm.failure(check).is_none();
            // The reproduction prints what was sent: a read carries the id its
            // create returned, not the template's placeholder.
            let last = sent.last().cloned().unwrap_or_else(|| request.clone());
            let auth = plan.auth.parts(last.auth);
            let mut curl = curl::command(&target.shown_base_url, &last, auth);
            // A sequence prints as a script: the create keeps the id it returns in
            // $ID, and the later steps use it, so it reproduces as printed.
            let steps: Option<(usize, Vec<usize>)> = match &case.kind {
                CaseKind::CreateThenRead { create, .. } | CaseKind::ForeignId { create, .. } => {
                    Some((*create, vec![plan.index]))
                }
                CaseKind::UpdateThenRead { create, read, .. }
                | CaseKind::DeleteThenRead { create, read, .. } => {
                    Some((*create, vec![plan.index, *read]))
                }
                _ => None,
            };
            if let Some((create, later)) = steps
                && let (Some(cplan), Some(create_request)) = (ctx.plans.get(create), sent.first())
                && sent.len() > later.len()
            {
                let id_pointer = exec::created_id_pointer(cplan);
                let mut script = vec![format!(
                    "# create, keep the id it returns in $ID, then {}:",
                    later
                        .iter()
                        .filter_map(|i| ctx.plans.get(*i).map(|p| p.op.id.as_str()))
                        .collect::<Vec<_>>()
                        .join(" then ")
                )];
                script.push(curl::capture(
                    "ID",
                    &curl::command(
                        &target.shown_base_url,
                        create_request,
                        cplan.auth.parts(create_request.auth),
                    ),
                    &id_pointer,
                ));
                for (op, req) in later.iter().zip(&sent[1..]) {
                    let Some(p) = ctx.plans.get(*op) else {
                        continue;
                    };
                    let numeric = exec::id_in(p, req).is_some_and(|v| v.is_number());
                    let templated = exec::with_id(p, req, serde_json::json!(curl::ID_SENTINEL));
                    script.push(curl::with_variable(
                        &curl::command(&target.shown_base_url, &templated, p.auth.parts(req.auth)),
                        "ID",
                        numeric,
                    ));
                }
                curl = script.join("\n");
            }
            if let CaseKind::IdempotentReplay = &case.kind {
                curl = format!("# send twice:\n{curl}");
            }
            if let CaseKind::LinkWalk { steps } = &case.kind {
                // The confirming run sent the walk alone: print what it sent.
                let (sent, skipped) = if flaky {
                    (&sent, &Vec::new())
                } else {
                    (&confirm.sent, &confirm.skipped)
                };
                curl = walk::script(ctx, &target.shown_base_url, steps, sent, skipped);
            }
            let request = last;
            report.violations.push(Violation {
                id: format!(
                    "{}/{}/{}/{}",
                    target.provider,
                    plan.op.id,
                    check.name(),
                    signature
                ),
                provider: target.provider.clone(),
                operation: plan.op.id.clone(),
                check: check.name().into(),
                expected: finding.expected,
                actual: finding.actual,
                case: case.id.clone(),
                seed: opts.seed,
                occurrences,
                original_size: original,
                size: request.size(),
                request: ReproRequest {
                    method: request.method.as_str().into(),
                    path: request.path_and_query(),
                    headers: request.header_pairs(),
                    body: request.body.clone(),
                    auth: match request.auth {
                        AuthMode::Valid => "valid",
                        AuthMode::Missing => "missing",
                        AuthMode::Wrong => "wrong",
                    }
                    .into(),
                },
                curl,
                new: true,
                flaky,
            });
        }
    }
}

/// What the run exercised: every request sent (a sequence's steps under their own
/// operations), every answer's status, every negative's broken constraint.
fn collect(plans: &[plan::OpPlan], cases: &[Case], runs: &[CaseRun]) -> Collector {
    let mut c = Collector::new();
    let by_route: std::collections::HashMap<(&str, &str), &plan::OpPlan> = plans
        .iter()
        .map(|p| ((p.op.method.as_str(), p.op.path.as_str()), p))
        .collect();
    for (case, run) in cases.iter().zip(runs) {
        c.op(case.operation).kinds.insert(case.kind.label());
        if let CaseKind::Negative {
            part,
            pointer,
            keyword,
            ..
        } = &case.kind
        {
            c.negative(case.operation, *part, pointer, keyword);
        }
        for r in &run.sent {
            if let Some(p) = by_route.get(&(r.method.as_str(), r.path.as_str())) {
                c.request(p, r);
            }
        }
        for (op, status) in &run.statuses {
            c.op(*op).statuses.insert(*status);
        }
    }
    c
}

/// Assembles the report of a run over `providers`.
pub fn new_report(opts: &RunOptions, providers: Vec<ProviderReport>, timing: Timing) -> Report {
    let mut r = Report {
        schema_version: report::SCHEMA_VERSION,
        tool: format!("covenant {}", env!("CARGO_PKG_VERSION")),
        seed: opts.seed,
        cases_per_operation: opts.cases,
        partitions: opts
            .partition
            .map(|(k, n)| vec![format!("{k}/{n}")])
            .unwrap_or_default(),
        checks: opts.checks.iter().map(|c| c.name().to_string()).collect(),
        timing,
        providers,
        summary: Default::default(),
        flaky_fails: opts.flaky_fails,
        min_coverage: opts.min_coverage.clone(),
    };
    r.summarize();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The zoo's notes: integer ids a provider hands out in order. Single
    /// requests that may change a named item wait for the second phase; chains
    /// (and the reads, creates and every request of a chain) run first.
    #[test]
    fn single_changes_of_named_items_run_after_the_chains() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/zoo/notes.yaml");
        let spec = Spec::load(&path).expect("loads");
        let (plans, gens) = plan::build(&spec, &Credentials::new());
        let all = cases::generate(&plans, &gens, cases::Budget { seed: 3, cases: 5 });
        let later: BTreeSet<(String, &str)> = all
            .iter()
            .filter(|c| changes_named_items(c, &plans))
            .map(|c| (c.operation_id.clone(), c.kind.label()))
            .collect();
        let first: BTreeSet<(String, &str)> = all
            .iter()
            .filter(|c| !changes_named_items(c, &plans))
            .map(|c| (c.operation_id.clone(), c.kind.label()))
            .collect();
        for (op, kind) in &later {
            assert!(
                ["deleteNote", "editNote"].contains(&op.as_str()),
                "{op} {kind}"
            );
            assert!(
                [
                    "positive",
                    "negative",
                    "bad_body",
                    "auth_missing",
                    "auth_wrong"
                ]
                .contains(kind),
                "{op} {kind}"
            );
        }
        assert!(
            later.contains(&("deleteNote".into(), "positive")),
            "{later:?}"
        );
        assert!(
            later.contains(&("editNote".into(), "negative")),
            "{later:?}"
        );
        for chain in ["create_then_read", "update_then_read", "delete_then_read"] {
            assert!(
                first.iter().any(|(_, k)| *k == chain),
                "no {chain} in {first:?}"
            );
            assert!(!later.iter().any(|(_, k)| *k == chain));
        }
        assert!(
            later.contains(&("editNote".into(), "bad_body")),
            "{later:?}"
        );
        // Reads and creates of the notes run with the chains.
        for (op, kind) in [
            ("getNote", "negative"),
            ("getNote", "unknown_id"),
            ("createNote", "bad_body"),
        ] {
            assert!(first.contains(&(op.into(), kind)), "{op} {kind}: {first:?}");
        }
        assert!(
            first.contains(&("createNote".into(), "positive")),
            "{first:?}"
        );
    }

    #[test]
    fn partitions_parse() {
        assert_eq!(parse_partition("2/3").unwrap(), (2, 3));
        assert!(parse_partition("0/3").is_err());
        assert!(parse_partition("4/3").is_err());
        assert!(parse_partition("x").is_err());
    }
}
