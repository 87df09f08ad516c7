//! The self-contained `report.html`: a conformance run (the runner's `report.json`)
//! and the snapshot diffs, for a reader without a terminal. One file, inline CSS, no
//! script, no external URL, and a Content-Security-Policy of `default-src 'none'` so
//! a browser opening it makes no network request. Every text passes the redactor
//! (the runner's report is already redacted; this is a second line of defence) and
//! is HTML-escaped.

use covenant_redact::Redactor;
use covenant_runner::report::{Report, Status};

use crate::compare::ProviderDiff;

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}\
.passed{color:#176f2c}.failed{color:#b00020;font-weight:bold}.skipped{color:#777}\
pre{background:#f6f8fa;padding:.6em;overflow-x:auto}.add{color:#176f2c}.del{color:#b00020}.hunk{color:#6f42c1}\
h1,h2,h3{font-weight:600}";

/// Renders the report. `run` is a conformance run, `diffs` the snapshot comparison
/// (either may be absent/empty; the sections say so).
pub fn render(run: Option<&Report>, diffs: &[ProviderDiff], redactor: &mut Redactor) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
    h.push_str("<title>covenant report</title><style>");
    h.push_str(CSS);
    h.push_str("</style></head><body>\n<h1>covenant report</h1>\n");

    h.push_str("<section id=\"conformance\"><h2>Conformance run</h2>\n");
    match run {
        None => h.push_str("<p>No conformance run was given.</p>\n"),
        Some(r) => conformance(&mut h, r, redactor),
    }
    h.push_str("</section>\n");

    h.push_str("<section id=\"snapshot-diffs\"><h2>Snapshot changes</h2>\n");
    if diffs.is_empty() {
        h.push_str("<p>No snapshot comparison was made.</p>\n");
    } else {
        snapshots(&mut h, diffs, redactor);
    }
    h.push_str("</section>\n</body></html>\n");
    h
}

fn conformance(h: &mut String, r: &Report, red: &mut Redactor) {
    let s = &r.summary;
    let verdict = if s.could_not_run > 0 {
        ("failed", "could not run")
    } else if s.new_violations > 0 {
        ("failed", "contract violations")
    } else {
        ("passed", "passed")
    };
    h.push_str(&format!(
        "<p id=\"run-summary\">Result: <span class=\"{}\">{}</span>, seed {}, {} provider(s), {} operation(s), {} case(s), {} request(s); checks {} passed, {} failed, {} skipped; {} violation(s).</p>\n",
        verdict.0,
        verdict.1,
        r.seed,
        s.providers,
        s.operations,
        s.cases,
        s.requests,
        s.checks_passed,
        s.checks_failed,
        s.checks_skipped,
        s.violations
    ));
    for p in &r.providers {
        h.push_str(&format!(
            "<div class=\"provider\" data-provider=\"{0}\"><h3>{0}</h3>\n",
            esc(&red.text(&p.name))
        ));
        if let Some(e) = &p.error {
            h.push_str(&format!(
                "<p class=\"failed\">Could not run: {}</p>\n",
                esc(&red.text(e))
            ));
        }
        if !p.operations.is_empty() {
            let checks: Vec<&str> = p
                .operations
                .first()
                .map(|o| o.checks.iter().map(|c| c.check.as_str()).collect())
                .unwrap_or_default();
            h.push_str("<table class=\"checks\"><tr><th>operation</th>");
            for c in &checks {
                h.push_str(&format!("<th>{}</th>", esc(c)));
            }
            h.push_str("</tr>\n");
            for o in &p.operations {
                h.push_str(&format!(
                    "<tr><td>{} <code>{} {}</code></td>",
                    esc(&o.id),
                    esc(&o.method),
                    esc(&red.text(&o.path))
                ));
                for c in &o.checks {
                    let class = match c.status {
                        Status::Passed => "passed",
                        Status::Failed => "failed",
                        Status::Skipped => "skipped",
                    };
                    h.push_str(&format!(
                        "<td class=\"{class}\">{class} {}/{}</td>",
                        c.judged - c.failed.min(c.judged),
                        c.judged
                    ));
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</table>\n");
        }
        if !p.violations.is_empty() {
            h.push_str("<h4>Violations</h4>\n");
            for v in &p.violations {
                h.push_str(&format!(
                    "<div class=\"violation\"><p><b>{}</b> / {}: expected {}, got {}</p><pre>{}</pre></div>\n",
                    esc(&v.operation),
                    esc(&v.check),
                    esc(&red.text(&v.expected)),
                    esc(&red.text(&v.actual)),
                    esc(&red.text(&v.curl))
                ));
            }
        }
        h.push_str("</div>\n");
    }
}

fn snapshots(h: &mut String, diffs: &[ProviderDiff], red: &mut Redactor) {
    h.push_str("<table id=\"snapshot-summary\"><tr><th>provider</th><th>exchanges compared</th><th>changed</th></tr>\n");
    for d in diffs {
        let class = if d.changed() { "failed" } else { "passed" };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>\n",
            esc(&d.provider),
            d.compared,
            d.exchanges.len()
        ));
    }
    h.push_str("</table>\n");
    for d in diffs.iter().filter(|d| d.changed()) {
        h.push_str(&format!(
            "<div class=\"snapshot-provider\" data-provider=\"{0}\"><h3>{0}</h3>\n",
            esc(&d.provider)
        ));
        for e in &d.exchanges {
            h.push_str(&format!(
                "<div class=\"exchange-diff\"><h4><code>{}</code> ({})</h4><pre>",
                esc(&e.id),
                e.change.label()
            ));
            for line in red.text(&e.diff).lines() {
                let class = if line.starts_with("+++") || line.starts_with("---") {
                    ""
                } else if line.starts_with('+') {
                    "add"
                } else if line.starts_with('-') {
                    "del"
                } else if line.starts_with("@@") {
                    "hunk"
                } else {
                    ""
                };
                h.push_str(&format!("<span class=\"{class}\">{}</span>\n", esc(line)));
            }
            h.push_str("</pre></div>\n");
        }
        h.push_str("</div>\n");
    }
}

/// HTML-escapes text (element content and double-quoted attributes).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}
