//! Coverage as report.md and report.html show it: a totals table (a bar per
//! category in HTML), the `--min-coverage` results, every documented status per
//! operation as provoked or not with the reason, and what else was left
//! unexercised (lists cut at [`LIST_CAP`] per operation; report.json has them all).

use super::{Category, Exercised, GateResult, Tally, Totals};

/// What the sections show of one provider.
pub struct Shown<'a> {
    pub name: &'a str,
    pub totals: &'a Totals,
    pub gate: &'a [GateResult],
    /// Its operations: id and what each exercised.
    pub operations: Vec<(&'a str, &'a Exercised)>,
}

/// Items listed per operation and category before "and N more".
pub const LIST_CAP: usize = 12;

fn pct(t: Tally) -> String {
    if t.total == 0 {
        "-".into()
    } else {
        format!("{:.1}%", t.percent())
    }
}

fn total(p: &Shown<'_>, key: &str) -> Tally {
    p.totals.get(key).copied().unwrap_or_default()
}

/// `a, b, c and 4 more`.
fn capped(names: &[&str]) -> String {
    let shown = names
        .iter()
        .take(LIST_CAP)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(LIST_CAP) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The names of the items that are (or are not) covered.
fn named(items: &[super::Item], covered: bool) -> Vec<&str> {
    items
        .iter()
        .filter(|i| i.covered == covered)
        .map(|i| i.name.as_str())
        .collect()
}

fn uncovered(e: &Exercised, c: Category) -> Vec<&str> {
    named(e.items(c), false)
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The provider's coverage section of report.md.
pub fn markdown(p: &Shown<'_>) -> String {
    let mut md = format!(
        "\n## {} coverage of the contract\n\n| exercised | covered | of | % |\n|---|---:|---:|---:|\n",
        p.name
    );
    for c in Category::ALL {
        let t = total(p, c.name());
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            c.label(),
            t.covered,
            t.total,
            pct(t)
        ));
    }
    let all = total(p, "all");
    md.push_str(&format!(
        "| **all** | {} | {} | {} |\n",
        all.covered,
        all.total,
        pct(all)
    ));
    for g in p.gate {
        md.push_str(&format!(
            "\n--min-coverage {}: {:.1}%, {}.\n",
            g.minimum,
            g.percent,
            if g.met {
                "met"
            } else {
                "**below the minimum**"
            }
        ));
    }
    md.push_str(
        "\n<details><summary>Documented statuses per operation, provoked or not (and why)</summary>\n\n| operation | provoked | not provoked |\n|---|---|---|\n",
    );
    for (id, e) in &p.operations {
        let provoked = named(&e.statuses, true);
        let not: Vec<String> = e
            .statuses
            .iter()
            .filter(|i| !i.covered)
            .map(|i| format!("{}: {}", i.name, i.reason.as_deref().unwrap_or("")))
            .collect();
        md.push_str(&format!(
            "| {} | {} | {} |\n",
            md_cell(id),
            md_cell(&provoked.join(", ")),
            md_cell(&not.join("; "))
        ));
    }
    md.push_str("\n</details>\n");
    let mut rest = String::new();
    for (id, e) in &p.operations {
        let parts: Vec<String> = Category::ALL[1..]
            .iter()
            .filter_map(|c| {
                let names = uncovered(e, *c);
                (!names.is_empty()).then(|| format!("{}: {}", c.name(), capped(&names)))
            })
            .collect();
        if !parts.is_empty() {
            rest.push_str(&format!("- {}: {}\n", id, md_cell(&parts.join("; "))));
        }
    }
    if !rest.is_empty() {
        md.push_str(&format!(
            "\n<details><summary>Not exercised: parameters, body members, enum values, branches, constraints</summary>\n\n{rest}\n</details>\n"
        ));
    }
    md
}

/// The provider's coverage section of report.html; `t` scrubs and escapes text.
pub fn html(p: &Shown<'_>, t: &dyn Fn(&str) -> String) -> String {
    let mut h = String::from(
        "<div class=\"coverage\"><h4>Coverage of the contract</h4>\n<table class=\"bars\">",
    );
    let mut row = |label: &str, key: &str| {
        let x = total(p, key);
        let width = if x.total == 0 { 0.0 } else { x.percent() };
        h.push_str(&format!(
            "<tr data-category=\"{key}\"><td>{}</td><td class=\"num\">{} / {}</td><td class=\"bar\"><span style=\"width:{width:.1}%\"></span></td><td class=\"num\">{}</td></tr>\n",
            t(label),
            x.covered,
            x.total,
            pct(x)
        ));
    };
    for c in Category::ALL {
        row(c.label(), c.name());
    }
    row("all", "all");
    h.push_str("</table>\n");
    for g in p.gate {
        h.push_str(&format!(
            "<p class=\"{}\">--min-coverage {}: {:.1}%, {}.</p>\n",
            if g.met { "passed" } else { "failed" },
            t(&g.minimum.to_string()),
            g.percent,
            if g.met { "met" } else { "below the minimum" }
        ));
    }
    h.push_str("<details class=\"statuses\"><summary>Documented statuses per operation</summary><table><tr><th>operation</th><th>provoked</th><th>not provoked, and why</th></tr>\n");
    for (id, e) in &p.operations {
        let provoked = named(&e.statuses, true);
        let mut not = String::new();
        for i in e.statuses.iter().filter(|i| !i.covered) {
            not.push_str(&format!(
                "<li><b>{}</b>: {}</li>",
                t(&i.name),
                t(i.reason.as_deref().unwrap_or(""))
            ));
        }
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><ul>{not}</ul></td></tr>\n",
            t(id),
            t(&provoked.join(", "))
        ));
    }
    h.push_str("</table></details>\n");
    h.push_str("<details class=\"unexercised\"><summary>Not exercised, per operation</summary><table><tr><th>operation</th><th>what was not exercised</th></tr>\n");
    for (id, e) in &p.operations {
        let mut cell = String::new();
        for c in &Category::ALL[1..] {
            let names = uncovered(e, *c);
            if !names.is_empty() {
                cell.push_str(&format!(
                    "<p><b>{}</b>: {}</p>",
                    c.label(),
                    t(&capped(&names))
                ));
            }
        }
        if !cell.is_empty() {
            h.push_str(&format!("<tr><td>{}</td><td>{cell}</td></tr>\n", t(id)));
        }
    }
    h.push_str("</table></details></div>\n");
    h
}
