//! Why a run could not happen (exit code 2). Contract violations are not errors:
//! they are results in the report.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("{}: bad configuration: {message}", path.display())]
    Config { path: PathBuf, message: String },
    #[error(transparent)]
    Spec(#[from] covenant_spec::LoadError),
    #[error("{provider}: provider unreachable at {base_url}: {message}")]
    Unreachable {
        provider: String,
        base_url: String,
        message: String,
    },
    /// `schemes`: each missing scheme with the variable(s) that would give it.
    #[error("{provider}: no credentials for security scheme {schemes}")]
    MissingCredentials { provider: String, schemes: String },
    #[error("{0}")]
    Options(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a covenant report: {message}", path.display())]
    BadReport { path: PathBuf, message: String },
    #[error("HTTP client: {0}")]
    Client(String),
}
