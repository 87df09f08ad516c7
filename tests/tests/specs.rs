//! The five provider specs: they lint clean, every example validates, each names
//! its seed, every assumption points at something real, and PROVENANCE.md is in
//! sync with the assumptions.

use std::path::{Path, PathBuf};

use covenant_spec::lint::{LintOutcome, lint_file, lint_source};
use covenant_spec::source::SourceFile;
use covenant_spec::{Severity, Spec};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn spec_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("specs"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "one spec per seed: {files:?}");
    files
}

#[test]
fn every_spec_lints_without_errors() {
    for f in spec_files() {
        let LintOutcome::Checked(diags) = lint_file(&f) else {
            panic!("{} unreadable", f.display())
        };
        let bad: Vec<String> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error || d.code != "unsupported")
            .map(ToString::to_string)
            .collect();
        assert!(bad.is_empty(), "{}:\n{}", f.display(), bad.join("\n"));
    }
}

#[test]
fn examples_are_checked_and_a_broken_one_is_caught() {
    // Count the examples lint validates, so a lint that skips them cannot pass.
    let mut examples = 0;
    for f in spec_files() {
        let spec = Spec::load(&f).unwrap();
        for op in &spec.operations {
            let bodies = op
                .request_body
                .iter()
                .flat_map(|b| b.content.iter())
                .chain(op.responses.iter().flat_map(|r| r.content.iter()));
            examples += bodies.map(|m| m.examples.len()).sum::<usize>();
        }
    }
    assert!(
        examples >= 20,
        "only {examples} body examples across the specs"
    );

    // Break one example in a copy of the Rebilly spec: lint must report it.
    let text = std::fs::read_to_string(root().join("specs/rebilly.yaml")).unwrap();
    let broken = text.replacen(
        "kyc_req_0YV7JMJ3DBCGRBR7K9D4HVGPP5",
        "kyc_req_0YV7JMJ3DBCGRBR7K9D4HVGPP5\n",
        1,
    );
    let mutated = mutate_first_example_status(&broken);
    let src = SourceFile::parse(Path::new("rebilly-broken.yaml"), mutated).unwrap();
    let LintOutcome::Checked(diags) = lint_source(src) else {
        panic!()
    };
    assert!(
        diags
            .iter()
            .any(|d| d.code == "example" && d.location.line > 0),
        "{diags:#?}"
    );
}

/// Replaces the first `status: gathering` style value in an example with a value
/// outside the status enum.
fn mutate_first_example_status(text: &str) -> String {
    let needle = "status: gathering";
    assert!(
        text.contains(needle),
        "fixture changed: no `{needle}` in rebilly.yaml"
    );
    text.replacen(needle, "status: not-a-status", 1)
}

#[test]
fn specs_name_their_seed_and_version() {
    for f in spec_files() {
        let spec = Spec::load(&f).unwrap();
        assert_eq!(spec.document()["openapi"], "3.0.3", "{}", f.display());
        let source = spec
            .x_source()
            .unwrap_or_else(|| panic!("{}: no info.x-source", f.display()));
        let seed = root().join("../shared").join(source);
        assert!(
            seed.is_file(),
            "{}: x-source {source} does not exist",
            f.display()
        );
        assert_eq!(
            Some(spec.provider.as_str()),
            f.file_stem().and_then(|s| s.to_str())
        );
        for op in &spec.operations {
            assert!(
                op.document_has_id(&spec),
                "{}: {} has no operationId",
                f.display(),
                op.path
            );
        }
    }
}

trait HasId {
    fn document_has_id(&self, spec: &Spec) -> bool;
}

impl HasId for covenant_spec::Operation {
    fn document_has_id(&self, spec: &Spec) -> bool {
        spec.document()
            .pointer(&format!("{}/operationId", self.pointer))
            .is_some()
    }
}

#[test]
fn assumptions_are_complete_and_point_at_real_nodes() {
    for f in spec_files() {
        let spec = Spec::load(&f).unwrap();
        assert!(
            !spec.assumptions().is_empty(),
            "{}: no x-assumptions",
            f.display()
        );
        for a in spec.assumptions() {
            assert!(
                !a.seed.trim().is_empty()
                    && !a.decision.trim().is_empty()
                    && !a.reason.trim().is_empty(),
                "{}: {} incomplete",
                f.display(),
                a.id
            );
            if let Some(p) = &a.pointer {
                assert!(
                    spec.document().pointer(p).is_some(),
                    "{}: {} points at missing {p}",
                    f.display(),
                    a.id
                );
            }
        }
    }
}

#[test]
fn provenance_md_is_in_sync() {
    let specs: Vec<Spec> = spec_files()
        .iter()
        .map(|f| Spec::load(f).unwrap())
        .collect();
    let expected = covenant_spec::provenance::render(&specs);
    let path = root().join("specs/PROVENANCE.md");
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "specs/PROVENANCE.md is stale: run `cargo xtask provenance`"
    );
    for s in &specs {
        for a in s.assumptions() {
            assert!(actual.contains(&format!("### {}", a.id)));
        }
    }
}
