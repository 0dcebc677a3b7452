//! `engine.pack()`: what a UI needs to list a pack's rules and decisions without evaluating.
//!
//! A decision's `verified` is what can be known before evaluating (docs/engine.md, "Verified"):
//! `false` when its rule, or any rule it depends on (transitively), says `verified = false`, or
//! when a table one of those rules looks up has a row with `verified = false`. Such a decision
//! *may* come out unverified (`outcome.decisions[name].unverified`), depending on the input (the
//! table row hit, which rules of an `all_pass` fail); a decision with `verified: true` never
//! does. `rule_verified` keeps the decision rule's own flag.

use hegui_core::sorted::SortedMap;
use hegui_core::source::{Basis, ParamValue, RuleDecl, RuleKind, Severity, Source, TableSource};
use hegui_core::{CompiledPack, Text};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct PackInfo<'a> {
    pub id: &'a str,
    pub version: &'a str,
    pub digest: &'a str,
    pub jurisdiction: &'a str,
    pub title: &'a Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<&'a str>,
    pub sources: &'a [Source],
    pub params: &'a SortedMap<String, ParamValue>,
    pub rules: Vec<RuleInfo<'a>>,
    pub decisions: Vec<DecisionInfo<'a>>,
}

#[derive(Debug, Serialize)]
pub struct RuleInfo<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a Text>,
    pub message: &'a Text,
    pub basis: &'a Basis,
    pub verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<&'static str>,
    /// The decision a decision rule makes, or the value path a derive rule sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sets: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub for_each: Option<&'a str>,
    /// Score rules: the most points the rule can give.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Fields the rule reads, as declared paths (list item fields as `list[].name`).
    pub fields: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct DecisionInfo<'a> {
    pub name: &'a str,
    pub rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<&'a str>,
    /// False when the decision may be unverified: `unverified_rules` or `unverified_tables` is
    /// not empty.
    pub verified: bool,
    /// The decision rule's own `verified` flag.
    pub rule_verified: bool,
    /// The decision rule and every rule it depends on, directly or not, in declaration order
    /// (the same list as `outcome.decisions[name].because`).
    pub because: Vec<&'a str>,
    /// The rules of `because` that say `verified = false`, in declaration order.
    pub unverified_rules: Vec<&'a str>,
    /// Tables looked up by rules of `because` that have a row with `verified = false`.
    pub unverified_tables: Vec<&'a str>,
}

pub fn describe(pack: &CompiledPack) -> PackInfo<'_> {
    let resolved = pack.resolved();
    let m = &resolved.manifest;
    let rules: Vec<RuleInfo<'_>> = resolved
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| RuleInfo {
            id: &r.id,
            kind: r.kind.name(),
            title: r.title.as_ref(),
            message: &r.message,
            basis: &r.basis,
            verified: r.verified,
            severity: if r.kind.asserts() {
                Some(match r.severity.unwrap_or_default() {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                })
            } else {
                None
            },
            decision: r.decision.as_deref(),
            sets: r.sets.as_deref(),
            scheme: r.scheme.as_deref(),
            table: r.table.as_deref(),
            for_each: r.for_each.as_deref(),
            max: r.max,
            fields: pack.rule_fields(i),
        })
        .collect();
    let decisions = resolved
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == RuleKind::Decision)
        .filter_map(|(i, r)| {
            r.decision
                .as_deref()
                .map(|name| decision_info(pack, r, name, pack.rule_because(i)))
        })
        .collect();
    PackInfo {
        id: pack.id(),
        version: pack.version(),
        digest: pack.digest(),
        jurisdiction: &m.jurisdiction,
        title: &m.title,
        description: m.description.as_ref(),
        extends: m.extends.as_deref(),
        sources: &m.sources,
        params: &m.params,
        rules,
        decisions,
    }
}

fn decision_info<'a>(
    pack: &'a CompiledPack,
    rule: &'a RuleDecl,
    name: &'a str,
    because: &[std::sync::Arc<str>],
) -> DecisionInfo<'a> {
    let resolved = pack.resolved();
    let listed = |id: &str| id == rule.id || because.iter().any(|b| **b == *id);
    // Declaration order, borrowed from the resolved pack.
    let chain: Vec<&'a RuleDecl> = resolved.rules.iter().filter(|r| listed(&r.id)).collect();
    let unverified_rules: Vec<&'a str> = chain
        .iter()
        .filter(|r| !r.verified)
        .map(|r| r.id.as_str())
        .collect();
    let unverified_tables: Vec<&'a str> = resolved
        .tables
        .iter()
        .filter(|t| {
            chain
                .iter()
                .any(|r| r.table.as_deref() == Some(t.id.as_str()))
                && has_unverified_row(t)
        })
        .map(|t| t.id.as_str())
        .collect();
    DecisionInfo {
        name,
        rule: &rule.id,
        scheme: rule.scheme.as_deref(),
        verified: unverified_rules.is_empty() && unverified_tables.is_empty(),
        rule_verified: rule.verified,
        because: chain.iter().map(|r| r.id.as_str()).collect(),
        unverified_rules,
        unverified_tables,
    }
}

