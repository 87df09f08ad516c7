//! Behaviour diff: which exchanges of a provider changed between a stored snapshot
//! and a new one, each with a unified diff of its YAML, and the Markdown report CI
//! posts. Both sides are already redacted snapshots, so nothing here can leak.

use crate::normalise::{Snapshot, yaml};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Changed,
    Added,
    Removed,
}

impl Change {
    pub fn label(self) -> &'static str {
        match self {
            Change::Changed => "changed",
            Change::Added => "added",
            Change::Removed => "removed",
        }
    }
}

/// One exchange that differs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExchangeDiff {
    pub id: String,
    pub change: Change,
    /// Unified diff of the exchange's YAML (`-` stored, `+` new).
    pub diff: String,
}

/// The differences of one provider (empty `exchanges`: unchanged).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProviderDiff {
    pub provider: String,
    /// Exchanges compared (in the new snapshot).
    pub compared: usize,
    pub exchanges: Vec<ExchangeDiff>,
}

impl ProviderDiff {
    pub fn changed(&self) -> bool {
        !self.exchanges.is_empty()
    }
}

/// Compares `stored` (reviewed) with `new` (just recorded), exchange by exchange.
pub fn compare(stored: &Snapshot, new: &Snapshot) -> ProviderDiff {
    let old = stored.exchanges();
    let cur = new.exchanges();
    let mut out = Vec::new();
    for (id, v) in &cur {
        match old.iter().find(|(i, _)| i == id) {
            Some((_, o)) if o == v => {}
            Some((_, o)) => out.push(ExchangeDiff {
                id: id.clone(),
                change: Change::Changed,
                diff: unified(&yaml(o), &yaml(v), id),
            }),
            None => out.push(ExchangeDiff {
                id: id.clone(),
                change: Change::Added,
                diff: unified("", &yaml(v), id),
            }),
        }
    }
    for (id, o) in &old {
        if !cur.iter().any(|(i, _)| i == id) {
            out.push(ExchangeDiff {
                id: id.clone(),
                change: Change::Removed,
                diff: unified(&yaml(o), "", id),
            });
        }
    }
    // Metadata outside the exchanges (provider, seed).
    let strip = |s: &Snapshot| {
        let mut v = s.value.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("exchanges");
        }
        v
    };
    let (a, b) = (strip(stored), strip(new));
    if a != b {
        out.push(ExchangeDiff {
            id: "(snapshot header)".into(),
            change: Change::Changed,
            diff: unified(&yaml(&a), &yaml(&b), "header"),
        });
    }
    ProviderDiff {
        provider: new.provider.clone(),
        compared: cur.len(),
        exchanges: out,
    }
}

/// A unified diff with 3 lines of context.
pub fn unified(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("stored/{name}"), &format!("new/{name}"))
        .to_string()
}

/// The Markdown report of a comparison, for a pull request or CI page.
pub fn markdown(diffs: &[ProviderDiff]) -> String {
    let mut s = String::from("# Provider behaviour snapshots\n\n");
    let changed: usize = diffs.iter().map(|d| d.exchanges.len()).sum();
    if changed == 0 {
        s.push_str("No exchange changed.\n\n");
    } else {
        s.push_str(&format!(
            "**{changed} exchange(s) changed**: review them, then accept the new snapshots \
             (`covenant snapshot ... --out DIR`, or `cargo insta review` in the test suite).\n\n"
        ));
    }
    s.push_str("| provider | exchanges compared | changed | added | removed |\n|---|---:|---:|---:|---:|\n");
    for d in diffs {
        let n = |c: Change| d.exchanges.iter().filter(|e| e.change == c).count();
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            md_escape(&d.provider),
            d.compared,
            n(Change::Changed),
            n(Change::Added),
            n(Change::Removed)
        ));
    }
    for d in diffs.iter().filter(|d| d.changed()) {
        s.push_str(&format!("\n## {}\n", md_escape(&d.provider)));
        for e in &d.exchanges {
            s.push_str(&format!(
                "\n### `{}` ({})\n\n```diff\n{}```\n",
                e.id.replace('`', "'"),
                e.change.label(),
                e.diff.replace("```", "` ` `")
            ));
        }
    }
    s
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
