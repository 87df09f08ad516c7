//! The check table (`covenant_runner::checks::TABLE`), the checks `covenant run
//! --help` and `covenant check --help` list, and the check names the published
//! report schema (`crates/covenant-runner/schema/report.schema.json`) allows are
//! the same list, in the same order. Adding a check to the table fails here until
//! the schema's `$defs/check/enum` lists it.

use std::process::Command;

use covenant_runner::checks::TABLE;

/// The `(name, description)` rows of the "Checks" section of a subcommand's help.
fn checks_in_help(subcommand: &str) -> Vec<(String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .args([subcommand, "--help"])
        .output()
        .expect("covenant runs");
    assert!(out.status.success(), "{subcommand} --help failed");
    let help = String::from_utf8(out.stdout).expect("UTF-8 help");
    let section = help
        .split_once("Checks (select with --checks a,b; default all):\n")
        .unwrap_or_else(|| panic!("no Checks section in `{subcommand} --help`:\n{help}"))
        .1;
    // clap wraps long descriptions: a line that does not start with a check name
    // continues the previous description.
    let mut rows: Vec<(String, String)> = Vec::new();
    for l in section.lines().take_while(|l| l.starts_with("  ")) {
        let l = l.trim();
        let (first, rest) = l.split_once(' ').unwrap_or((l, ""));
        match rows.last_mut() {
            Some(last) if !TABLE.iter().any(|r| r.name == first) => {
                last.1 = format!("{} {l}", last.1);
            }
            _ => rows.push((first.to_string(), rest.trim().to_string())),
        }
    }
    rows
}

#[test]
fn table_help_and_report_schema_agree() {
    let table: Vec<(String, String)> = TABLE
        .iter()
        .map(|r| (r.name.to_string(), r.description.to_string()))
        .collect();
    for subcommand in ["run", "check"] {
        assert_eq!(
            checks_in_help(subcommand),
            table,
            "`covenant {subcommand} --help` lists other checks than checks::TABLE"
        );
    }

    let schema: serde_json::Value =
        serde_json::from_str(covenant_runner::report::REPORT_SCHEMA).expect("the schema is JSON");
    let in_schema: Vec<&str> = schema
        .pointer("/$defs/check/enum")
        .and_then(|v| v.as_array())
        .expect("report.schema.json has $defs/check/enum")
        .iter()
        .map(|v| v.as_str().expect("check names are strings"))
        .collect();
    let names: Vec<&str> = TABLE.iter().map(|r| r.name).collect();
    assert_eq!(
        in_schema, names,
        "report.schema.json's $defs/check/enum differs from checks::TABLE: list the table's names, in its order"
    );
}
