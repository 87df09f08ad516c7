//! Where generated files live in the covenant workspace, and the drift check that
//! `cargo xtask codegen --check` and the test suite share.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Generated, Options, Unmapped};

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("cannot list {path}: {source}")]
    List {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Load(#[from] covenant_spec::LoadError),
    #[error("{0}")]
    Codegen(#[from] crate::CodegenError),
}

/// One spec's generated crate, with its files relative to the workspace root.
#[derive(Debug)]
pub struct Planned {
    pub spec: PathBuf,
    pub provider: String,
    pub generated: Generated,
    pub files: BTreeMap<PathBuf, String>,
}

impl Planned {
    pub fn crate_dir(&self) -> PathBuf {
        PathBuf::from("crates").join(&self.generated.crate_name)
    }

    pub fn unmapped(&self) -> &[Unmapped] {
        &self.generated.unmapped
    }
}

/// The specs under `<root>/specs`, sorted.
pub fn specs(root: &Path) -> Result<Vec<PathBuf>, WorkspaceError> {
    let dir = root.join("specs");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|source| WorkspaceError::List {
            path: dir.clone(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Generates (in memory) the model crate of every spec of the workspace.
pub fn plan(root: &Path) -> Result<Vec<Planned>, WorkspaceError> {
    let mut out = Vec::new();
    for spec_path in specs(root)? {
        let spec = covenant_spec::Spec::load(&spec_path)?;
        let label = spec_path
            .strip_prefix(root)
            .unwrap_or(&spec_path)
            .to_string_lossy()
            .replace('\\', "/");
        let generated = crate::generate(
            &spec,
            &Options {
                validate_dependency: r#"{ path = "../covenant-validate" }"#.into(),
                spec_label: label,
            },
        )?;
        let dir = PathBuf::from("crates").join(&generated.crate_name);
        let mut files = BTreeMap::new();
        files.insert(dir.join("Cargo.toml"), generated.cargo_toml.clone());
        files.insert(dir.join("src/lib.rs"), generated.lib_rs.clone());
        // Named per crate: examples of different packages share target/debug/examples.
        files.insert(
            dir.join(format!(
                "examples/{}.rs",
                schema_example_name(&generated.crate_name)
            )),
            generated.schema_example.clone(),
        );
        out.push(Planned {
            spec: spec_path,
            provider: spec.provider.clone(),
            generated,
            files,
        });
    }
    Ok(out)
}

/// The name of a model crate's JSON Schema export example (`models_rebilly_json_schemas`).
pub fn schema_example_name(crate_name: &str) -> String {
    format!("{}_json_schemas", crate_name.replace('-', "_"))
}

/// Files (relative to `root`) whose committed content differs from `expected`.
pub fn stale(root: &Path, expected: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    expected
        .iter()
        .filter(|(path, content)| {
            std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str())
        })
        .map(|(p, _)| p.clone())
        .collect()
}

/// The JSON Schema files of one provider (`specs/json-schema/<provider>/<Type>.json`)
/// for the schemas a model crate exports.
pub fn schema_files(
    provider: &str,
    schemas: &serde_json::Map<String, serde_json::Value>,
) -> BTreeMap<PathBuf, String> {
    schemas
        .iter()
        .map(|(name, schema)| {
            let text = serde_json::to_string_pretty(schema).unwrap_or_default() + "\n";
            (
                PathBuf::from("specs/json-schema")
                    .join(provider)
                    .join(format!("{name}.json")),
                text,
            )
        })
        .collect()
}

/// JSON Schema files present under `specs/json-schema/<provider>` that are not expected.
pub fn extra_schema_files(
    root: &Path,
    provider: &str,
    expected: &BTreeMap<PathBuf, String>,
) -> Vec<PathBuf> {
    let dir = PathBuf::from("specs/json-schema").join(provider);
    let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| dir.join(e.file_name()))
        .filter(|p| !expected.contains_key(p))
        .collect();
    out.sort();
    out
}
