//! `cargo xtask provenance [--check]`: writes `specs/PROVENANCE.md` from every
//! spec's `x-assumptions` (see `covenant_spec::provenance`).

use std::path::Path;

use anyhow::{Context, Result, bail};
use covenant_spec::Spec;

pub fn run(root: &Path, check: bool) -> Result<()> {
    let mut files: Vec<_> = std::fs::read_dir(root.join("specs"))
        .context("reading specs/")?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let specs = files
        .iter()
        .map(|f| Spec::load(f).map_err(|e| anyhow::anyhow!("{e}")))
        .collect::<Result<Vec<_>>>()?;
    let text = covenant_spec::provenance::render(&specs);
    let path = root.join("specs/PROVENANCE.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if check {
        if current != text {
            bail!("{} is stale: run `cargo xtask provenance`", path.display());
        }
        eprintln!("{} is up to date", path.display());
    } else if current != text {
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
