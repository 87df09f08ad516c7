//! What a run (or a proxy session) exercised of each operation, beside whether it
//! passed: documented statuses provoked and not (with the reason), parameters and
//! body members sent, enum values and `oneOf`/`anyOf` branches taken, constraints
//! broken by negatives. Totals per provider, and the `--min-coverage` gate.
//!
//! The items come from the operation's request views (`schema.rs` lists them, to a
//! bounded depth so recursive schemas stay finite); what was sent is read off the
//! requests themselves (`collect.rs`), so the runner and the proxy count the same
//! way. Coverage informs and gates; it never turns into a violation.

mod collect;
pub mod render;
mod schema;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use collect::{Collector, OpSeen};

/// One thing that could be exercised, and whether it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub name: String,
    pub covered: bool,
    /// Why it was not covered, where that can be told (statuses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The kinds of [`Item`], in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Statuses,
    Parameters,
    Members,
    EnumValues,
    Branches,
    Constraints,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Statuses,
        Category::Parameters,
        Category::Members,
        Category::EnumValues,
        Category::Branches,
        Category::Constraints,
    ];

    /// The name in report.json and `--min-coverage`.
    pub fn name(self) -> &'static str {
        match self {
            Category::Statuses => "statuses",
            Category::Parameters => "parameters",
            Category::Members => "members",
            Category::EnumValues => "enum_values",
            Category::Branches => "branches",
            Category::Constraints => "constraints",
        }
    }

    /// What an item of it is, for tables: "documented statuses provoked".
    pub fn label(self) -> &'static str {
        match self {
            Category::Statuses => "documented statuses provoked",
            Category::Parameters => "parameters sent",
            Category::Members => "body members sent",
            Category::EnumValues => "enum values sent",
            Category::Branches => "oneOf/anyOf branches taken",
            Category::Constraints => "constraints broken by negatives",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// Per operation: every item of every category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercised {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Item>,
}

impl Exercised {
    pub fn items(&self, c: Category) -> &[Item] {
        match c {
            Category::Statuses => &self.statuses,
            Category::Parameters => &self.parameters,
            Category::Members => &self.members,
            Category::EnumValues => &self.enum_values,
            Category::Branches => &self.branches,
            Category::Constraints => &self.constraints,
        }
    }

    fn items_mut(&mut self, c: Category) -> &mut Vec<Item> {
        match c {
            Category::Statuses => &mut self.statuses,
            Category::Parameters => &mut self.parameters,
            Category::Members => &mut self.members,
            Category::EnumValues => &mut self.enum_values,
            Category::Branches => &mut self.branches,
            Category::Constraints => &mut self.constraints,
        }
    }

    pub fn tally(&self, c: Category) -> Tally {
        let items = self.items(c);
        Tally {
            covered: items.iter().filter(|i| i.covered).count(),
            total: items.len(),
        }
    }

    /// Adds what `other` (another partition's slice of the same operation)
    /// covered: an item covered by either is covered.
    pub fn merge(&mut self, other: &Exercised) {
        for c in Category::ALL {
            let mine = self.items_mut(c);
            for item in other.items(c) {
                match mine.iter_mut().find(|m| m.name == item.name) {
                    Some(m) if item.covered && !m.covered => {
                        m.covered = true;
                        m.reason = None;
                    }
                    Some(_) => {}
                    None => mine.push(item.clone()),
                }
            }
        }
    }
}

/// Covered of total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    pub covered: usize,
    pub total: usize,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.covered += other.covered;
        self.total += other.total;
    }

    /// Percent covered; 100 when there is nothing to cover.
    pub fn percent(self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.covered as f64 * 100.0 / self.total as f64
        }
    }
}

/// A provider's totals: per category (by [`Category::name`]), and `all`.
pub type Totals = std::collections::BTreeMap<String, Tally>;

