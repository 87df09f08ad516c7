//! Audit snapshots: a provider's behaviour as redacted, normalised exchanges that
//! auditors review as plain diffs (`cargo insta review`, or the Markdown/HTML report).
//!
//! Per operation of a spec, a fixed, seeded set of exchanges is recorded
//! ([`record::record`], or [`record::record_mock`] for the embedded mock):
//!
//! | kind | what is sent |
//! |---|---|
//! | `happy_path` | the spec's request example if there is one that validates, else a generated minimal valid request |
//! | `reject_<keyword>` | one request per JSON Schema keyword (`required`, `type`, `enum`, `pattern`, ...) that breaks exactly that one constraint (covenant-gen negatives; body first) |
//! | `auth_missing`, `auth_wrong` | the happy path without / with wrong credentials (operations that need them) |
//! | `idempotent_replay` | one valid request sent twice with the same key (`x-covenant-idempotency`) |
//! | `create_then_read` | the create operation of the resource, then this read with the id it returned (`x-covenant-resource`) |
//! | `unknown_id` | a read of an id nobody created |
//!
//! Cases come from the conformance runner's plan and case generation and are sent
//! with its client, one at a time, so a snapshot shows what the runner exercises.
//!
//! Each exchange is normalised ([`normalise::normalise`]) into YAML with sorted keys:
//! `request` (method, path, query, headers, body, which credentials) and `response`
//! (status, headers without transport ones like `date`, body). **Before anything is
//! written**, everything passes ONE [`covenant_redact::Redactor`] per provider, so
//! placeholders cross-reference (the id created by one exchange and read by the next
//! is the same `<id-N>`). The redaction rules (secrets removed, personal data masked
//! by `x-personal-data`, formats and field names, volatile values turned into stable
//! placeholders) are documented in [`covenant_redact`] (`crates/covenant-redact/src/lib.rs`).
//!
//! Files are insta `.snap` files, one per provider: in this crate's
//! `tests/snapshots/` for the test suite (the embedded mock of every spec in
//! `specs/`, reviewed with `cargo insta review`), and `<provider>.snap` under
//! `--out` for the CLI.
//!
//! # Commands
//!
//! ```text
//! # record the embedded mock (or a live provider with --base-url; credentials from covenant.toml)
//! covenant snapshot --spec specs/rebilly.yaml --mock --out snapshots/
//! # fail (exit 1) if the provider no longer matches the stored snapshot; writes nothing
//! covenant snapshot --spec specs/rebilly.yaml --mock --out snapshots/ --check
//! # behaviour diff for CI: records into --out, writes snapshot-report.md and report.html
//! # (optionally with a conformance run's report.json), exit 1 when an exchange changed
//! covenant snapshot --spec specs/rebilly.yaml --base-url https://sandbox.example \
//!     --compare snapshots/ --out drift/ --run-report reports/report.json
//! # the test-suite snapshots of every spec's mock
//! cargo test -p covenant-snapshot && cargo insta review
//! ```
//!
//! Exit codes: 0 unchanged (or written), 1 an exchange changed, 2 could not run.

pub mod compare;
pub mod error;
pub mod html;
pub mod normalise;
pub mod record;

use std::path::{Path, PathBuf};

pub use compare::{Change, ExchangeDiff, ProviderDiff, compare, markdown};
pub use error::SnapshotError;
pub use normalise::{Snapshot, normalise, redactor_for};
pub use record::{Options, Recording, local_credentials, record, record_mock};

/// File names written next to the snapshots by a comparison.
pub const MARKDOWN_REPORT: &str = "snapshot-report.md";
pub const HTML_REPORT: &str = "report.html";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `<provider>.snap` into `dir` (created if needed); returns its path.
pub fn write_snapshot(dir: &Path, snapshot: &Snapshot) -> Result<PathBuf, SnapshotError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(snapshot.file_name());
    std::fs::write(&path, snapshot.to_snap_file()).map_err(io(&path))?;
    Ok(path)
}

/// Reads `<provider>.snap` from `dir`.
pub fn read_snapshot(dir: &Path, provider: &str) -> Result<Snapshot, SnapshotError> {
    let path = dir.join(format!("{provider}.snap"));
    if !path.exists() {
        return Err(SnapshotError::Missing { path });
    }
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    Snapshot::from_snap_file(&path, &text)
}

/// Writes the Markdown and HTML reports of a comparison into `dir`; returns their paths.
pub fn write_reports(
    dir: &Path,
    diffs: &[ProviderDiff],
    run: Option<&covenant_runner::Report>,
    redactor: &mut covenant_redact::Redactor,
) -> Result<(PathBuf, PathBuf), SnapshotError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let md = dir.join(MARKDOWN_REPORT);
    let text = redactor.text(&markdown(diffs));
    std::fs::write(&md, text).map_err(io(&md))?;
    let html_path = dir.join(HTML_REPORT);
    std::fs::write(&html_path, html::render(run, diffs, redactor)).map_err(io(&html_path))?;
    Ok((md, html_path))
}
