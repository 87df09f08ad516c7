//! `covenant run --base-url mock` with no covenant.toml at all, as a new user runs
//! it: on every spec in specs/ and on a real provider's published spec (Onfido), the
//! run passes with every operation tested; an operation that cannot be tested makes
//! it exit 2 until it is excluded.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use covenant_runner::report::{Coverage, Report};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A scratch directory without covenant.toml.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "covenant-zero-config-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn run(spec: &Path, dir: &Path, extra: &[&str]) -> (Output, Report) {
    let out = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .current_dir(dir)
        .arg("run")
        .arg("--spec")
        .arg(spec)
        .args([
            "--base-url",
            "mock",
            "--cases",
            "5",
            "--report-dir",
            "reports",
        ])
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

fn summary(report: &Report) -> String {
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

#[test]
fn every_spec_passes_against_its_mock_without_config() {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("specs"))
        .expect("specs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    assert!(specs.len() >= 5, "{specs:?}");
    for spec in specs {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = scratch(&name);
        let (out, report) = run(&spec, &dir, &[]);
        assert_eq!(out.status.code(), Some(0), "{name}:\n{}", summary(&report));
        let p = &report.providers[0];
        assert!(p.violations.is_empty(), "{name}:\n{}", summary(&report));
        assert!(
            p.operations.iter().all(|o| o.coverage == Coverage::Tested),
            "{name}:\n{}",
            summary(&report)
        );
        assert!(p.requests > 0, "{name}: nothing was sent");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Onfido's published spec: its multipart uploads cannot be generated yet, so the
/// run exits 2 naming them; excluded, the rest passes with no violation.
#[test]
fn onfido_passes_against_its_mock_with_the_uploads_excluded() {
    let spec = root().join("../shared/realspecs/onfido-v3.6.json");
    assert!(
        spec.exists(),
        "{} (see ../shared/realspecs)",
        spec.display()
    );
    let uploads = [
        "upload_document",
        "upload_signing_document",
        "upload_live_photo",
        "upload_id_photo",
    ];
    let dir = scratch("onfido");
    let (out, report) = run(&spec, &dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", summary(&report));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for id in uploads {
        assert!(
            stdout.contains(id),
            "{id} is listed as not tested:\n{stdout}"
        );
    }
    let untested: Vec<&str> = report.providers[0]
        .untested()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(untested, uploads, "{}", summary(&report));

    let excluded: Vec<&str> = uploads
        .iter()
        .flat_map(|id| ["--exclude-operation", id])
        .collect();
    let (out, report) = run(&spec, &dir, &excluded);
    assert_eq!(out.status.code(), Some(0), "{}", summary(&report));
    let p = &report.providers[0];
    assert!(p.violations.is_empty(), "{}", summary(&report));
    let tested = p
        .operations
        .iter()
        .filter(|o| o.coverage == Coverage::Tested)
        .count();
    let left_out = p
        .operations
        .iter()
        .filter(|o| o.coverage == Coverage::Excluded)
        .count();
    assert_eq!((tested + left_out, left_out), (p.operations.len(), 4));
    let _ = std::fs::remove_dir_all(&dir);
}
