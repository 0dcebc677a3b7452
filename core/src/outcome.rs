//! The outcome document (SPEC §4): what was decided, why, what is missing, and what was wrong.
//!
//! Serialised with serde's derived field order and sorted maps, and with numbers printed by
//! serde_json alone, so the same pack and input give the same bytes natively and in WASM.
//! [`Outcome::write_json`] writes those same bytes without serde (faster: see
//! `crate::json_write`); a test holds the two to each other on every pack's test cases.

use crate::sorted::SortedMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json_write::{
    write_map, write_name, write_next_name, write_seq, write_str, write_value,
};
use crate::source::RuleKind;

pub const OUTCOME_SCHEMA: &str = "hegui.outcome/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub schema: String,
    pub pack: PackRef,
    pub complete: bool,
    pub decisions: SortedMap<String, DecisionOut>,
    pub rules: Vec<RuleOut>,
    pub fields: SortedMap<String, Vec<FieldNote>>,
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

impl DecisionStatus {
    pub fn name(self) -> &'static str {
        match self {
            DecisionStatus::Decided => "decided",
            DecisionStatus::Pending => "pending",
            DecisionStatus::Error => "error",
        }
    }
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
    /// The outcome as compact JSON: the bytes `serde_json::to_string` gives.
    pub fn to_json(&self) -> String {
        // Only UTF-8 strings and ASCII were written; the fallback keeps this total anyway.
        String::from_utf8(self.to_json_bytes())
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// [`Outcome::to_json`] as bytes, in a buffer reserved once.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.json_size_hint());
        self.write_json(&mut out);
        out
    }

    /// About how many bytes the compact JSON takes, to reserve a buffer once.
    pub fn json_size_hint(&self) -> usize {
        // A rule's entry takes about 330 bytes in the shipped packs (id, citation, field paths).
        512 + 160 * self.decisions.len() + 384 * self.rules.len() + 128 * self.fields.len()
    }

    /// Appends the outcome as compact JSON to `out`: the bytes `serde_json::to_writer` writes.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        write_name("schema", out);
        write_str(&self.schema, out);
        write_next_name("pack", out);
        self.pack.write_json(out);
        write_next_name("complete", out);
        write_bool(self.complete, out);
        write_next_name("decisions", out);
        write_map(&self.decisions, out, DecisionOut::write_json);
        write_next_name("rules", out);
        write_seq(&self.rules, out, RuleOut::write_json);
        write_next_name("fields", out);
        write_map(&self.fields, out, |notes, out| {
            write_seq(notes, out, FieldNote::write_json);
        });
        write_next_name("missing", out);
        write_seq(&self.missing, out, |s, out| write_str(s, out));
        write_next_name("errors", out);
        write_seq(&self.errors, out, ErrorOut::write_json);
        out.push(b'}');
    }

    /// The outcome's JSON without its errors' messages: what the engine and the reference
    /// evaluation in rhai must agree on (the engine words its errors its own way).
    #[cfg(feature = "reference")]
    #[doc(hidden)]
    pub fn answers_json(&self) -> String {
        let mut answers = self.clone();
        for e in &mut answers.errors {
            e.message = Default::default();
        }
        answers.to_json()
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

fn write_bool(b: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// `,"key":"value"` when `value` is given: a field serde skips when it is `None`.
fn write_optional_str(key: &str, value: Option<&str>, out: &mut Vec<u8>) {
    if let Some(v) = value {
        write_next_name(key, out);
        write_str(v, out);
    }
}

impl PackRef {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        write_name("id", out);
        write_str(&self.id, out);
        write_next_name("version", out);
        write_str(&self.version, out);
        write_next_name("digest", out);
        write_str(&self.digest, out);
        out.push(b'}');
    }
}

impl DecisionOut {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        write_name("value", out);
        write_value(&self.value, out);
        write_next_name("status", out);
        write_str(self.status.name(), out);
        write_next_name("because", out);
        write_seq(&self.because, out, |s, out| write_str(s, out));
        write_next_name("unverified", out);
        write_bool(self.unverified, out);
        write_optional_str("scheme", self.scheme.as_deref(), out);
        out.push(b'}');
    }
}

