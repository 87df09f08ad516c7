//! `covenant snapshot --compare` exits 1 against a provider whose behaviour changed
//! (the embedded mock of a spec copy with one enum value changed) and 0 against one
//! that did not; `--check` agrees; the Markdown report carries the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

fn covenant(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .current_dir(cwd)
        .arg("snapshot")
        .args(args)
        .output()
        .expect("covenant runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn compare_exits_1_on_changed_behaviour_and_0_otherwise() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    // A scratch directory without covenant.toml: the mock gets fixed local credentials.
    let dir = std::env::temp_dir().join(format!("covenant-snapshot-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = root.join("specs/onboarding.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let old = "        - ERROR_OPERATOR_WRONG_FIRSTNAME\n";
    assert_eq!(text.matches(old).count(), 1);
    let changed = dir.join("onboarding.yaml");
    std::fs::write(
        &changed,
        text.replace(old, "        - ERROR_OPERATOR_WRONG_FIRST_NAME\n"),
    )
    .unwrap();
    let (spec, changed) = (spec.to_str().unwrap(), changed.to_str().unwrap());

    let (code, err) = covenant(&dir, &["--spec", spec, "--mock", "--out", "stored"]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.join("stored/onboarding.snap").exists());

    let (code, err) = covenant(
        &dir,
        &[
            "--spec",
            spec,
            "--mock",
            "--out",
            "same",
            "--compare",
            "stored",
        ],
    );
    assert_eq!(code, 0, "unchanged provider: {err}");
    let md = std::fs::read_to_string(dir.join("same/snapshot-report.md")).unwrap();
    assert!(md.contains("No exchange changed"), "{md}");
    let (code, err) = covenant(
        &dir,
        &["--spec", spec, "--mock", "--out", "stored", "--check"],
    );
    assert_eq!(code, 0, "{err}");

    let (code, err) = covenant(
        &dir,
        &[
            "--spec",
            changed,
            "--mock",
            "--out",
            "drift",
            "--compare",
            "stored",
        ],
    );
    assert_eq!(code, 1, "changed provider: {err}");
    assert!(err.contains("changed"), "{err}");
    let md = std::fs::read_to_string(dir.join("drift/snapshot-report.md")).unwrap();
    assert!(
        md.contains("```diff")
            && md.contains("+")
            && md.contains("ERROR_OPERATOR_WRONG_FIRST_NAME"),
        "{md}"
    );
    assert!(dir.join("drift/report.html").exists());
    let (code, _) = covenant(
        &dir,
        &["--spec", changed, "--mock", "--out", "stored", "--check"],
    );
    assert_eq!(code, 1);

    // Could not run: a stored snapshot that does not exist.
    let (code, err) = covenant(
        &dir,
        &[
            "--spec",
            spec,
            "--mock",
            "--out",
            "x",
            "--compare",
            "nowhere",
        ],
    );
    assert_eq!(code, 2, "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