/// The totals over `ops`.
pub fn totals<'a>(ops: impl Iterator<Item = &'a Exercised>) -> Totals {
    let mut t = Totals::new();
    let mut all = Tally::default();
    for c in Category::ALL {
        t.insert(c.name().to_string(), Tally::default());
    }
    for e in ops {
        for c in Category::ALL {
            let x = e.tally(c);
            all.add(x);
            if let Some(s) = t.get_mut(c.name()) {
                s.add(x);
            }
        }
    }
    t.insert("all".into(), all);
    t
}

/// `--min-coverage [CATEGORY=]PERCENT`: a provider whose coverage of CATEGORY (all
/// items when none is named) is below PERCENT fails the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinCoverage {
    /// A [`Category::name`], or `all`.
    pub category: String,
    pub percent: f64,
}

impl MinCoverage {
    pub fn parse(s: &str) -> Result<MinCoverage, String> {
        let (category, pct) = match s.split_once('=') {
            Some((c, p)) => (c.trim(), p),
            None => ("all", s),
        };
        if category != "all" && Category::parse(category).is_none() {
            return Err(format!(
                "--min-coverage: unknown category `{category}` (one of all, {})",
                Category::ALL.map(Category::name).join(", ")
            ));
        }
        let percent: f64 = pct
            .trim()
            .trim_end_matches('%')
            .parse()
            .ok()
            .filter(|p: &f64| (0.0..=100.0).contains(p))
            .ok_or_else(|| {
                format!("--min-coverage: `{pct}` is not a percentage from 0 to 100 (in `{s}`)")
            })?;
        Ok(MinCoverage {
            category: category.to_string(),
            percent,
        })
    }

    /// Whether `totals` meet it, and the percentage they have.
    pub fn judge(&self, totals: &Totals) -> (bool, f64) {
        let got = totals
            .get(&self.category)
            .copied()
            .unwrap_or_default()
            .percent();
        // Compared at the precision reports print, so "80.0% < 80%" never shows.
        ((got * 10.0).round() / 10.0 >= self.percent, got)
    }
}

/// A [`MinCoverage`] applied to one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateResult {
    pub minimum: MinCoverage,
    /// The provider's percentage in that category.
    pub percent: f64,
    pub met: bool,
}

impl std::fmt::Display for MinCoverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}%", self.category, self.percent)
    }
}

/// Why a documented status was not provoked, given the case kinds the operation was
/// sent (`None` for observed traffic) and the statuses its answers had.
pub fn unseen_reason(
    status: covenant_spec::StatusCode,
    op: &covenant_spec::Operation,
    kinds: Option<&BTreeSet<&'static str>>,
    seen: &BTreeSet<u16>,
) -> String {
    use covenant_spec::StatusCode;
    let instead = if seen.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = seen.iter().map(u16::to_string).collect();
        format!(" (answers seen: {})", list.join(", "))
    };
    let Some(kinds) = kinds else {
        return format!("no exchange through the proxy was answered with it{instead}");
    };
    let sent = |k: &str| kinds.contains(k);
    let reason: String = match status {
        StatusCode::Default => "every answer matched a more specific documented response".into(),
        StatusCode::Code(c) if c < 400 => {
            if sent("positive") || sent("create_then_read") {
                "valid requests were answered with other success statuses".into()
            } else {
                "no valid request was sent".into()
            }
        }
        StatusCode::Range(k) if k < 4 => {
            if sent("positive") || sent("create_then_read") {
                "valid requests were answered with other success statuses".into()
            } else {
                "no valid request was sent".into()
            }
        }
        StatusCode::Code(401 | 403) if op.security.is_empty() => {
            "the operation requires no credentials".into()
        }
        StatusCode::Code(401 | 403) if sent("auth_missing") => {
            "requests without or with wrong credentials were answered otherwise".into()
        }
        StatusCode::Code(401 | 403) => "no credentials case was sent".into(),
        StatusCode::Code(404 | 410) if sent("unknown_id") || sent("delete_then_read") => {
            "requests for unknown or deleted ids were answered otherwise".into()
        }
        StatusCode::Code(404 | 410) => {
            "no scenario forces it: covenant knows no missing resource for it".into()
        }
        StatusCode::Code(406) => "no case asks for an undocumented media type (Accept)".into(),
        StatusCode::Code(409) => "no scenario forces it (a conflict)".into(),
        StatusCode::Code(412 | 428) => "no scenario forces it (a precondition)".into(),
        StatusCode::Code(413 | 414 | 431) => "no case sends an oversized request".into(),
        StatusCode::Code(415) if sent("bad_body") => {
            "bodies of an undocumented media type were answered otherwise".into()
        }
        StatusCode::Code(415) => "no case sends an undocumented media type".into(),
        StatusCode::Code(429) => "no scenario forces it (rate limiting)".into(),
        StatusCode::Code(c) if c >= 500 => {
            "no scenario forces it (a correct provider answers it only on its own failure)".into()
        }
        StatusCode::Range(5) => {
            "no scenario forces it (a correct provider answers it only on its own failure)".into()
        }
        _ if sent("negative") || sent("bad_body") => {
            "invalid requests were answered with other statuses".into()
        }
        _ => "no invalid request was sent".into(),
    };
    format!("{reason}{instead}")
}

