//! The self-contained `report.html`: a conformance run (the runner's `report.json`)
//! and the snapshot diffs, for a reader without a terminal. One file, inline CSS, no
//! script, no external URL, and a Content-Security-Policy of `default-src 'none'` so
//! a browser opening it makes no network request. Every text passes the redactor
//! (the runner's report is already redacted; this is a second line of defence) and
//! is HTML-escaped.

use std::cell::RefCell;

use covenant_redact::Redactor;
use covenant_runner::html::{conformance, esc, head};
use covenant_runner::report::Report;

use crate::compare::ProviderDiff;

/// Renders the report. `run` is a conformance run, `diffs` the snapshot comparison
/// (either may be absent/empty; the sections say so).
pub fn render(run: Option<&Report>, diffs: &[ProviderDiff], redactor: &mut Redactor) -> String {
    let mut h = head("covenant report");
    h.push_str("<h1>covenant report</h1>\n");

    h.push_str("<section id=\"conformance\"><h2>Conformance run</h2>\n");
    match run {
        None => h.push_str("<p>No conformance run was given.</p>\n"),
        Some(r) => {
            let red = RefCell::new(&mut *redactor);
            h.push_str(&conformance(r, &|t| esc(&red.borrow_mut().text(t))));
        }
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
