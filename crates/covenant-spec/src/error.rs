//! Error and diagnostic types. Every problem carries a [`Location`]: the file, the
//! 1-based line and column where known, and the JSON Pointer of the node.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a problem is. `line`/`column` are 1-based; 0 means unknown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub pointer: Option<String>,
}

impl Location {
    pub fn file(path: &Path) -> Location {
        Location::at(path, 0, 0, None)
    }

    pub fn at(path: &Path, line: usize, column: usize, pointer: Option<String>) -> Location {
        Location {
            file: path.to_path_buf(),
            line,
            column,
            pointer,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if let Some(p) = &self.pointer {
            write!(f, " (#{p})")?;
        }
        Ok(())
    }
}

/// How bad a diagnostic is. Errors make `covenant lint` exit 1 and `Spec::load` fail;
/// warnings name constructs the toolkit does not support yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One finding about a spec, with a stable `code` for filtering.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub location: Location,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}]: {}",
            self.location, self.severity, self.code, self.message
        )
    }
}

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
    #[error("{location}: {message}")]
    Version { location: Location, message: String },
    #[error("{location}: not a valid OpenAPI 3.0 document: {message}")]
    Structure { location: Location, message: String },
    #[error("{} error(s) in the spec:\n{}", .0.len(), .0.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

impl LoadError {
    /// The location of the (first) problem.
    pub fn location(&self) -> Location {
        match self {
            LoadError::Io { path, .. } => Location::file(path),
            LoadError::Syntax { location, .. }
            | LoadError::Version { location, .. }
            | LoadError::Structure { location, .. } => location.clone(),
            LoadError::Invalid(d) => d
                .first()
                .map(|d| d.location.clone())
                .unwrap_or_else(|| Location::file(Path::new(""))),
        }
    }
}
