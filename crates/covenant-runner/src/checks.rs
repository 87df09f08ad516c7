//! The named checks, as data: [`TABLE`] holds each check's name, its one-line
//! description and the case kinds it judges. Everything else reads the table: the
//! [`Check`] enum is generated from it, serde writes and reads the names through it,
//! `covenant run --help` and `covenant check --help` print [`Check::help_table`], and
//! `schema/report.schema.json` lists the same names (covenant-cli's
//! `tests/check_table.rs` fails when the table, the help text and the schema
//! disagree). The judging itself is in [`crate::judge`].
//!
//! Names are stable: they appear in reports, baselines and `--checks`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cases::Kind;

/// One row of [`TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub check: Check,
    /// The stable name (reports, baselines, `--checks`).
    pub name: &'static str,
    /// One line, as `--help` prints it.
    pub description: &'static str,
    /// The case kinds whose exchanges the check judges (a check may still skip an
    /// exchange it has nothing to say about).
    pub judges: &'static [Kind],
}

/// Every case kind: the checks every answer gets.
const EVERY_KIND: &[Kind] = &Kind::ALL;

/// Declares [`Check`] and [`TABLE`] from one list, so a check's variant and its row
/// cannot drift apart.
macro_rules! check_table {
    ($(
        $variant:ident {
            name: $name:literal,
            description: $description:literal,
            judges: $judges:expr $(,)?
        }
    ),+ $(,)?) => {
        /// One contract check; its row of [`TABLE`] says what it is.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Check {
            $(#[doc = $description] $variant,)+
        }

        /// Every check, in report order.
        pub const TABLE: &[Row] = &[
            $(Row {
                check: Check::$variant,
                name: $name,
                description: $description,
                judges: $judges,
            },)+
        ];

        impl Check {
            /// Every check, in report order.
            pub const ALL: [Check; TABLE.len()] = [$(Check::$variant,)+];
        }
    };
}

check_table! {
    ServerError {
        name: "server_error",
        description: "no 5xx answer, no connection error, no timeout, for any request",
        judges: EVERY_KIND,
    },
    StatusDocumented {
        name: "status_documented",
        description: "every status code is documented for the operation",
        judges: EVERY_KIND,
    },
    ContentType {
        name: "content_type",
        description: "the Content-Type is one the spec documents for that status (any where it documents no content)",
        judges: EVERY_KIND,
    },
    ResponseHeaders {
        name: "response_headers",
        description: "required documented response headers are present and match their schema",
        judges: EVERY_KIND,
    },
    ResponseSchema {
        name: "response_schema",
        description: "JSON bodies parse and validate against the documented schema for that status",
        judges: EVERY_KIND,
    },
    PositiveAccepted {
        name: "positive_accepted",
        description: "a valid request is not rejected (2xx)",
        judges: &[
            Kind::Positive,
            Kind::IdempotentReplay,
            Kind::CreateThenRead,
            Kind::UpdateThenRead,
            Kind::DeleteThenRead,
        ],
    },
    NegativeRejected {
        name: "negative_rejected",
        description: "a request breaking exactly one constraint gets a 4xx; so does a malformed or missing JSON body",
        judges: &[Kind::Negative, Kind::BadBody],
    },
    ErrorShape {
        name: "error_shape",
        description: "error answers use the status, content type and body shape of the spec's x-covenant-errors style",
        judges: &[Kind::Negative, Kind::AuthMissing, Kind::AuthWrong, Kind::UnknownId, Kind::BadBody],
    },
    ErrorNamesField {
        name: "error_names_field",
        description: "a validation error names the field the case broke, in the provider's notation",
        judges: &[Kind::Negative],
    },
    AuthRequired {
        name: "auth_required",
        description: "missing and wrong credentials are rejected with the documented 401/403",
        judges: &[Kind::AuthMissing, Kind::AuthWrong],
    },
    IdempotentReplay {
        name: "idempotent_replay",
        description: "a replay with the same idempotency key gets the same status and body (x-covenant-idempotency)",
        judges: &[Kind::IdempotentReplay],
    },
    CreateThenRead {
        name: "create_then_read",
        description: "what a create returns is what a read gives back; unknown ids, and ids of another resource, get not-found (x-covenant-resource, or inferred)",
        judges: &[Kind::CreateThenRead, Kind::UnknownId, Kind::ForeignId],
    },
    UpdateThenRead {
        name: "update_then_read",
        description: "after an update of a created resource, a read gives back what the update sent, or the value the update's answer gave it (x-covenant-resource, or inferred from REST paths)",
        judges: &[Kind::UpdateThenRead],
    },
    DeleteThenRead {
        name: "delete_then_read",
        description: "after a delete of a created resource, a read of it is refused (no use after free)",
        judges: &[Kind::DeleteThenRead],
    },
    LinkWalk {
        name: "link_walk",
        description: "seeded walks from a create along OpenAPI links (and inferred resources): each request built from earlier answers, every answer passing the single-exchange checks",
        judges: &[Kind::LinkWalk],
    },
    ResponseTime {
        name: "response_time",
        description: "each answer arrives within --max-response-time (off when unset)",
        judges: EVERY_KIND,
    },
    RequestValid {
        name: "request_valid",
        description: "covenant proxy only: a client's request follows the operation's parameters and body (a finding against the client)",
        judges: EVERY_KIND,
    },
}

