//! Where findings go. Each distinct finding (by the runner's violation id:
//! provider, operation, check, signature) is appended to
//! `<report-dir>/findings.jsonl` the moment it is first seen, as one line (the
//! runner's violation object plus `against`: `client` or `provider`), written with
//! one `write` call straight to the file, so a proxy killed at any point leaves
//! every line it reported. At the end [`Sink::finish`] writes the runner's
//! reports (report.json, junit.xml, report.md, report.html) of the whole session: per
//! operation, what each check judged and how often it failed, and what the
//! traffic exercised (the runner's coverage: statuses provoked or not, parameters,
//! body members, enum values and branches sent).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::SystemTime;

use covenant_runner::checks::Check;
use covenant_runner::coverage::Collector;
use covenant_runner::report::{
    CheckResult, Coverage, OperationReport, ProviderReport, Status, Timing, Violation,
};
use covenant_runner::{RunOptions, new_report, rfc3339};

use crate::exchange::Observed;
use crate::repro::Redaction;
use crate::verdict::{Against, CHECKS, Judge, Verdict};
use crate::{ProxyError, ProxyOptions, Summary};

/// The findings file in the report directory.
pub const FINDINGS_FILE: &str = "findings.jsonl";

pub struct Sink {
    file: Option<(PathBuf, File)>,
    started: SystemTime,
    exchanges: usize,
    /// Exchanges per operation index.
    per_op: BTreeMap<usize, usize>,
    /// (operation, check) -> (judged, failed).
    tally: BTreeMap<(usize, Check), (usize, usize)>,
    /// What the traffic exercised, per operation.
    seen: Collector,
    violations: BTreeMap<String, Violation>,
}

impl Sink {
    /// Creates the report directory and a fresh findings file in it, if asked for.
    pub fn open(options: &ProxyOptions) -> Result<Sink, ProxyError> {
        let file = match &options.report_dir {
            Some(dir) => {
                let io = |source| ProxyError::Io {
                    path: dir.clone(),
                    source,
                };
                std::fs::create_dir_all(dir).map_err(io)?;
                let path = dir.join(FINDINGS_FILE);
                let f = File::create(&path).map_err(|source| ProxyError::Io {
                    path: path.clone(),
                    source,
                })?;
                Some((path, f))
            }
            None => None,
        };
        Ok(Sink {
            file,
            started: SystemTime::now(),
            exchanges: 0,
            per_op: BTreeMap::new(),
            tally: BTreeMap::new(),
            seen: Collector::new(),
            violations: BTreeMap::new(),
        })
    }

    /// Counts the verdicts on `o`.
    pub fn tally(&mut self, judge: &Judge, o: &Observed, verdicts: &[Verdict]) {
        self.exchanges += 1;
        let Some(op) = o.inspection.operation else {
            return;
        };
        *self.per_op.entry(op).or_default() += 1;
        if let Some(plan) = judge.plans.get(op) {
            self.seen
                .request(plan, &crate::exchange::request_of(Some(plan), o));
        }
        if let (Ok(a), false) = (&o.outcome, o.enforced) {
            self.seen.op(op).statuses.insert(a.status);
        }
        for v in verdicts {
            let e = self.tally.entry((op, v.check)).or_default();
            e.0 += 1;
            if v.outcome.is_err() {
                e.1 += 1;
            }
        }
    }

    /// Records a finding; the first of its kind goes to the findings file at once.
    pub fn finding(&mut self, v: Violation, against: Against) -> Result<(), ProxyError> {
        if let Some(seen) = self.violations.get_mut(&v.id) {
            seen.occurrences += 1;
            return Ok(());
        }
        if let Some((path, f)) = &mut self.file {
            let mut line = serde_json::to_value(&v).unwrap_or_default();
            if let Some(m) = line.as_object_mut() {
                m.insert(
                    "against".into(),
                    serde_json::to_value(against).unwrap_or_default(),
                );
                m.insert("at".into(), rfc3339(SystemTime::now()).into());
            }
            let mut text = line.to_string();
            text.push('\n');
            // One write per line: a kill never leaves half a finding behind a whole one.
            f.write_all(text.as_bytes())
                .and_then(|_| f.flush())
                .map_err(|source| ProxyError::Io {
                    path: path.clone(),
                    source,
                })?;
        }
        self.violations.insert(v.id.clone(), v);
        Ok(())
    }

    /// The session's report, written (scrubbed) into the report directory if any.
    pub fn finish(
        self,
        options: &ProxyOptions,
        judge: &Judge,
        redaction: &Redaction,
    ) -> Result<Summary, ProxyError> {
        let mut operations = Vec::new();
        for plan in &judge.plans {
            let i = plan.index;
            let checks: Vec<CheckResult> = CHECKS
                .iter()
                .map(|c| {
                    let (judged, failed) = self.tally.get(&(i, *c)).copied().unwrap_or((0, 0));
                    CheckResult {
                        check: c.name().into(),
                        status: Status::from_counts(judged, failed),
                        judged,
                        failed,
                        reason: (judged == 0)
                            .then(|| "no exchange it applies to went through the proxy".into()),
                    }
                })
                .collect();
            let n = self.per_op.get(&i).copied().unwrap_or(0);
            let (coverage, reason) = if n == 0 {
                (
                    Coverage::NotTested,
                    Some("no traffic reached it through the proxy".to_string()),
                )
            } else {
                (Coverage::Tested, None)
            };
            operations.push(OperationReport {
                id: plan.op.id.clone(),
                method: plan.op.method.as_str().into(),
                path: plan.op.path.clone(),
                cases: n,
                problems: Vec::new(),
                checks,
                resource: None,
                exercised: self.seen.exercised(plan, true),
                coverage,
                reason,
            });
        }
        let findings = self.violations.len();
        let provider = ProviderReport {
            name: options.provider.clone(),
            spec: options.spec.path().display().to_string(),
            base_url: options.upstream.clone(),
            error: None,
            cases: self.exchanges,
            requests: self.exchanges,
            operations,
            violations: self.violations.into_values().collect(),
            coverage_totals: Default::default(),
            coverage_gate: Vec::new(),
        };
        let run = RunOptions {
            seed: 0,
            cases: 0,
            checks: CHECKS.to_vec(),
            min_coverage: options.min_coverage.clone(),
            ..RunOptions::default()
        };
        let timing = Timing {
            started_at: rfc3339(self.started),
            duration_ms: self
                .started
                .elapsed()
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
        };
        let report = new_report(&run, vec![provider], timing);
        if let Some(dir) = &options.report_dir {
            // Scrubbed with the session's secrets too (those learned from traffic).
            for (name, text) in [
                ("report.json", report.to_json()),
                ("junit.xml", report.junit()),
                ("report.md", report.markdown()),
                ("report.html", report.html(&|t| redaction.scrub(t))),
            ] {
                let path = dir.join(name);
                std::fs::write(&path, redaction.scrub(&text)).map_err(|source| ProxyError::Io {
                    path: path.clone(),
                    source,
                })?;
            }
        }
        Ok(Summary {
            exchanges: self.exchanges,
            findings,
            report,
        })
    }
}
