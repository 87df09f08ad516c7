//! The sample GitHub Actions workflow (`.github/workflows/conformance.yml`) stays
//! runnable: every flag it passes to `covenant check` exists, the files it uploads
//! and posts are the ones `covenant check` writes, and the README points to it.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_sample_workflow_uses_what_covenant_check_has() {
    let path = ".github/workflows/conformance.yml";
    let text = std::fs::read_to_string(root().join(path)).expect("the sample workflow");
    let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("valid YAML");
    let steps = workflow["jobs"]["check"]["steps"]
        .as_sequence()
        .expect("jobs.check.steps");
    let run = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("covenant-cli -- check"))
        .expect("a step runs covenant check");
    let help = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .args(["check", "--help"])
        .output()
        .expect("covenant runs");
    let help = String::from_utf8_lossy(&help.stdout);
    // The flags after `-- check` (cargo's own come before).
    let (_, args) = run.split_once("-- check").expect("`-- check` in the step");
    let flags: Vec<&str> = args
        .split_whitespace()
        .filter(|w| w.starts_with("--"))
        .collect();
    assert!(flags.contains(&"--report-dir"), "{run}");
    for flag in flags {
        assert!(
            help.contains(flag),
            "{path} passes {flag}, which covenant check lacks"
        );
    }
    for written in ["junit.xml", "report.md"] {
        assert!(
            text.contains(&format!("target/covenant-reports/{written}")),
            "{written}"
        );
        assert!(
            help.contains(written),
            "covenant check no longer writes {written}"
        );
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains(path), "the README does not point to {path}");
}
