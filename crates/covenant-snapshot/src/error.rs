//! What can go wrong recording, reading, writing or comparing a snapshot.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(
        "{provider}: no credentials for security scheme(s) {schemes}, or configure them in covenant.toml"
    )]
    Credentials { provider: String, schemes: String },
    #[error("HTTP client: {0}")]
    Client(String),
    #[error("embedded mock: {0}")]
    Mock(String),
    #[error("{}: not a snapshot file: {message}", path.display())]
    BadSnapshot { path: PathBuf, message: String },
    #[error("{}: no stored snapshot to compare with (record one first with --out)", path.display())]
    Missing { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