/// Every documented response of `op`, provoked when some answer (`seen`) is judged
/// against it ([`covenant_spec::Operation::response_for`]), else with the reason.
pub fn statuses(
    op: &covenant_spec::Operation,
    kinds: Option<&BTreeSet<&'static str>>,
    seen: &BTreeSet<u16>,
) -> Vec<Item> {
    op.responses
        .iter()
        .map(|r| {
            let covered = seen
                .iter()
                .any(|s| op.response_for(*s).map(|d| d.status) == Some(r.status));
            Item {
                name: r.status.to_string(),
                covered,
                reason: (!covered).then(|| unseen_reason(r.status, op, kinds, seen)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_coverage_parses_and_names_what_is_wrong() {
        assert_eq!(
            MinCoverage::parse("80").unwrap(),
            MinCoverage {
                category: "all".into(),
                percent: 80.0
            }
        );
        assert_eq!(
            MinCoverage::parse("statuses=60%").unwrap().category,
            "statuses"
        );
        let e = MinCoverage::parse("colours=60").unwrap_err();
        assert!(e.contains("colours") && e.contains("enum_values"), "{e}");
        assert!(MinCoverage::parse("120").unwrap_err().contains("120"));
        assert!(MinCoverage::parse("members=x").is_err());
    }

    #[test]
    fn gate_compares_at_the_printed_precision() {
        let mut t = Totals::new();
        t.insert(
            "all".into(),
            Tally {
                covered: 2,
                total: 3,
            },
        );
        let gate = MinCoverage::parse("66.7").unwrap();
        assert!(gate.judge(&t).0);
        assert!(!MinCoverage::parse("66.8").unwrap().judge(&t).0);
        // Nothing to cover is covered.
        t.insert("members".into(), Tally::default());
        assert!(MinCoverage::parse("members=100").unwrap().judge(&t).0);
        t.insert(
            "members".into(),
            Tally {
                covered: 0,
                total: 1,
            },
        );
        assert!(!MinCoverage::parse("members=1").unwrap().judge(&t).0);
    }

    #[test]
    fn merge_covers_what_either_slice_covered() {
        let item = |n: &str, c: bool| Item {
            name: n.into(),
            covered: c,
            reason: (!c).then(|| "why".into()),
        };
        let mut a = Exercised {
            statuses: vec![item("200", true), item("404", false)],
            ..Default::default()
        };
        let b = Exercised {
            statuses: vec![item("200", false), item("404", true)],
            members: vec![item("/x", true)],
            ..Default::default()
        };
        a.merge(&b);
        assert_eq!(a.statuses, vec![item("200", true), item("404", true)]);
        assert_eq!(
            a.tally(Category::Members),
            Tally {
                covered: 1,
                total: 1
            }
        );
    }
}
