//! Coverage in the run's report: every documented status is listed as provoked or
//! not (with the reason), what the cases sent is what the report calls covered
//! (checked against the case list, computed independently here), partition
//! reports merge to the whole run's coverage, and `--min-coverage` gates.

mod common;

use std::collections::BTreeSet;

use common::{configured_providers, mock, opts, provider};
use covenant_runner::cases::CaseKind;
use covenant_runner::coverage::{Category, MinCoverage};
use covenant_runner::plan::Part;
use covenant_runner::report::{ProviderReport, Report, Timing, Verdict, merge};
use covenant_runner::{RunOptions, Target};

async fn run(name: &str, o: &RunOptions) -> ProviderReport {
    let (spec, creds) = provider(name, &|_| None);
    let server = mock(&spec, &creds).await;
    let target = Target::new(name, spec, &server.url(), creds);
    let p = covenant_runner::run_target(&target, o, None).await;
    server.shutdown().await;
    p
}

fn covered(p: &ProviderReport, op: &str, c: Category) -> BTreeSet<String> {
    p.operations
        .iter()
        .find(|o| o.id == op)
        .unwrap()
        .exercised
        .items(c)
        .iter()
        .filter(|i| i.covered)
        .map(|i| i.name.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_status_is_listed_and_what_was_sent_is_covered() {
    let o = opts(4);
    for name in configured_providers() {
        let (spec, creds) = provider(&name, &|_| None);
        let p = run(&name, &o).await;
        assert!(p.error.is_none(), "{name}: {:?}", p.error);
        let cases = covenant_runner::case_list(&spec, &creds, &o);
        for (op, report) in spec.operations.iter().zip(&p.operations) {
            // Every documented response, in the document's order; the ones not
            // provoked say why.
            let listed: Vec<&str> = report
                .exercised
                .statuses
                .iter()
                .map(|i| i.name.as_str())
                .collect();
            let documented: Vec<String> =
                op.responses.iter().map(|r| r.status.to_string()).collect();
            assert_eq!(listed, documented, "{name} {}", op.id);
            for i in report.exercised.statuses.iter().filter(|i| !i.covered) {
                assert!(
                    i.reason.as_deref().is_some_and(|r| r.len() > 10),
                    "{name} {}: {} has no reason",
                    op.id,
                    i.name
                );
            }
            // A positive case's first answer is a documented success: some 2xx
            // (or its range, or default) is provoked.
            assert!(
                report.exercised.statuses.iter().any(|i| i.covered),
                "{name} {}: nothing provoked",
                op.id
            );

            // Top-level body members the cases sent are covered, and a declared
            // one no case sent is not.
            let sent: BTreeSet<String> = cases
                .iter()
                .filter(|c| c.operation_id == op.id)
                .filter_map(|c| c.request.body.as_ref()?.as_object().cloned())
                .flat_map(|m| m.keys().map(|k| format!("/{k}")).collect::<Vec<_>>())
                .collect();
            let members = covered(&p, &op.id, Category::Members);
            let top: BTreeSet<String> = report
                .exercised
                .members
                .iter()
                .filter(|i| i.name.matches('/').count() == 1)
                .map(|i| i.name.clone())
                .collect();
            for m in &top {
                assert_eq!(
                    members.contains(m),
                    sent.contains(m),
                    "{name} {}: member {m} covered={} but sent={}",
                    op.id,
                    members.contains(m),
                    sent.contains(m)
                );
            }
            // Each top-level body negative's constraint is covered.
            let broken = covered(&p, &op.id, Category::Constraints);
            for c in cases.iter().filter(|c| c.operation_id == op.id) {
                if let CaseKind::Negative {
                    part: Part::Body,
                    pointer,
                    keyword,
                    ..
                } = &c.kind
                    && pointer.matches('/').count() == 1
                    && keyword != "additionalProperties"
                {
                    let item = format!("body {pointer} {keyword}");
                    assert!(
                        broken.contains(&item),
                        "{name} {}: {item} not in {broken:?}",
                        op.id
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_reports_merge_to_the_whole_runs_coverage() {
    let name = "iron";
    let whole = run(name, &opts(4)).await;
    let mut slices = Vec::new();
    for k in 1..=2 {
        let o = RunOptions {
            partition: Some((k, 2)),
            ..opts(4)
        };
        let p = run(name, &o).await;
        slices.push(covenant_runner::new_report(&o, vec![p], Timing::default()));
    }
    let merged = merge(&slices).unwrap();
    let merged = &merged.providers[0];
    for op in &whole.operations {
        // Statuses depend on the mock's state across cases; what was sent does not.
        for c in &Category::ALL[1..] {
            assert_eq!(
                covered(merged, &op.id, *c),
                covered(&whole, &op.id, *c),
                "{} {}",
                op.id,
                c.name()
            );
        }
    }
    assert!(
        merged.coverage_totals["all"].covered > 0
            && merged.coverage_totals["all"] == whole_totals(&whole),
        "{:?}",
        merged.coverage_totals
    );
}

fn whole_totals(p: &ProviderReport) -> covenant_runner::coverage::Tally {
    let r = covenant_runner::new_report(&opts(4), vec![p.clone()], Timing::default());
    r.providers[0].coverage_totals["all"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_coverage_gates_the_run() {
    let p = run("rebilly", &opts(3)).await;
    let report = |gates: &[&str]| -> Report {
        let o = RunOptions {
            min_coverage: gates
                .iter()
                .map(|g| MinCoverage::parse(g).unwrap())
                .collect(),
            ..opts(3)
        };
        covenant_runner::new_report(&o, vec![p.clone()], Timing::default())
    };
    let all = report(&[]).providers[0].coverage_totals["all"];
    assert!(all.covered > 0 && all.covered < all.total, "{all:?}");

    let none = report(&[]);
    assert_eq!(none.exit_code(), 0);
    let low = report(&["10", "statuses=10"]);
    assert_eq!(low.exit_code(), 0, "{:?}", low.providers[0].coverage_gate);
    assert!(low.providers[0].coverage_gate.iter().all(|g| g.met));

    let high = report(&["10", "100"]);
    assert_eq!(high.exit_code(), 1);
    assert_eq!(high.summary.coverage_below, 1);
    assert_eq!(high.providers[0].verdict(false), Verdict::BelowCoverage);
    let gate = &high.providers[0].coverage_gate;
    assert!(gate[0].met && !gate[1].met, "{gate:?}");
    assert!((gate[1].percent - all.percent()).abs() < 1e-9);
    let md = high.markdown();
    assert!(
        md.contains("--min-coverage all=100%") && md.contains("below the minimum"),
        "{md}"
    );
    assert!(md.contains("| documented statuses provoked |"), "{md}");
}
