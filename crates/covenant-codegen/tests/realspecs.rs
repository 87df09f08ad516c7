//! The generator on real-world specs (not committed): Onfido's output compiles, and
//! Stripe's generates without a panic, reporting what it cannot map by location.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn generate(file: &str) -> Option<(covenant_codegen::Generated, std::time::Duration)> {
    // Always Some: the real specs ship in ../shared/realspecs on every machine.
    let path = root().join("../shared/realspecs").join(file);
    let spec = covenant_spec::Spec::load(&path).expect("loads");
    let validate = root()
        .join("crates/covenant-validate")
        .canonicalize()
        .unwrap();
    let started = std::time::Instant::now();
    let g = covenant_codegen::generate(
        &spec,
        &covenant_codegen::Options {
            validate_dependency: format!("{{ path = {:?} }}", validate.to_string_lossy()),
            spec_label: file.into(),
            crate_name: None,
        },
    )
    .expect("generates");
    Some((g, started.elapsed()))
}

#[test]
fn stripe_generates_and_reports_unmapped_constructs() {
    let (g, took) = generate("stripe-spec3.yaml").expect("generates");
    eprintln!(
        "stripe: generated {} bytes, {} exported types in {took:?}, {} unmapped",
        g.lib_rs.len(),
        g.exported.len(),
        g.unmapped.len()
    );
    assert!(g.lib_rs.starts_with(covenant_codegen::HEADER));
    assert!(g.exported.len() > 500);
    // Stripe uses anyOf/oneOf over refs and nullable, all of which map; spot-check
    // that real types came out rather than Value fallbacks.
    for ty in [
        "pub struct Customer ",
        "pub struct PaymentIntent ",
        "pub struct Charge ",
    ] {
        assert!(g.lib_rs.contains(ty), "{ty} missing from Stripe output");
    }
    for u in &g.unmapped {
        assert!(
            u.pointer.starts_with('/') && u.location.contains("stripe-spec3.yaml"),
            "{u}"
        );
    }
}

fn generate_iron(path: &std::path::Path) -> covenant_codegen::Generated {
    let spec = covenant_spec::Spec::load(path).expect("loads");
    covenant_codegen::generate(
        &spec,
        &covenant_codegen::Options {
            validate_dependency: "{ path = \"../covenant-validate\" }".into(),
            spec_label: "specs/iron.yaml".into(),
            crate_name: None,
        },
    )
    .expect("generates")
}

#[test]
fn unmapped_constructs_are_reported_by_name_and_location() {
    // Iron's PersonIdentificationStepStatus forbids the company_* properties with
    // `not: {anyOf: [{required: [..]}, ..]}`, which the models check. A `not` that
    // requires two names at once (forbidding the pair, not each) is not mapped.
    let committed = std::fs::read_to_string(root().join("specs/iron.yaml")).unwrap();
    let idiom = "      not:\n        anyOf:\n          - required:\n              - company_beneficiaries\n          - required:\n              - company_data\n          - required:\n              - company_documents\n";
    assert!(
        committed.contains(idiom),
        "iron.yaml no longer has the `not` idiom"
    );
    let changed = committed.replace(
        idiom,
        "      not:\n        required:\n          - company_data\n          - company_documents\n",
    );
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("iron-not.yaml");
    std::fs::write(&path, changed).unwrap();
    let g = generate_iron(&path);
    let not = g
        .unmapped
        .iter()
        .find(|u| u.pointer.ends_with("/not"))
        .unwrap_or_else(|| panic!("`not` not reported: {:?}", g.unmapped));
    assert!(
        not.pointer
            .starts_with("/components/schemas/PersonIdentificationStepStatus"),
        "{not}"
    );
    assert!(
        not.location.contains("iron-not.yaml:") && not.to_string().contains("not"),
        "{not}"
    );
    assert!(
        generate_iron(&root().join("specs/iron.yaml"))
            .unmapped
            .is_empty(),
        "the committed specs map completely"
    );
}

#[test]
fn onfido_output_compiles() {
    let (g, took) = generate("onfido-v3.6.json").expect("generates");
    eprintln!(
        "onfido: generated in {took:?}, {} unmapped",
        g.unmapped.len()
    );
    let dir = root().join("target/codegen-onfido");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    // An empty [workspace] keeps the temp crate out of covenant's workspace.
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("{}\n[workspace]\n", g.cargo_toml),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), &g.lib_rs).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", root().join("target/codegen-check"))
        .args(["check", "--quiet", "--offline"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "onfido models do not compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