impl Check {
    /// The check's row of [`TABLE`].
    pub fn row(self) -> &'static Row {
        // The macro writes the rows in the order of the variants.
        &TABLE[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.row().name
    }

    pub fn description(self) -> &'static str {
        self.row().description
    }

    /// Whether the check judges cases of `kind` (see [`Row::judges`]).
    pub fn judges(self, kind: Kind) -> bool {
        self.row().judges.contains(&kind)
    }

    /// The help text listing every check, as `covenant run --help` and
    /// `covenant check --help` print it.
    pub fn help_table() -> String {
        let mut out = String::from("Checks (select with --checks a,b; default all):\n");
        for row in TABLE {
            out.push_str(&format!("  {:<18} {}\n", row.name, row.description));
        }
        out
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Check {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Check {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Check, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// An unknown check name.
#[derive(Debug, thiserror::Error)]
#[error("unknown check `{0}`; known checks: {known}", known = Check::ALL.map(Check::name).join(", "))]
pub struct UnknownCheck(pub String);

impl FromStr for Check {
    type Err = UnknownCheck;
    fn from_str(s: &str) -> Result<Check, UnknownCheck> {
        TABLE
            .iter()
            .find(|row| row.name == s.trim())
            .map(|row| row.check)
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
            assert_eq!(c.row().check, c);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.name()));
            assert_eq!(serde_json::from_str::<Check>(&json).unwrap(), c);
        }
        assert!(serde_json::from_str::<Check>("\"nope\"").is_err());
        assert_eq!(
            parse_list("server_error, response_time").unwrap(),
            vec![Check::ServerError, Check::ResponseTime]
        );
        let err = parse_list("server_error,nope").unwrap_err();
        assert!(err.to_string().contains("`nope`"));
        assert!(Check::help_table().contains("error_names_field"));
    }

    /// Names are snake_case and unique; every check judges some kind of case, and
    /// every kind of case is judged by a check of its own besides the generic ones.
    #[test]
    fn the_table_is_well_formed() {
        let mut names: Vec<&str> = TABLE.iter().map(|r| r.name).collect();
        assert!(
            names.iter().all(|n| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            })
        );
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TABLE.len(), "duplicate check names");
        for row in TABLE {
            assert!(!row.judges.is_empty(), "{} judges nothing", row.name);
            assert!(!row.description.contains('\n'), "{}: one line", row.name);
        }
        for kind in Kind::ALL {
            assert!(
                TABLE
                    .iter()
                    .any(|r| r.judges != EVERY_KIND && r.judges.contains(&kind)),
                "no check of its own judges {} cases",
                kind.label()
            );
        }
    }
}
