//! The run's results and their three renderings: `report.json` (versioned; its JSON
//! Schema is `schema/report.schema.json`, published with the crate), `junit.xml`
//! (one testcase per operation x check) and `report.md` (a table for a pull
//! request). Also `--baseline` (which violations are new) and `report merge`.
//!
//! Every string that leaves the runner passes the [`CredentialScrubber`] first.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::Credentials;
use crate::coverage::{Exercised, GateResult, MinCoverage, Totals};
use crate::error::RunnerError;

/// The report format version; bump on incompatible changes.
pub const SCHEMA_VERSION: u32 = 3;
/// The published JSON Schema of `report.json`.
pub const REPORT_SCHEMA: &str = include_str!("../schema/report.schema.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: u32,
    pub tool: String,
    pub seed: u64,
    pub cases_per_operation: usize,
    /// `K/N` when the run was one slice of a partitioned run.
    pub partitions: Vec<String>,
    pub checks: Vec<String>,
    /// Volatile: when and how long (left out when comparing runs).
    pub timing: Timing,
    pub providers: Vec<ProviderReport>,
    pub summary: Summary,
    /// `--flaky fail`: violations that did not reproduce alone fail the run too.
    #[serde(default)]
    pub flaky_fails: bool,
    /// `--min-coverage`: each provider's coverage must reach these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub min_coverage: Vec<MinCoverage>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// RFC 3339 UTC, see [`rfc3339`].
    pub started_at: String,
    pub duration_ms: u64,
}

/// `started_at` for [`Timing`]: a system time as RFC 3339 UTC, whole seconds
/// (`2023-11-14T22:13:20Z`).
pub fn rfc3339(t: std::time::SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A provider's overall result, as the summary tables show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    CouldNotRun,
    /// Ran, but some selected operation was not tested (exit 2: nothing tested is
    /// not a pass).
    Incomplete,
    Fail,
    /// No failing violation, but coverage below a `--min-coverage` (exit 1).
    BelowCoverage,
    Pass,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::CouldNotRun => "could not run",
            Verdict::Incomplete => "incomplete",
            Verdict::Fail => "FAIL",
            Verdict::BelowCoverage => "FAIL (coverage below minimum)",
            Verdict::Pass => "pass",
        }
    }
}

impl ProviderReport {
    /// How many operation x check results have status `st`.
    pub fn count(&self, st: Status) -> usize {
        self.operations
            .iter()
            .flat_map(|o| &o.checks)
            .filter(|c| c.status == st)
            .count()
    }

    /// Could not run, failed (a violation not in the baseline; a flaky one only
    /// with `flaky_fails`), incomplete, or passed.
    pub fn verdict(&self, flaky_fails: bool) -> Verdict {
        if self.error.is_some() {
            Verdict::CouldNotRun
        } else if self.violations.iter().any(|v| v.fails(flaky_fails)) {
            Verdict::Fail
        } else if self.untested().next().is_some() {
            Verdict::Incomplete
        } else if self.coverage_gate.iter().any(|g| !g.met) {
            Verdict::BelowCoverage
        } else {
            Verdict::Pass
        }
    }

