//! report.html: the run for a reader without a terminal, beside report.md. One
//! file, inline CSS, no script, no external URL, and a Content-Security-Policy of
//! `default-src 'none'`, so opening it makes no network request. It fits a
//! laptop's width: each operation is one row (its checks summed up, the per-check
//! table folded under it), and long names wrap. Every text passes the caller's
//! scrubber, then is HTML-escaped.

use crate::coverage;
use crate::report::{Report, Status};

/// The page's style (shared with `covenant snapshot`'s report.html).
pub const CSS: &str = "body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:72rem;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:.5em 0;max-width:100%}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
.passed{color:#176f2c}.failed{color:#b00020;font-weight:bold}.skipped{color:#777}\
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}.add{color:#176f2c}.del{color:#b00020}.hunk{color:#6f42c1}\
h1,h2,h3{font-weight:600}.num{text-align:right;white-space:nowrap}ul{margin:0;padding-left:1.2em}\
.bar{width:14rem}.bar span{display:block;height:.8em;background:#2f81f7}";

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

/// The document head up to `<body>`, titled `title`.
pub fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<title>{}</title><style>{CSS}</style></head><body>\n",
        esc(title)
    )
}

impl Report {
    /// report.html; `scrub` removes secrets from each text before it is escaped.
    pub fn html(&self, scrub: &dyn Fn(&str) -> String) -> String {
        let mut h = head("covenant conformance report");
        h.push_str("<h1>covenant conformance report</h1>\n<section id=\"conformance\">\n");
        h.push_str(&conformance(self, &|s| esc(&scrub(s))));
        h.push_str("</section>\n</body></html>\n");
        h
    }
}

/// The conformance section: summary, and per provider its operations, coverage
/// and violations. `t` turns text into safe HTML (scrubbed and escaped).
pub fn conformance(r: &Report, t: &dyn Fn(&str) -> String) -> String {
    let s = &r.summary;
    let verdict = match r.exit_code() {
        0 => ("passed", "passed"),
        1 if s.failing == 0 => ("failed", "coverage below the minimum"),
        1 => ("failed", "contract violations"),
        _ if s.could_not_run > 0 => ("failed", "could not run"),
        _ => ("failed", "incomplete: some operation was not tested"),
    };
    let mut h = format!(
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
    );
    for p in &r.providers {
        h.push_str(&format!(
            "<div class=\"provider\" data-provider=\"{0}\"><h3>{0}: {1}</h3>\n",
            t(&p.name),
            t(p.verdict(r.flaky_fails).label())
        ));
        if let Some(e) = &p.error {
            h.push_str(&format!(
                "<p class=\"failed\">Could not run: {}</p>\n",
                t(e)
            ));
            h.push_str("</div>\n");
            continue;
        }
        h.push_str(
            "<table class=\"checks\"><tr><th>operation</th><th>cases</th><th>checks</th></tr>\n",
        );
        for o in &p.operations {
            let count = |st: Status| o.checks.iter().filter(|c| c.status == st).count();
            let failed: Vec<&str> = o
                .checks
                .iter()
                .filter(|c| c.status == Status::Failed)
                .map(|c| c.check.as_str())
                .collect();
            let mut cell = format!(
                "<span class=\"passed\">{} passed</span>, <span class=\"skipped\">{} skipped</span>",
                count(Status::Passed),
                count(Status::Skipped)
            );
            if !failed.is_empty() {
                cell.push_str(&format!(
                    ", <span class=\"failed\">failed: {}</span>",
                    t(&failed.join(", "))
                ));
            }
            if let Some(reason) = &o.reason {
                cell.push_str(&format!("<br>{}: {}", t(o.coverage.label()), t(reason)));
            }
            cell.push_str("<details><summary>each check</summary><ul>");
            for c in &o.checks {
                let class = match c.status {
                    Status::Passed => "passed",
                    Status::Failed => "failed",
                    Status::Skipped => "skipped",
                };
                cell.push_str(&format!(
                    "<li class=\"{class}\">{}: {class} {}/{}{}</li>",
                    t(&c.check),
                    c.judged - c.failed.min(c.judged),
                    c.judged,
                    c.reason
                        .as_deref()
                        .map(|r| format!(" ({})", t(r)))
                        .unwrap_or_default()
                ));
            }
            cell.push_str("</ul></details>");
            h.push_str(&format!(
                "<tr><td>{} <code>{} {}</code></td><td class=\"num\">{}</td><td>{cell}</td></tr>\n",
                t(&o.id),
                t(&o.method),
                t(&o.path),
                o.cases
            ));
        }
        h.push_str("</table>\n");
        h.push_str(&coverage::render::html(&p.coverage_shown(), t));
        if !p.violations.is_empty() {
            h.push_str("<h4>Violations</h4>\n");
            for v in &p.violations {
                h.push_str(&format!(
                    "<div class=\"violation\"><p><b>{}</b> / {}{}: expected {}, got {}</p><pre>{}</pre></div>\n",
                    t(&v.operation),
                    t(&v.check),
                    if v.flaky { " (flaky)" } else { "" },
                    t(&v.expected),
                    t(&v.actual),
                    t(&v.curl)
                ));
            }
        }
        h.push_str("</div>\n");
    }
    h
}
