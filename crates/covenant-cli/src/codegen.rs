//! `covenant codegen`: a standalone model crate for any spec, made by the same
//! library as `cargo xtask codegen`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `covenant codegen`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The crate has its own empty [workspace] table, so it builds where it is written
(`cargo build --manifest-path DIR/Cargo.toml`). Its only non-crates.io dependency is
covenant-validate, by default at its path in the covenant checkout this binary was
built from; pass --validate-dep for another source (a git dependency, say).

Constructs without a faithful Rust mapping become serde_json::Value and are listed on
stderr as `file:line:column: construct (#/pointer)`; they do not fail the command.
Output is deterministic: the same spec gives the same bytes.

Exit codes: 0 written, 2 the spec cannot be loaded or the crate cannot be written.")]
pub struct CodegenArgs {
    /// The OpenAPI 3.0 or 3.1 document (YAML or JSON).
    #[arg(long)]
    spec: PathBuf,
    /// The directory to write the crate into (Cargo.toml, src/lib.rs); created if
    /// missing. Files covenant did not write there are left alone.
    #[arg(long)]
    out: PathBuf,
    /// The package name [default: models-<provider>, the provider being
    /// `info.x-provider` or the spec file's stem].
    #[arg(long)]
    name: Option<String>,
    /// The covenant-validate dependency as a Cargo.toml value, e.g.
    /// `{ git = "https://example.invalid/covenant" }`.
    #[arg(long)]
    validate_dep: Option<String>,
}

pub fn run(args: CodegenArgs) -> ExitCode {
    match generate(&args) {
        Ok(unmapped) => {
            for u in &unmapped {
                eprintln!("{u}");
            }
            eprintln!(
                "wrote {} ({} construct{} mapped to serde_json::Value)",
                args.out.display(),
                unmapped.len(),
                if unmapped.len() == 1 { "" } else { "s" }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn generate(args: &CodegenArgs) -> Result<Vec<covenant_codegen::Unmapped>, String> {
    if let Some(name) = &args.name
        && !valid_package_name(name)
    {
        return Err(format!(
            "`{name}` is not a valid package name (ASCII letters, digits, `-` and `_`, starting with a letter)"
        ));
    }
    let spec = covenant_spec::Spec::load(&args.spec).map_err(|e| e.to_string())?;
    let validate_dependency = match &args.validate_dep {
        Some(dep) => dep.clone(),
        None => format!("{{ path = {:?} }}", default_validate_path()),
    };
    let generated = covenant_codegen::generate(
        &spec,
        &covenant_codegen::Options {
            validate_dependency,
            spec_label: args
                .spec
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            crate_name: args.name.clone(),
        },
    )
    .map_err(|e| e.to_string())?;
    let write = |rel: &str, text: &str| -> Result<(), String> {
        let path = args.out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    // An empty [workspace] makes the crate its own workspace root wherever it lands.
    write(
        "Cargo.toml",
        &format!("{}\n[workspace]\n", generated.cargo_toml),
    )?;
    write("src/lib.rs", &generated.lib_rs)?;
    Ok(generated.unmapped)
}

/// covenant-validate in the checkout this binary was built from.
fn default_validate_path() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../covenant-validate");
    path.canonicalize()
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn valid_package_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
