//! The named checks the runner applies, with the one-line documentation that
//! `covenant run --help` prints. Names are stable: they appear in reports,
//! baselines and `--checks`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One contract check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    ServerError,
    StatusDocumented,
    ContentType,
    ResponseHeaders,
    ResponseSchema,
    PositiveAccepted,
    NegativeRejected,
    ErrorShape,
    ErrorNamesField,
    AuthRequired,
    IdempotentReplay,
    CreateThenRead,
    ResponseTime,
}

impl Check {
    pub const ALL: [Check; 13] = [
        Check::ServerError,
        Check::StatusDocumented,
        Check::ContentType,
        Check::ResponseHeaders,
        Check::ResponseSchema,
        Check::PositiveAccepted,
        Check::NegativeRejected,
        Check::ErrorShape,
        Check::ErrorNamesField,
        Check::AuthRequired,
        Check::IdempotentReplay,
        Check::CreateThenRead,
        Check::ResponseTime,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::ServerError => "server_error",
            Check::StatusDocumented => "status_documented",
            Check::ContentType => "content_type",
            Check::ResponseHeaders => "response_headers",
            Check::ResponseSchema => "response_schema",
            Check::PositiveAccepted => "positive_accepted",
            Check::NegativeRejected => "negative_rejected",
            Check::ErrorShape => "error_shape",
            Check::ErrorNamesField => "error_names_field",
            Check::AuthRequired => "auth_required",
            Check::IdempotentReplay => "idempotent_replay",
            Check::CreateThenRead => "create_then_read",
            Check::ResponseTime => "response_time",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Check::ServerError => "no 5xx answer, no connection error, no timeout, for any request",
            Check::StatusDocumented => "every status code is documented for the operation",
            Check::ContentType => {
                "the Content-Type is one the spec documents for that status (empty body when none)"
            }
            Check::ResponseHeaders => {
                "required documented response headers are present and match their schema"
            }
            Check::ResponseSchema => {
                "JSON bodies parse and validate against the documented schema for that status"
            }
            Check::PositiveAccepted => "a valid request is not rejected (2xx)",
            Check::NegativeRejected => "a request breaking exactly one constraint gets a 4xx",
            Check::ErrorShape => {
                "error answers use the status, content type and body shape of the spec's x-covenant-errors style"
            }
            Check::ErrorNamesField => {
                "a validation error names the field the case broke, in the provider's notation"
            }
            Check::AuthRequired => {
                "missing and wrong credentials are rejected with the documented 401/403"
            }
            Check::IdempotentReplay => {
                "a replay with the same idempotency key gets the same status and body (x-covenant-idempotency)"
            }
            Check::CreateThenRead => {
                "what a create returns is what a read gives back; unknown ids get not-found (x-covenant-resource)"
            }
            Check::ResponseTime => {
                "each answer arrives within --max-response-time (off when unset)"
            }
        }
    }

    /// The help text listing every check (for `covenant run --help`).
    pub fn help_table() -> String {
        let mut out = String::from("Checks (select with --checks a,b; default all):\n");
        for c in Check::ALL {
            out.push_str(&format!("  {:<18} {}\n", c.name(), c.description()));
        }
        out
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown check name.
#[derive(Debug, thiserror::Error)]
#[error("unknown check `{0}`; known checks: {known}", known = Check::ALL.map(Check::name).join(", "))]
pub struct UnknownCheck(pub String);

impl FromStr for Check {
    type Err = UnknownCheck;
    fn from_str(s: &str) -> Result<Check, UnknownCheck> {
        Check::ALL
            .into_iter()
            .find(|c| c.name() == s.trim())
            .ok_or_else(|| UnknownCheck(s.trim().to_string()))
    }
}

/// Parses `a,b,c` into checks (empty items ignored).
pub fn parse_list(s: &str) -> Result<Vec<Check>, UnknownCheck> {
    let mut out: Vec<Check> = s
        .split(',')
        .filter(|x| !x.trim().is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for c in Check::ALL {
            assert_eq!(c.name().parse::<Check>().unwrap(), c);
        }
        assert_eq!(
            parse_list("server_error, response_time").unwrap(),
            vec![Check::ServerError, Check::ResponseTime]
        );
        let err = parse_list("server_error,nope").unwrap_err();
        assert!(err.to_string().contains("`nope`"));
        assert!(Check::help_table().contains("error_names_field"));
    }
}
