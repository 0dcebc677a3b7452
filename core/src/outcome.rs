//! The outcome document (SPEC §4): what was decided, why, what is missing, and what was wrong.
//!
//! Serialised with serde's derived field order and sorted maps, and with numbers printed by
//! serde_json alone, so the same pack and input give the same bytes natively and in WASM.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::source::RuleKind;

pub const OUTCOME_SCHEMA: &str = "hegui.outcome/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub schema: String,
    pub pack: PackRef,
    pub complete: bool,
    pub decisions: BTreeMap<String, DecisionOut>,
    pub rules: Vec<RuleOut>,
    pub fields: BTreeMap<String, Vec<FieldNote>>,
    pub missing: Vec<String>,
    pub errors: Vec<ErrorOut>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackRef {
    pub id: String,
    pub version: String,
    pub digest: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    Decided,
    Pending,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionOut {
    pub value: Value,
    pub status: DecisionStatus,
    pub because: Arc<[Arc<str>]>,
    pub unverified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    Pass,
    Fail,
    Pending,
    NotApplicable,
    Error,
}

impl RuleStatus {
    pub fn name(self) -> &'static str {
        match self {
            RuleStatus::Pass => "pass",
            RuleStatus::Fail => "fail",
            RuleStatus::Pending => "pending",
            RuleStatus::NotApplicable => "not_applicable",
            RuleStatus::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasisOut {
    pub source: Arc<str>,
    pub article: Arc<str>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleOut {
    pub id: Arc<str>,
    pub kind: RuleKind,
    pub status: RuleStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The rule's message, given when it fails (and for decisions and derived values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Value>,
    /// The value a derive, decision or score rule produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    pub fields: Vec<Arc<str>>,
    pub missing: Vec<String>,
    pub basis: BasisOut,
    pub unverified: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldNote {
    /// The rule that speaks about the field; `null` for an input error.
    pub rule: Option<Arc<str>>,
    pub status: RuleStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    pub message: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorOut {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub message: Value,
}

impl Outcome {
    /// The outcome as compact JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain structs, strings and finite numbers cannot fail; the fallback keeps
        // this total anyway.
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(r#"{{"schema":"{OUTCOME_SCHEMA}","errors":[{{"code":"internal","message":"{e}"}}]}}"#)
        })
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| self.to_json())
    }

    /// Ids of failing rules, in declaration order.
    pub fn failing_rules(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.status == RuleStatus::Fail)
            .map(|r| &*r.id)
            .collect()
    }
}
