//! `cargo xtask codegen [--check]`: regenerates the model crates (`crates/models-*`),
//! the lists of them (covenant-codegen's dev-dependencies and its tests' dispatch,
//! `covenant_codegen::workspace::model_lists`) and their exported JSON Schemas
//! (`specs/json-schema/<provider>/<Type>.json`) from `specs/`, or with `--check`
//! writes nothing and fails naming every stale file.
//!
//! The JSON Schemas come from schemars, so they need the model crates compiled: the
//! task runs each crate's generated `json_schemas` example. With `--check`, that step
//! runs only when the crate's Rust files are fresh (stale code is reported first).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use covenant_codegen::workspace;

pub fn run(root: &Path, check: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let plans = workspace::plan(root)?;
    let generated_in = started.elapsed();
    let mut stale: Vec<PathBuf> = Vec::new();
    let lists = workspace::model_lists(root, &plans)?;
    let lists_stale = workspace::stale(root, &lists);
    if check {
        stale.extend(lists_stale);
    } else {
        write(root, &lists_stale, &lists)?;
    }
    for plan in &plans {
        for u in plan.unmapped() {
            eprintln!("warning: {}: not mapped: {u}", plan.provider);
        }
        let rust_stale = workspace::stale(root, &plan.files);
        if check {
            stale.extend(rust_stale.iter().cloned());
        } else {
            write(root, &rust_stale, &plan.files)?;
        }
        if check && !rust_stale.is_empty() {
            eprintln!(
                "note: {}: JSON Schemas not checked until the model crate is regenerated",
                plan.provider
            );
            continue;
        }
        let schemas = export_schemas(root, &plan.generated.crate_name)?;
        let files = workspace::schema_files(&plan.provider, &schemas);
        let extra = workspace::extra_schema_files(root, &plan.provider, &files);
        let schema_stale = workspace::stale(root, &files);
        if check {
            stale.extend(schema_stale);
            stale.extend(extra);
        } else {
            write(root, &schema_stale, &files)?;
            for path in &extra {
                std::fs::remove_file(root.join(path))
                    .with_context(|| format!("removing {}", path.display()))?;
                println!("removed {}", path.display());
            }
        }
    }
    eprintln!(
        "codegen: {} specs generated in {:.0} ms (total with JSON Schema export {:.1} s)",
        plans.len(),
        generated_in.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64()
    );
    if !stale.is_empty() {
        for s in &stale {
            eprintln!("stale: {}", s.display());
        }
        bail!(
            "{} generated file(s) are stale; run `cargo xtask codegen`",
            stale.len()
        );
    }
    Ok(())
}

/// Writes the files `paths` (relative to `root`) with their content in `files`.
fn write(root: &Path, paths: &[PathBuf], files: &BTreeMap<PathBuf, String>) -> anyhow::Result<()> {
    for path in paths {
        let full = root.join(path);
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&full, &files[path])
            .with_context(|| format!("writing {}", full.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// Runs the model crate's `json_schemas` example and parses its output.
fn export_schemas(
    root: &Path,
    crate_name: &str,
) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "-p",
            crate_name,
            "--example",
            &covenant_codegen::workspace::schema_example_name(crate_name),
        ])
        .output()
        .with_context(|| format!("running the json_schemas example of {crate_name}"))?;
    if !out.status.success() {
        bail!(
            "the json_schemas example of {crate_name} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).with_context(|| {
        format!("the json_schemas example of {crate_name} printed no JSON object")
    })?;
    match value {
        serde_json::Value::Object(m) => Ok(m),
        _ => bail!("the json_schemas example of {crate_name} printed no JSON object"),
    }
}
