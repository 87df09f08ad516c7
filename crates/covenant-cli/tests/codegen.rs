//! `covenant codegen --spec FILE --out DIR`: a standalone model crate for a spec
//! nobody here wrote (Persona's published OpenAPI 3.1 document), which builds on its
//! own, with every webhook payload typed and the unmapped constructs on stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn codegen(spec: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_covenant"))
        .arg("codegen")
        .arg("--spec")
        .arg(spec)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("covenant runs")
}

fn cargo_check(dir: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root().join("target/codegen-check"))
        .args(["check", "--quiet", "--offline"])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{} does not compile:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn persona_31_models_build_standalone_with_every_webhook_payload_typed() {
    let spec = root().join("../shared/realspecs/persona-2023-01-05.json");
    let dir = root().join("target/codegen-persona");
    let _ = std::fs::remove_dir_all(&dir);
    let out = codegen(&spec, &dir, &["--name", "persona-models"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"persona-models\""), "{manifest}");

    // Every webhook's payload has a Rust type: a named component or its own.
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    let loaded = covenant_spec::Spec::load(&spec).unwrap();
    assert_eq!(
        loaded.webhooks.len(),
        doc["webhooks"].as_object().unwrap().len()
    );
    for hook in &loaded.webhooks {
        let site = hook
            .request_body
            .as_ref()
            .and_then(|b| b.content.iter().find_map(|m| m.schema.as_ref()))
            .unwrap_or_else(|| panic!("webhook {} has no payload schema", hook.path));
        let ty = match site.name() {
            Some(component) => covenant_codegen::type_name(component),
            None => covenant_codegen::type_name(&format!("{} webhook", hook.path)),
        };
        assert!(
            lib.contains(&format!("pub struct {ty} "))
                || lib.contains(&format!("pub enum {ty} "))
                || lib.contains(&format!("pub type {ty} ")),
            "webhook {}: no type {ty}",
            hook.path
        );
    }
    // 3.1's `type: [T, "null"]`, `type: "null"` and `const` map to Rust types. What
    // is left is explained and located: `type` lists of several non-null types
    // (Persona's `get-params: {type: [object, string]}`), whose faithful Rust type
    // is serde_json::Value; and `unevaluatedProperties`/`required` written beside a
    // `$ref`, which the model reads as the referenced type alone.
    let unmapped: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("wrote "))
        .collect();
    assert!(!unmapped.is_empty() && unmapped.len() < 60, "{stderr}");
    for line in unmapped {
        assert!(
            (line.contains("listing several non-null types")
                || line.contains("beside `$ref` is not checked"))
                && line.contains("persona-2023-01-05.json:")
                && line.contains(" (/"),
            "unexplained or unlocated: {line}"
        );
    }
    cargo_check(&dir);

    // Deterministic: the same spec gives the same bytes.
    let again = root().join("target/codegen-persona-again");
    let _ = std::fs::remove_dir_all(&again);
    assert!(
        codegen(&spec, &again, &["--name", "persona-models"])
            .status
            .success()
    );
    assert_eq!(
        lib,
        std::fs::read_to_string(again.join("src/lib.rs")).unwrap()
    );
}

#[test]
fn bad_input_is_a_clear_exit_2() {
    let dir = std::env::temp_dir().join(format!("covenant-codegen-{}", std::process::id()));
    let missing = codegen(Path::new("/nonexistent/spec.yaml"), &dir, &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/spec.yaml"));
    let bad_name = codegen(
        &root().join("specs/iron.yaml"),
        &dir,
        &["--name", "not a name"],
    );
    assert_eq!(bad_name.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_name.stderr).contains("not a valid package name"));
    assert!(!dir.exists(), "nothing written on bad input");
}