/// Whether a row of the table says `verified = false`: the `verified` column as
/// `CompiledTable::compile` reads it (cells are trimmed when the CSV is read; a compiled pack
/// holds only ``, `true` or `false` there).
fn has_unverified_row(table: &TableSource) -> bool {
    let Some(col) = table.columns.iter().position(|c| c == "verified") else {
        return false;
    };
    table
        .rows
        .iter()
        .any(|row| row.get(col).map(String::as_str) == Some("false"))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;
    use hegui_core::resolve::resolve;
    use hegui_core::testcase::{parse_tests, run_case};
    use hegui_core::PackFiles;
    use std::path::{Path, PathBuf};

    fn rules_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules")
    }

    /// The files of a pack folder of rules/ (`cn/supervision`), as `hegui pack build` reads them.
    fn files(dir: &str) -> PackFiles {
        let mut files = PackFiles::new();
        let d = rules_dir().join(dir);
        for name in ["pack.toml", "fields.toml", "rules.toml"] {
            if let Ok(text) = std::fs::read_to_string(d.join(name)) {
                files.insert(name, text);
            }
        }
        for sub in ["tables", "tests"] {
            let Ok(entries) = std::fs::read_dir(d.join(sub)) else {
                continue;
            };
            for e in entries {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                files.insert(
                    format!("{sub}/{name}"),
                    std::fs::read_to_string(&p).unwrap(),
                );
            }
        }
        files
    }

    /// A pack of rules/, compiled, with its test cases; an overlay over `cn/<name>`.
    fn load(dir: &str) -> (CompiledPack, PackFiles) {
        let own = files(dir);
        let base = own
            .get("pack.toml")
            .unwrap()
            .contains("\nextends = ")
            .then(|| {
                resolve(
                    &files(&format!("cn/{}", dir.split('/').nth(1).unwrap())),
                    None,
                )
                .unwrap()
            });
        let resolved = resolve(&own, base.as_ref()).unwrap();
        (CompiledPack::compile(resolved).unwrap(), own)
    }

    fn decision<'a>(info: &'a PackInfo<'a>, name: &str) -> &'a DecisionInfo<'a> {
        info.decisions.iter().find(|d| d.name == name).unwrap()
    }

    #[test]
    fn a_verified_decision_rule_reading_unverified_values_is_not_verified() {
        let (pack, _) = load("cn/supervision");
        let info = describe(&pack);
        // risk.class: its own rule says verified = true, but it reads risk.hazard_grade (whose
        // rule says verified = false) and looks up class_matrix, which has rows that say
        // verified = false.
        let class = decision(&info, "risk.class");
        assert!(class.rule_verified);
        assert!(!class.verified);
        assert!(class.unverified_rules.contains(&"hazard_grade"));
        assert!(!class.unverified_rules.contains(&"class"));
        assert!(class.unverified_tables.contains(&"class_matrix"));
        assert!(class.because.contains(&"class") && class.because.contains(&"management_grade"));
        // The policy reads the class: unverified through it, transitively.
        let policy = decision(&info, "supervision.policy");
        assert!(policy.rule_verified && !policy.verified);
        assert!(policy.unverified_rules.contains(&"hazard_grade"));
        assert!(policy.unverified_tables.contains(&"class_matrix"));
        // rules[].verified stays the rule's own flag.
        let rule = info.rules.iter().find(|r| r.id == "class").unwrap();
        assert!(rule.verified);
    }

    #[test]
    fn verified_stays_true_when_nothing_it_depends_on_is_unverified() {
        let (pack, _) = load("cn/healthy-enterprise");
        let info = describe(&pack);
        let eligible = decision(&info, "healthy_enterprise.eligible");
        assert!(eligible.verified && eligible.rule_verified);
        assert!(eligible.unverified_rules.is_empty() && eligible.unverified_tables.is_empty());
        assert_eq!(eligible.because.last(), Some(&"eligible"));
        let score = decision(&info, "healthy_enterprise.score");
        assert!(!score.verified && !score.rule_verified);
        assert!(score.unverified_rules.contains(&"score"));
        assert!(score.unverified_rules.contains(&"he_pjbz_1_1_1"));
    }

    /// On every pack of rules/ and every one of its test cases: `because` is the outcome's, and
    /// a decision that comes out unverified has `verified: false` (the static answer is sound).
    #[test]
    fn agrees_with_the_outcomes_of_every_test_case() {
        let mut dirs: Vec<String> = Vec::new();
        for j in std::fs::read_dir(rules_dir()).unwrap() {
            let j = j.unwrap().path();
            for p in std::fs::read_dir(&j).into_iter().flatten() {
                let p = p.unwrap().path();
                if p.join("pack.toml").is_file() {
                    let rel = p.strip_prefix(rules_dir()).unwrap();
                    dirs.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        dirs.sort();
        assert!(dirs.len() >= 5, "packs found: {dirs:?}");
        let mut unverified_seen = 0;
        for dir in &dirs {
            let (pack, own) = load(dir);
            let info = describe(&pack);
            let cases = parse_tests(&own).unwrap();
            for case in &cases {
                let (outcome, _) = run_case(&pack, case);
                for d in &info.decisions {
                    let Some(out) = outcome.decisions.get(d.name) else {
                        continue;
                    };
                    let want: Vec<&str> = out.because.iter().map(|s| &**s).collect();
                    assert_eq!(d.because, want, "{dir} {}", d.name);
                    if out.unverified {
                        unverified_seen += 1;
                        assert!(!d.verified, "{dir} {}: {}", case.name, d.name);
                    }
                }
            }
            for d in &info.decisions {
                assert_eq!(
                    d.verified,
                    d.unverified_rules.is_empty() && d.unverified_tables.is_empty()
                );
            }
        }
        assert!(unverified_seen > 0);
    }
}
