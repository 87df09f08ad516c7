//! Helpers of the tests that run `covenant run --base-url mock` with no config.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use covenant_runner::report::{Coverage, Report};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh scratch directory without covenant.toml, named for the test process.
pub fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("covenant-no-config-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `covenant run --spec SPEC --base-url mock --cases N EXTRA..` in `dir`, with the
/// report it wrote.
pub fn run(spec: &Path, dir: &Path, cases: usize, extra: &[&str]) -> (Output, Report) {
    let out = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .current_dir(dir)
        .arg("run")
        .arg("--spec")
        .arg(spec)
        .args(["--base-url", "mock", "--report-dir", "reports"])
        .args(["--cases", &cases.to_string()])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("covenant runs");
    let report = Report::read(&dir.join("reports/report.json")).unwrap_or_else(|e| {
        panic!(
            "{}: no report ({e}): {}",
            spec.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, report)
}

/// What keeps a run from passing: provider errors, violations, and operations not
/// fully tested (with the reason).
pub fn summary(report: &Report) -> String {
    report
        .providers
        .iter()
        .flat_map(|p| {
            p.error.iter().cloned().chain(
                p.violations.iter().map(|v| v.describe()).chain(
                    p.operations
                        .iter()
                        .filter(|o| o.coverage != Coverage::Tested)
                        .map(|o| format!("{}: {} ({:?})", o.id, o.coverage.label(), o.reason)),
                ),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