    /// Its coverage, as report.md and report.html show it.
    pub fn coverage_shown(&self) -> crate::coverage::render::Shown<'_> {
        crate::coverage::render::Shown {
            name: &self.name,
            totals: &self.coverage_totals,
            gate: &self.coverage_gate,
            operations: self
                .operations
                .iter()
                .map(|o| (o.id.as_str(), &o.exercised))
                .collect(),
        }
    }

    /// The selected operations that were not tested.
    pub fn untested(&self) -> impl Iterator<Item = &OperationReport> {
        self.operations
            .iter()
            .filter(|o| o.coverage == Coverage::NotTested)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderReport {
    pub name: String,
    pub spec: String,
    /// The base URL as reproductions show it (`$COVENANT_MOCK_URL` for the embedded mock).
    pub base_url: String,
    /// Why the provider could not be run (exit 2), if so.
    pub error: Option<String>,
    pub cases: usize,
    pub requests: usize,
    pub operations: Vec<OperationReport>,
    pub violations: Vec<Violation>,
    /// Covered of total per coverage category (and `all`), over its operations.
    #[serde(default)]
    pub coverage_totals: Totals,
    /// Each `--min-coverage` applied to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage_gate: Vec<GateResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationReport {
    pub id: String,
    pub method: String,
    pub path: String,
    pub cases: usize,
    /// Problems that kept some cases from being generated.
    pub problems: Vec<String>,
    pub checks: Vec<CheckResult>,
    /// The resource it acts on and how that is known, e.g. `read of things
    /// (inferred from REST paths: POST /things beside GET /things/{thing_id})`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// What it exercised: documented statuses provoked (and why not), parameters,
    /// body members, enum values and branches sent, constraints broken.
    #[serde(default)]
    pub exercised: Exercised,
    /// Whether the run tested it; `reason` says why not (or why only partly).
    #[serde(default)]
    pub coverage: Coverage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// How far an operation was tested.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// The user left it out (`--exclude-operation`, `exclude-operations`), or a
    /// partitioned run put all its cases in other slices.
    Excluded,
    /// Selected, but no case could be generated or judged: the run exits 2.
    NotTested,
    /// Tested, but some of its inputs could not be generated.
    PartlyTested,
    #[default]
    Tested,
}

impl Coverage {
    pub fn label(self) -> &'static str {
        match self {
            Coverage::Excluded => "excluded",
            Coverage::NotTested => "not tested",
            Coverage::PartlyTested => "partly tested",
            Coverage::Tested => "tested",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

impl Status {
    /// A check's status from its tallies: failed if any judged case failed, passed
    /// if it judged any, else skipped.
    pub fn from_counts(judged: usize, failed: usize) -> Status {
        if failed > 0 {
            Status::Failed
        } else if judged > 0 {
            Status::Passed
        } else {
            Status::Skipped
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    pub check: String,
    pub status: Status,
    /// Case runs the check judged.
    pub judged: usize,
    pub failed: usize,
    /// Why a skipped check judged nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    /// Stable identity: `provider/operation/check/signature` (used by `--baseline`).
    pub id: String,
    pub provider: String,
    pub operation: String,
    pub check: String,
    pub expected: String,
    pub actual: String,
    /// The first failing case, e.g. `postKycRequest/negative/3`.
    pub case: String,
    pub seed: u64,
    /// How many case runs failed this way.
    pub occurrences: usize,
    /// Size (bytes of parameters and body) of the failing case before and after shrinking.
    pub original_size: usize,
    pub size: usize,
    pub request: ReproRequest,
    pub curl: String,
    /// Set by `--baseline`: whether the baseline already had this violation.
    pub new: bool,
    /// The minimal case, replayed alone (no concurrent traffic), did not fail:
    /// reported, but not a failure unless `--flaky fail`.
    #[serde(default)]
    pub flaky: bool,
}

impl Violation {
    /// Whether it fails the run.
    pub fn fails(&self, flaky_fails: bool) -> bool {
        self.new && (flaky_fails || !self.flaky)
    }
}

/// A minimal request as a report shows it (credentials only as variable references).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReproRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    pub auth: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub providers: usize,
    pub operations: usize,
    pub cases: usize,
    pub requests: usize,
    pub checks_passed: usize,
    pub checks_failed: usize,
    pub checks_skipped: usize,
    pub violations: usize,
    /// Violations not in the baseline (equals `violations` without one).
    pub new_violations: usize,
    /// Providers that could not be run.
    pub could_not_run: usize,
    /// Selected operations that were not tested (of providers that ran).
    #[serde(default)]
    pub untested: usize,
    /// Violations that did not reproduce when replayed alone.
    #[serde(default)]
    pub flaky: usize,
    /// Violations that fail the run (new, and not flaky unless `--flaky fail`).
    #[serde(default)]
    pub failing: usize,
    /// Providers (that ran) whose coverage is below a `--min-coverage`.
    #[serde(default)]
    pub coverage_below: usize,
}

impl Report {
    /// Recomputes the summary from the providers.
    pub fn summarize(&mut self) {
        let mut s = Summary {
            providers: self.providers.len(),
            ..Summary::default()
        };
        for p in &mut self.providers {
            p.coverage_totals = crate::coverage::totals(p.operations.iter().map(|o| &o.exercised));
            p.coverage_gate = self
                .min_coverage
                .iter()
                .map(|m| {
                    let (met, percent) = m.judge(&p.coverage_totals);
                    GateResult {
                        minimum: m.clone(),
                        percent,
                        met,
                    }
                })
                .collect();
        }
        for p in &self.providers {
            if p.error.is_some() {
                s.could_not_run += 1;
            } else if p.coverage_gate.iter().any(|g| !g.met) {
                s.coverage_below += 1;
            }
            s.operations += p.operations.len();
            s.cases += p.cases;
            s.requests += p.requests;
            for o in &p.operations {
                for c in &o.checks {
                    match c.status {
                        Status::Passed => s.checks_passed += 1,
                        Status::Failed => s.checks_failed += 1,
                        Status::Skipped => s.checks_skipped += 1,
                    }
                }
            }
            s.violations += p.violations.len();
            s.new_violations += p.violations.iter().filter(|v| v.new).count();
            s.flaky += p.violations.iter().filter(|v| v.flaky).count();
            s.failing += p
                .violations
                .iter()
                .filter(|v| v.fails(self.flaky_fails))
                .count();
            if p.error.is_none() {
                s.untested += p.untested().count();
            }
        }
        self.summary = s;
    }

    /// 0 no (new) violations, 1 violations, 2 could not run.
    pub fn exit_code(&self) -> u8 {
        if self.summary.could_not_run > 0 || self.summary.untested > 0 {
            2
        } else if self.summary.failing > 0 || self.summary.coverage_below > 0 {
            1
        } else {
            0
        }
    }

    /// Marks violations already present in `baseline` as not new.
    pub fn apply_baseline(&mut self, baseline: &Report) {
        let known: std::collections::BTreeSet<&str> = baseline
            .providers
            .iter()
            .flat_map(|p| p.violations.iter().map(|v| v.id.as_str()))
            .collect();
        for p in &mut self.providers {
            for v in &mut p.violations {
                v.new = !known.contains(v.id.as_str());
            }
        }
        self.summarize();
    }

    pub fn read(path: &Path) -> Result<Report, RunnerError> {
        let text = std::fs::read_to_string(path).map_err(|source| RunnerError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| RunnerError::BadReport {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }

    /// Writes report.json, junit.xml and report.md into `dir`, credentials scrubbed.
    pub fn write(&self, dir: &Path, scrubber: &CredentialScrubber) -> Result<(), RunnerError> {
        let io = |source| RunnerError::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        for (name, text) in [
            ("report.json", self.to_json()),
            ("junit.xml", self.junit()),
            ("report.md", self.markdown()),
            ("report.html", self.html(&|t| scrubber.scrub(t))),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, scrubber.scrub(&text))
                .map_err(|source| RunnerError::Io { path, source })?;
        }
        Ok(())
    }

    /// JUnit XML: a suite per provider, a testcase per operation x check.
    pub fn junit(&self) -> String {
        use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};
        let mut r = JReport::new("covenant");
        for p in &self.providers {
            let mut suite = TestSuite::new(format!("covenant.{}", p.name));
            if let Some(e) = &p.error {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(e.clone());
                suite.add_test_case(TestCase::new("could_not_run", status));
            }
            for o in &p.operations {
                for c in &o.checks {
                    let status = match c.status {
                        Status::Passed => TestCaseStatus::success(),
                        Status::Skipped => {
                            let mut s = TestCaseStatus::skipped();
                            s.set_message("not applicable to this operation");
                            s
                        }
                        Status::Failed => {
                            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                            let vs: Vec<&Violation> = p
                                .violations
                                .iter()
                                .filter(|v| v.operation == o.id && v.check == c.check)
                                .collect();
                            s.set_message(
                                vs.first()
                                    .map(|v| format!("expected {}; got {}", v.expected, v.actual))
                                    .unwrap_or_else(|| "failed".into()),
                            );
                            s.set_type(c.check.clone());
                            s.set_description(
                                vs.iter()
                                    .map(|v| v.describe())
                                    .collect::<Vec<_>>()
                                    .join("\n\n"),
                            );
                            s
                        }
                    };
                    let mut tc = TestCase::new(format!("{}::{}", o.id, c.check), status);
                    tc.set_classname(format!("covenant.{}.{}", p.name, o.id));
                    tc.set_assertions(c.judged);
                    suite.add_test_case(tc);
                }
            }
            r.add_test_suite(suite);
        }
        r.to_string()
            .unwrap_or_else(|e| format!("<!-- junit serialisation failed: {e} -->\n"))
    }

    /// Markdown for a pull request: summary table, per-provider check table, violations.
    pub fn markdown(&self) -> String {
        let s = &self.summary;
        let mut md = String::from("# covenant conformance report\n\n");
        md.push_str(&format!(
            "Seed `{}`, {} valid cases per operation, checks: {}.\n\n",
            self.seed,
            self.cases_per_operation,
            self.checks.join(", ")
        ));
        md.push_str("| provider | operations | cases | requests | checks passed | failed | skipped | violations | result |\n");
        md.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for p in &self.providers {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                p.name,
                p.operations.len(),
                p.cases,
                p.requests,
                p.count(Status::Passed),
                p.count(Status::Failed),
                p.count(Status::Skipped),
                p.violations.len(),
                p.verdict(self.flaky_fails).label()
            ));
        }
        md.push_str(&format!(
            "\n**Total**: {} cases, {} requests, {} violation(s) ({} new), {} provider(s) could not run, {} operation(s) not tested.\n",
            s.cases, s.requests, s.violations, s.new_violations, s.could_not_run, s.untested
        ));
        for p in &self.providers {
            if let Some(e) = &p.error {
                md.push_str(&format!("\n## {}: could not run\n\n{}\n", p.name, e));
            }
            if p.error.is_none() {
                md.push_str(&crate::coverage::render::markdown(&p.coverage_shown()));
            }
            let notes = coverage_notes(p);
            if !notes.is_empty() {
                md.push_str(&format!(
                    "\n## {} coverage\n{}",
                    p.name,
                    md_escape_lines(&notes)
                ));
            }
            if p.violations.is_empty() {
                continue;
            }
            md.push_str(&format!("\n## {} violations\n", p.name));
            for v in &p.violations {
                md.push_str(&format!(
                    "\n### `{}` {} on `{}`{}\n\n- expected: {}\n- actual: {}\n- case `{}` (seed {}), {} occurrence(s), shrunk from {} to {} bytes\n\n```sh\n{}\n```\n",
                    v.check,
                    match (v.new, v.flaky) {
                        (_, true) => "(flaky: did not fail when replayed alone)",
                        (false, false) => "(in baseline)",
                        (true, false) => "",
                    },
                    v.operation,
                    "",
                    md_escape(&v.expected),
                    md_escape(&v.actual),
                    v.case,
                    v.seed,
                    v.occurrences,
                    v.original_size,
                    v.size,
                    v.curl
                ));
            }
        }
        md
    }
}

/// The operations a provider's run did not (fully) test, with the reasons, as
/// text for the console and report.md (empty when every operation was tested).
pub fn coverage_notes(p: &ProviderReport) -> String {
    let mut out = String::new();
    for (coverage, head) in [
        (
            Coverage::NotTested,
            "not tested (the run exits 2; --exclude-operation accepts that)",
        ),
        (Coverage::PartlyTested, "partly tested"),
        (Coverage::Excluded, "excluded"),
    ] {
        let ops: Vec<&OperationReport> = p
            .operations
            .iter()
            .filter(|o| o.coverage == coverage)
            .collect();
        if ops.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n{}: {} operation(s) {head}:\n",
            p.name,
            ops.len()
        ));
        for o in ops {
            out.push_str(&format!(
                "- {} ({} {}): {}\n",
                o.id,
                o.method,
                o.path,
                o.reason.as_deref().unwrap_or("")
            ));
        }
    }
    out
}