impl RuleOut {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        write_name("id", out);
        write_str(&self.id, out);
        write_next_name("kind", out);
        write_str(self.kind.name(), out);
        write_next_name("status", out);
        write_str(self.status.name(), out);
        write_optional_str("severity", self.severity.as_deref(), out);
        for (key, value) in [("message", &self.message), ("value", &self.value)] {
            if let Some(v) = value {
                write_next_name(key, out);
                write_value(v, out);
            }
        }
        write_next_name("fields", out);
        write_seq(&self.fields, out, |s, out| write_str(s, out));
        write_next_name("missing", out);
        write_seq(&self.missing, out, |s, out| write_str(s, out));
        write_next_name("basis", out);
        out.push(b'{');
        write_name("source", out);
        write_str(&self.basis.source, out);
        write_next_name("article", out);
        write_str(&self.basis.article, out);
        out.push(b'}');
        write_next_name("unverified", out);
        write_bool(self.unverified, out);
        out.push(b'}');
    }
}

impl FieldNote {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        write_name("rule", out);
        match &self.rule {
            Some(rule) => write_str(rule, out),
            None => out.extend_from_slice(b"null"),
        }
        write_next_name("status", out);
        write_str(self.status.name(), out);
        write_optional_str("severity", self.severity.as_deref(), out);
        write_next_name("message", out);
        write_value(&self.message, out);
        out.push(b'}');
    }
}

impl ErrorOut {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        write_name("code", out);
        write_str(&self.code, out);
        write_optional_str("path", self.path.as_deref(), out);
        write_optional_str("rule", self.rule.as_deref(), out);
        write_next_name("message", out);
        write_value(&self.message, out);
        out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every optional field both given and left out, and strings that need escapes.
    fn sample() -> Outcome {
        let rule = |id: &str, severity: Option<&str>, message: Option<Value>, value| RuleOut {
            id: id.into(),
            kind: RuleKind::Check,
            status: RuleStatus::Fail,
            severity: severity.map(String::from),
            message,
            value,
            fields: vec!["a.b".into(), "list[0].\"q\"".into()],
            missing: vec!["x\ny".into()],
            basis: BasisOut {
                source: "GBZ\t1".into(),
                article: "附件1 性质①–③（另见 HT2003 第1–54项）".into(),
            },
            unverified: true,
        };
        let note = |rule: Option<&str>, severity: Option<&str>| FieldNote {
            rule: rule.map(Into::into),
            status: RuleStatus::NotApplicable,
            severity: severity.map(String::from),
            message: json!({"zh": "中\u{1}", "en": "\"quoted\""}),
        };
        Outcome {
            schema: OUTCOME_SCHEMA.into(),
            pack: PackRef {
                id: "cn.x".into(),
                version: "1.0.0".into(),
                digest: "sha256:00".into(),
            },
            complete: false,
            decisions: [
                (
                    "risk.class".to_owned(),
                    DecisionOut {
                        value: json!({"n": 1.5, "list": [1, -2, null, true]}),
                        status: DecisionStatus::Pending,
                        because: vec!["a".into(), "b\\c".into()].into(),
                        unverified: true,
                        scheme: Some("cn-pilot-2023".into()),
                    },
                ),
                (
                    "k\"ey".to_owned(),
                    DecisionOut {
                        value: Value::Null,
                        status: DecisionStatus::Error,
                        because: Vec::new().into(),
                        unverified: false,
                        scheme: None,
                    },
                ),
            ]
            .into(),
            rules: vec![
                rule(
                    "r1",
                    Some("error"),
                    Some(json!({"zh": "错"})),
                    Some(json!(3)),
                ),
                rule("r\u{7f}2", None, None, None),
            ],
            fields: [
                ("a.b".to_owned(), vec![note(Some("r1"), Some("warning"))]),
                (
                    "c".to_owned(),
                    vec![note(None, None), note(Some("r2"), None)],
                ),
            ]
            .into(),
            missing: vec!["m1".into(), "m\u{2028}2".into()],
            errors: vec![
                ErrorOut {
                    code: "input.wrong_type".into(),
                    path: Some("a.b".into()),
                    rule: None,
                    message: json!("msg"),
                },
                ErrorOut {
                    code: "rule.runtime".into(),
                    path: None,
                    rule: Some("r1".into()),
                    message: json!({"en": "e"}),
                },
            ],
        }
    }

    #[test]
    fn the_json_writer_writes_what_serde_json_writes() {
        let full = sample();
        assert_eq!(full.to_json(), serde_json::to_string(&full).unwrap());
        let mut empty = full.clone();
        empty.decisions.clear();
        empty.rules.clear();
        empty.fields.clear();
        empty.missing.clear();
        empty.errors.clear();
        assert_eq!(empty.to_json(), serde_json::to_string(&empty).unwrap());
    }

    #[test]
    fn written_json_reads_back_as_the_same_outcome() {
        let full = sample();
        let back: Outcome = serde_json::from_str(&full.to_json()).unwrap();
        assert_eq!(back, full);
    }
}
