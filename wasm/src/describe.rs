//! `engine.pack()`: what a UI needs to list a pack's rules and decisions without evaluating.

use std::collections::BTreeMap;

use hegui_core::source::{Basis, ParamValue, RuleKind, Severity, Source};
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
    pub params: &'a BTreeMap<String, ParamValue>,
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
    pub verified: bool,
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
        .filter(|r| r.kind == RuleKind::Decision)
        .filter_map(|r| {
            r.decision.as_deref().map(|name| DecisionInfo {
                name,
                rule: &r.id,
                scheme: r.scheme.as_deref(),
                verified: r.verified,
            })
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
