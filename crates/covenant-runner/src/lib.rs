//! covenant's conformance runner: points at any provider (a live sandbox, the
//! embedded mock, someone else's mock) and learns every way it breaks its contract.
//!
//! For each operation of a spec (read only through `covenant-spec`), it generates
//! cases with `covenant-gen` as a pure function of (spec, seed, budget) — valid
//! requests, requests that each break one constraint, missing/wrong credentials,
//! idempotent replays, create-then-read sequences — sends them with bounded
//! concurrency, a rate limit and per-request timeouts, applies the named
//! [`Check`]s, shrinks each distinct failure to a minimal request that still fails
//! the same check, and writes reports whose curl reproductions name credentials
//! only by environment variable.
//!
//! ```no_run
//! # async fn demo() -> Result<(), covenant_runner::RunnerError> {
//! use covenant_runner::{RunOptions, Target};
//! let spec = std::sync::Arc::new(covenant_spec::Spec::load("specs/rebilly.yaml")?);
//! let target = Target::new("rebilly", spec, "http://127.0.0.1:8080", Default::default());
//! let provider = covenant_runner::run_target(&target, &RunOptions::default(), None).await;
//! let report = covenant_runner::new_report(&RunOptions::default(), vec![provider], Default::default());
//! std::process::exit(report.exit_code().into());
//! # }
//! ```

pub mod auth;
mod bad_body;
pub mod cases;
pub mod checks;
pub mod client;
pub mod config;
pub mod coverage;
pub mod curl;
pub mod error;
pub mod exec;
pub mod expr;
pub mod finding;
pub mod html;
pub mod judge;
pub mod plan;
pub mod read_back;
pub mod report;
pub mod request;
pub mod run;
pub mod shrink;
pub mod suite;
pub mod walk;

pub use checks::Check;
pub use client::ClientOptions;
pub use config::{Config, Credential, Credentials};
pub use error::RunnerError;
pub use report::{CredentialScrubber, Report, rfc3339};
pub use run::{Progress, RunOptions, Target, case_list, new_report, parse_partition, run_target};