/// [`md_escape`] for each line of a list, keeping the lines.
fn md_escape_lines(s: &str) -> String {
    s.lines().map(|l| l.replace('|', "\\|") + "\n").collect()
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

impl Violation {
    /// A plain-text description with the reproduction.
    pub fn describe(&self) -> String {
        format!(
            "{} on {} ({}): expected {}; got {}\ncase {} seed {} (shrunk {} -> {} bytes)\n{}",
            self.check,
            self.operation,
            self.provider,
            self.expected,
            self.actual,
            self.case,
            self.seed,
            self.original_size,
            self.size,
            self.curl
        )
    }
}

/// Combines partition reports (or reports of different providers) into one: check
/// results add up (failed wins over passed wins over skipped), violations are
/// deduplicated by id.
pub fn merge(reports: &[Report]) -> Result<Report, String> {
    let Some(first) = reports.first() else {
        return Err("nothing to merge".into());
    };
    let mut out = first.clone();
    out.providers.clear();
    out.partitions.clear();
    let mut providers: BTreeMap<String, ProviderReport> = BTreeMap::new();
    let mut order = Vec::new();
    for r in reports {
        if r.schema_version != SCHEMA_VERSION {
            return Err(format!(
                "report schema version {} is not {SCHEMA_VERSION}",
                r.schema_version
            ));
        }
        out.partitions.extend(r.partitions.iter().cloned());
        out.timing.duration_ms = out.timing.duration_ms.max(r.timing.duration_ms);
        for p in &r.providers {
            match providers.get_mut(&p.name) {
                None => {
                    order.push(p.name.clone());
                    providers.insert(p.name.clone(), p.clone());
                }
                Some(m) => merge_provider(m, p),
            }
        }
    }
    out.providers = order
        .into_iter()
        .filter_map(|n| providers.remove(&n))
        .collect();
    out.partitions.sort();
    out.partitions.dedup();
    out.summarize();
    Ok(out)
}

fn merge_provider(into: &mut ProviderReport, p: &ProviderReport) {
    into.cases += p.cases;
    into.requests += p.requests;
    if into.error.is_none() {
        into.error = p.error.clone();
    }
    for o in &p.operations {
        match into.operations.iter_mut().find(|x| x.id == o.id) {
            None => into.operations.push(o.clone()),
            Some(m) => {
                m.cases += o.cases;
                m.exercised.merge(&o.exercised);
                // A slice that tested it beats one whose cases were elsewhere.
                if o.coverage > m.coverage {
                    m.coverage = o.coverage;
                    m.reason = o.reason.clone();
                }
                for c in &o.checks {
                    match m.checks.iter_mut().find(|x| x.check == c.check) {
                        None => m.checks.push(c.clone()),
                        Some(mc) => {
                            mc.judged += c.judged;
                            mc.failed += c.failed;
                            mc.status = match (mc.status, c.status) {
                                (Status::Failed, _) | (_, Status::Failed) => Status::Failed,
                                (Status::Passed, _) | (_, Status::Passed) => Status::Passed,
                                _ => Status::Skipped,
                            };
                        }
                    }
                }
            }
        }
    }
    for v in &p.violations {
        match into.violations.iter_mut().find(|x| x.id == v.id) {
            Some(x) => x.occurrences += v.occurrences,
            None => into.violations.push(v.clone()),
        }
    }
    into.violations.sort_by(|a, b| a.id.cmp(&b.id));
}

/// Replaces known secret values (and their Basic-auth encodings) with their
/// variable references (`$COVENANT_REBILLY_API_KEY`) in any text the runner writes,
/// so reports and reproductions name credentials only by variable. The replacement
/// itself is `covenant-redact`'s secret rule; this adds the runner's credentials.
#[derive(Clone, Default)]
pub struct CredentialScrubber(covenant_redact::Redactor);

impl std::fmt::Debug for CredentialScrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CredentialScrubber({} secrets)", self.0.secret_count())
    }
}

impl CredentialScrubber {
    pub fn add(&mut self, secret: &str, shown: &str) {
        self.0.add_secret_as(secret, shown);
    }

    pub fn add_credentials(&mut self, creds: &Credentials) {
        use base64::Engine;
        for c in creds.values() {
            self.add(&c.secret, &format!("${}", c.env));
            if let Some((user, env)) = &c.username {
                let basic = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", c.secret));
                self.add(&basic, &format!("base64(${env}:${})", c.env));
            }
        }
    }

    /// `text` with every registered secret replaced by its variable reference.
    pub fn scrub(&self, text: &str) -> String {
        self.0.secrets_only(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn started_at_is_rfc3339_utc_in_whole_seconds() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_750);
        assert_eq!(rfc3339(t), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }
}
