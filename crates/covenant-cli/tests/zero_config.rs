//! `covenant run --base-url mock` with no covenant.toml at all, as a new user runs
//! it: on every spec in specs/ and on a real provider's published spec (Onfido), the
//! run passes with every operation tested; an operation that cannot be tested makes
//! it exit 2 until it is excluded.

mod common;

use std::path::PathBuf;

use common::{root, run, scratch, summary};
use covenant_runner::report::Coverage;

#[test]
fn every_spec_passes_against_its_mock_without_config() {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("specs"))
        .expect("specs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    assert!(specs.len() >= 5, "{specs:?}");
    for spec in specs {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = scratch(&name);
        let (out, report) = run(&spec, &dir, 5, &[]);
        assert_eq!(out.status.code(), Some(0), "{name}:\n{}", summary(&report));
        let p = &report.providers[0];
        assert!(p.violations.is_empty(), "{name}:\n{}", summary(&report));
        assert!(
            p.operations.iter().all(|o| o.coverage == Coverage::Tested),
            "{name}:\n{}",
            summary(&report)
        );
        assert!(p.requests > 0, "{name}: nothing was sent");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Onfido's published spec, multipart uploads included: every operation tested,
/// no violation, no config.
#[test]
fn onfido_passes_against_its_mock() {
    let spec = root().join("../shared/realspecs/onfido-v3.6.json");
    assert!(
        spec.exists(),
        "{} (see ../shared/realspecs)",
        spec.display()
    );
    let dir = scratch("onfido");
    // The default budget: array parameters' negatives, for one, only show at scale.
    let (out, report) = run(&spec, &dir, 50, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", summary(&report));
    let p = &report.providers[0];
    assert!(p.violations.is_empty(), "{}", summary(&report));
    assert!(
        p.operations.iter().all(|o| o.coverage == Coverage::Tested),
        "{}",
        summary(&report)
    );
    assert!(p.operations.len() > 80);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An operation covenant cannot generate a body for (XML only) is not a pass: the
/// run exits 2 and names it, until the user excludes it.
#[test]
fn an_untested_operation_fails_the_run_until_excluded() {
    let dir = scratch("untested");
    let spec = dir.join("xml.yaml");
    std::fs::write(
        &spec,
        r#"openapi: 3.0.3
info: {title: xml, version: '1'}
paths:
  /things:
    post:
      operationId: postXml
      requestBody:
        required: true
        content:
          application/xml:
            schema: {type: object, properties: {a: {type: string}}}
      responses:
        '201': {description: created}
        '400': {description: bad}
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
"#,
    )
    .expect("spec written");
    let (out, report) = run(&spec, &dir, 5, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", summary(&report));
    let untested: Vec<&str> = report.providers[0]
        .untested()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(untested, ["postXml"], "{}", summary(&report));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("postXml (POST /things)") && stdout.contains("not tested"),
        "{stdout}"
    );
    assert!(
        std::fs::read_to_string(dir.join("reports/report.md"))
            .unwrap()
            .contains("postXml"),
        "report.md lists it"
    );
    for pattern in ["postXml", "post /things"] {
        let (out, report) = run(&spec, &dir, 5, &["--exclude-operation", pattern]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{pattern}: {}",
            summary(&report)
        );
        let coverage = |id: &str| {
            report.providers[0]
                .operations
                .iter()
                .find(|o| o.id == id)
                .map(|o| o.coverage)
        };
        assert_eq!(coverage("postXml"), Some(Coverage::Excluded), "{pattern}");
        assert_eq!(coverage("listThings"), Some(Coverage::Tested), "{pattern}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Query parameters in every style covenant writes (deepObject, unexploded form,
/// pipe- and space-delimited), a literal path beside a template, and an empty
/// value only where allowEmptyValue says so: the runner writes them as the spec
/// says, the mock reads them the same way, and the run passes with everything
/// judged.
#[test]
fn parameter_styles_round_trip_through_the_mock() {
    let dir = scratch("styles");
    let spec = dir.join("styles.yaml");
    std::fs::write(
        &spec,
        r#"openapi: 3.0.3
info: {title: styles, version: '1'}
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
        '400': {description: bad}
        '404': {description: none}
  /items/latest:
    get:
      operationId: latestItem
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [latest], properties: {latest: {type: boolean}}}
  /items:
    get:
      operationId: listItems
      parameters:
        - name: filter
          in: query
          style: deepObject
          explode: true
          schema:
            type: object
            properties:
              kind: {type: string, enum: [a, b]}
              min: {type: integer, minimum: 0}
        - name: ids
          in: query
          style: form
          explode: false
          schema: {type: array, maxItems: 4, items: {type: integer, minimum: 1}}
        - name: tags
          in: query
          style: pipeDelimited
          explode: false
          schema: {type: array, maxItems: 3, items: {type: string, enum: [red, blue]}}
        - name: words
          in: query
          style: spaceDelimited
          explode: false
          schema: {type: array, maxItems: 3, items: {type: string, pattern: '^[a-z]+$'}}
        - name: note
          in: query
          schema: {type: string, maxLength: 5}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: integer}}
        '400': {description: bad}
"#,
    )
    .expect("spec written");
    let (out, report) = run(&spec, &dir, 30, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", summary(&report));
    let p = &report.providers[0];
    assert!(p.violations.is_empty(), "{}", summary(&report));
    let list = p.operations.iter().find(|o| o.id == "listItems").unwrap();
    let judged = |check: &str| {
        list.checks
            .iter()
            .find(|c| c.check == check)
            .map(|c| c.judged)
            .unwrap_or(0)
    };
    assert!(judged("positive_accepted") > 0, "{}", summary(&report));
    assert!(judged("negative_rejected") > 0, "{}", summary(&report));
    let latest = p.operations.iter().find(|o| o.id == "latestItem").unwrap();
    assert_eq!(latest.coverage, Coverage::Tested);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--min-coverage` gates the run on what it exercised (exit 1 below it, with the
/// figure on the console and in every report), report.html is written beside
/// report.md, and a malformed gate is a usage error before anything runs.
#[test]
fn min_coverage_gates_and_report_html_is_written() {
    let spec = root().join("specs/iron.yaml");
    let dir = scratch("min-coverage");
    let (out, report) = run(&spec, &dir, 3, &["--min-coverage", "100"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("--min-coverage all=100%") && stdout.contains("BELOW THE MINIMUM"),
        "{stdout}"
    );
    assert_eq!(report.summary.coverage_below, 1);
    assert!(report.providers[0].violations.is_empty());
    let md = std::fs::read_to_string(dir.join("reports/report.md")).unwrap();
    assert!(
        md.contains("coverage of the contract") && md.contains("below the minimum"),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.join("reports/report.html")).unwrap();
    assert!(html.contains("data-category=\"statuses\"") && html.contains("below the minimum"));

    let (out, report) = run(
        &spec,
        &dir,
        3,
        &["--min-coverage", "statuses=10", "--min-coverage", "5"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", summary(&report));
    assert!(report.providers[0].coverage_gate.iter().all(|g| g.met));

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_covenant"))
        .current_dir(&dir)
        .args([
            "run",
            "--base-url",
            "mock",
            "--min-coverage",
            "colours=5",
            "--spec",
        ])
        .arg(&spec)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("colours") && stderr.contains("enum_values"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every style the runner writes, read by the mock through the same rules: a run
/// passes with every operation tested, and the negatives that only a reader
/// splitting the text right can refuse (an item above its maximum inside
/// `.1.2.11`, `;ids=1;ids=11`, `1|11`) are judged and refused.
#[test]
fn parameter_styles_round_trip_between_runner_and_mock() {
    let spec = root().join("tests/fixtures/styles.yaml");
    let dir = scratch("path-and-object-styles");
    let (out, report) = run(&spec, &dir, 10, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", summary(&report));
    let p = &report.providers[0];
    assert!(p.violations.is_empty(), "{}", summary(&report));
    for o in &p.operations {
        assert_eq!(o.coverage, Coverage::Tested, "{}", o.id);
        let rejected = o
            .checks
            .iter()
            .find(|c| c.check == "negative_rejected")
            .expect("negative_rejected");
        assert!(
            rejected.judged > 0 && rejected.failed == 0,
            "{}: {rejected:?}",
            o.id
        );
        let positive = o
            .checks
            .iter()
            .find(|c| c.check == "positive_accepted")
            .unwrap();
        assert!(
            positive.judged > 0 && positive.failed == 0,
            "{}: {positive:?}",
            o.id
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Path keys as published specs write them (a literal query, a literal matrix
/// segment around a template, a suffix after a template): lint names them
/// non-standard, and a run reaches each operation and gets its own answers (the
/// answers' schemas differ, so a request routed to a sibling fails
/// response_schema).
#[test]
fn odd_path_keys_are_routed_to_their_operations() {
    let spec = root().join("tests/fixtures/odd-paths.yaml");
    let lint = std::process::Command::new(env!("CARGO_BIN_EXE_covenant"))
        .arg("lint")
        .arg(&spec)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&lint.stdout).into_owned() + &String::from_utf8_lossy(&lint.stderr);
    assert_eq!(
        text.matches("warning[nonstandard-path]").count(),
        2,
        "{text}"
    );
    let dir = scratch("odd-paths");
    let (out, report) = run(&spec, &dir, 5, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", summary(&report));
    let p = &report.providers[0];
    assert!(p.violations.is_empty(), "{}", summary(&report));
    for o in &p.operations {
        assert_eq!(o.coverage, Coverage::Tested, "{}", o.id);
        let schema = o
            .checks
            .iter()
            .find(|c| c.check == "response_schema")
            .unwrap();
        assert!(
            schema.judged > 0 && schema.failed == 0,
            "{}: {schema:?}",
            o.id
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
