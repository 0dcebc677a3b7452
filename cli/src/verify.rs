//! Server-side re-check of a submission: recompute the outcome of an input with the pack the
//! client claims to have used, and compare it with the outcome the client claims.
//!
//! Shared by `hegui serve` (`POST /v1/verify`) and `hegui check` (batch files), so both give the
//! same reasons with the same codes. Each reason's `message` is in Chinese and English, rendered
//! for the requested language as the engine renders its own messages ([`Lang::render`]):
//!
//! | code | when | extra fields |
//! |---|---|---|
//! | `pack.unknown` | no pack with the claimed id | |
//! | `pack.unknown_version` | the id is known, the version is not | |
//! | `pack.stale_digest` | id and version known, the digest differs | `claimed`, `recomputed` |
//! | `input.invalid` | the input has an error (wrong type, bad date, ...) | `path`, `error` (the engine's code) |
//! | `evaluation.error` | a rule stopped with an error (e.g. its budget) | `rule`, `error` |
//! | `outcome.malformed` | the claimed outcome is not an object with `decisions` | |
//! | `outcome.pack_differs` | the claimed outcome names another pack than the request | `claimed`, `recomputed` |
//! | `outcome.complete_differs` | claimed `complete` differs | `claimed`, `recomputed` |
//! | `decision.differs` | a decision's value or status differs | `decision`, `claimed`, `recomputed`, `claimed_status`, `recomputed_status` |
//! | `decision.missing` | the claimed outcome lacks a decision | `decision`, `recomputed` |
//! | `decision.unknown` | the claimed outcome has a decision the pack does not make | `decision`, `claimed` |
//! | `decision.scheme_differs` | a decision's class scheme differs | `decision`, `claimed`, `recomputed` |

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use hegui_core::outcome::{DecisionOut, DecisionStatus};
use hegui_core::{CompiledPack, EvalOptions, Lang, Limits, Outcome, Text};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::error::CliError;
use crate::packs;

/// The pack a client says it evaluated with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PackClaim {
    pub id: String,
    pub version: String,
    pub digest: String,
}

/// One problem found while re-checking a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    /// Stable machine-readable code, e.g. `decision.differs`.
    pub code: String,
    /// Human-readable explanation, as the engine's messages are: `{"zh", "en"}`, or only the
    /// language asked for with `lang`.
    #[schema(value_type = Object, example = json!({"zh": "未知的规则包 `cn.nonexistent`", "en": "unknown pack `cn.nonexistent`"}))]
    pub message: Value,
    /// The input field at fault (`input.invalid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The decision at fault (`decision.*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// The rule at fault (`evaluation.error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The engine's own error code (`input.invalid`, `evaluation.error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the client claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub claimed: Option<Value>,
    /// What the server recomputed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub recomputed: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recomputed_status: Option<String>,
}

impl Reason {
    /// A reason whose message is `text` rendered for `lang`.
    pub fn new(code: &str, text: &Text, lang: Lang) -> Self {
        Reason::rendered(code, lang.render(text))
    }

    /// A reason whose message is already rendered (the engine's own error messages).
    fn rendered(code: &str, message: Value) -> Self {
        Reason {
            code: code.to_owned(),
            message,
            path: None,
            decision: None,
            rule: None,
            error: None,
            claimed: None,
            recomputed: None,
            claimed_status: None,
            recomputed_status: None,
        }
    }

    fn claimed(mut self, v: Value) -> Self {
        self.claimed = Some(v);
        self
    }

    fn recomputed(mut self, v: Value) -> Self {
        self.recomputed = Some(v);
        self
    }

    fn decision(mut self, name: &str) -> Self {
        self.decision = Some(name.to_owned());
        self
    }
}

/// What a re-check came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Pack known and current, input valid, claimed outcome (if any) equal to the recomputed one.
    Accepted,
    /// The pack is unknown or stale, or the claimed outcome differs.
    Rejected,
    /// The submission cannot be judged: the input (or the record holding it) is invalid.
    /// The HTTP API reports this as `rejected` (with `input.invalid` reasons).
    Invalid,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Rejected => "rejected",
            Verdict::Invalid => "invalid",
        }
    }
}

/// The result of re-checking one submission.
#[derive(Debug, Clone)]
pub struct Checked {
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
    /// The recomputed outcome; `None` when no pack could be found to compute it.
    pub outcome: Option<Outcome>,
}

impl Checked {
    /// Rejected without an outcome: no pack to recompute it with.
    fn unknown_pack(reason: Reason) -> Checked {
        Checked {
            verdict: Verdict::Rejected,
            reasons: vec![reason],
            outcome: None,
        }
    }
}

/// Compares a claimed pack reference with the pack that will recompute the outcome.
pub fn pack_reasons(pack: &CompiledPack, claim: &PackClaim, lang: Lang) -> Vec<Reason> {
    let (id, version) = (&claim.id, &claim.version);
    let reason = if *id != pack.id() {
        let ours = pack.id();
        Reason::new(
            "pack.unknown",
            &Text::new(
                format!("未知的规则包 `{id}`（本次核验使用 `{ours}`）"),
                format!("unknown pack `{id}` (this check uses `{ours}`)"),
            ),
            lang,
        )
    } else if *version != pack.version() {
        let ours = pack.version();
        Reason::new(
            "pack.unknown_version",
            &Text::new(
                format!("规则包 `{id}` 没有版本 {version}（本次核验使用 {ours}）"),
                format!("unknown version {version} of pack `{id}` (this check uses {ours})"),
            ),
            lang,
        )
    } else if claim.digest != pack.digest() {
        let (theirs, ours) = (&claim.digest, pack.digest());
        Reason::new(
            "pack.stale_digest",
            &Text::new(
                format!("规则包摘要已过期：`{id}` {version} 的摘要是 {ours}，而不是 {theirs}"),
                format!("pack `{id}` {version} has digest {ours}, not {theirs}"),
            ),
            lang,
        )
        .claimed(Value::String(theirs.clone()))
        .recomputed(Value::String(ours.to_owned()))
    } else {
        return Vec::new();
    };
    vec![reason]
}

/// One reason per error of a recomputed outcome: input errors and rule errors. Their messages
/// are the engine's, already rendered for the language the outcome was computed in.
pub fn input_reasons(outcome: &Outcome) -> Vec<Reason> {
    outcome
        .errors
        .iter()
        .map(|e| {
            let input = e.code.starts_with("input.");
            let mut r = Reason::rendered(
                if input {
                    "input.invalid"
                } else {
                    "evaluation.error"
                },
                e.message.clone(),
            );
            r.path = e.path.clone();
            r.rule = e.rule.clone();
            r.error = Some(e.code.clone());
            r
        })
        .collect()
}

fn status_name(s: DecisionStatus) -> &'static str {
    match s {
        DecisionStatus::Decided => "decided",
        DecisionStatus::Pending => "pending",
        DecisionStatus::Error => "error",
    }
}

/// A decision status as Chinese text; a claimed status that is not one of the three is shown
/// as sent.
fn status_zh(name: &str) -> &str {
    match name {
        "decided" => "已判定",
        "pending" => "待定",
        "error" => "出错",
        other => other,
    }
}

/// JSON equality where numbers compare by value (`1` equals `1.0`, as JavaScript sees them).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(p), Some(q)) if p == q)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// A claimed outcome, parsed for comparison only: `pack`, `complete` and `decisions` are kept,
/// everything else (rules, messages, field notes: most of an outcome's bytes) is skipped while
/// parsing, and so is every key of a decision but `value`, `status` and `scheme` (its `because`
/// list, `unverified`). Anything but an object becomes `null`, which [`compare`] reports as
/// malformed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimedOutcome(pub Value);

impl<'de> Deserialize<'de> for ClaimedOutcome {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Thin;
        impl<'de> Visitor<'de> for Thin {
            type Value = ClaimedOutcome;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an outcome object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ClaimedOutcome, A::Error> {
                let mut kept = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "decisions" {
                        let value = map.next_value_seed(AsSent {
                            entries: EntrySeed::Decision,
                        })?;
                        kept.insert(key, value);
                    } else if matches!(key.as_str(), "pack" | "complete") {
                        let value: Value = map.next_value()?;
                        kept.insert(key, value);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(ClaimedOutcome(Value::Object(kept)))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ClaimedOutcome, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ClaimedOutcome(Value::Null))
            }

            fn visit_bool<E>(self, _: bool) -> Result<ClaimedOutcome, E> {
                Ok(ClaimedOutcome(Value::Null))
            }

            fn visit_i64<E>(self, _: i64) -> Result<ClaimedOutcome, E> {
                Ok(ClaimedOutcome(Value::Null))
            }

            fn visit_u64<E>(self, _: u64) -> Result<ClaimedOutcome, E> {
                Ok(ClaimedOutcome(Value::Null))
            }

            fn visit_f64<E>(self, _: f64) -> Result<ClaimedOutcome, E> {
                Ok(ClaimedOutcome(Value::Null))
            }

            fn visit_str<E>(self, _: &str) -> Result<ClaimedOutcome, E> {
                Ok(ClaimedOutcome(Value::Null))
            }

            fn visit_unit<E>(self) -> Result<ClaimedOutcome, E> {
                Ok(ClaimedOutcome(Value::Null))
            }
        }
        deserializer.deserialize_any(Thin)
    }
}

/// What becomes of an object's entries in [`AsSent`].
#[derive(Clone, Copy)]
enum EntrySeed {
    /// The claimed `decisions`: every entry kept, each a decision.
    Decision,
    /// One claimed decision: only what [`compare`] reads (`value`, `status`, `scheme`) kept.
    Compared,
}

/// Builds the JSON value as sent (as `Value`'s own deserializer does), except for an object's
/// entries, which follow `entries`.
struct AsSent {
    entries: EntrySeed,
}

impl<'de> DeserializeSeed<'de> for AsSent {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AsSent {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = match self.entries {
                EntrySeed::Decision => map.next_value_seed(AsSent {
                    entries: EntrySeed::Compared,
                })?,
                EntrySeed::Compared if matches!(key.as_str(), "value" | "status" | "scheme") => {
                    map.next_value()?
                }
                EntrySeed::Compared => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            kept.insert(key, value);
        }
        Ok(Value::Object(kept))
    }
}

/// Compares a claimed outcome (any JSON, as the client sent it) with the recomputed one:
/// `complete`, and each decision's value, status and scheme. Messages are rendered for `lang`.
pub fn compare(recomputed: &Outcome, claimed: &Value, lang: Lang) -> Vec<Reason> {
    let Some(claimed_decisions) = claimed.get("decisions").and_then(Value::as_object) else {
        return vec![Reason::new(
            "outcome.malformed",
            &Text::new(
                "声称的评估结果必须是一个包含 `decisions` 对象的 JSON 对象",
                "the claimed outcome must be an object with a `decisions` object",
            ),
            lang,
        )];
    };
    let mut reasons = Vec::new();
    reasons.extend(pack_differs(recomputed, claimed, lang));
    reasons.extend(complete_differs(recomputed, claimed, lang));
    for (name, ours) in &recomputed.decisions {
        match claimed_decisions.get(name) {
            None => reasons.push(decision_missing(name, &ours.value, lang)),
            Some(theirs) => reasons.extend(decision_differs(name, ours, theirs, lang)),
        }
    }
    for (name, theirs) in claimed_decisions {
        if !recomputed.decisions.contains_key(name) {
            reasons.push(
                Reason::new(
                    "decision.unknown",
                    &Text::new(
                        format!("该规则包没有判定 `{name}`"),
                        format!("the pack makes no decision `{name}`"),
                    ),
                    lang,
                )
                .decision(name)
                .claimed(theirs.get("value").cloned().unwrap_or(Value::Null)),
            );
        }
    }
    reasons
}

/// `outcome.pack_differs`, when the claimed outcome names a pack and it is not ours.
fn pack_differs(recomputed: &Outcome, claimed: &Value, lang: Lang) -> Option<Reason> {
    let pack = claimed.get("pack")?;
    if names_pack(pack, &recomputed.pack) {
        return None;
    }
    let ours = serde_json::to_value(&recomputed.pack).unwrap_or(Value::Null);
    let text = Text::new(
        "声称的评估结果所指的规则包与核验所用的规则包不同",
        "the claimed outcome names another pack than the one it was checked with",
    );
    Some(
        Reason::new("outcome.pack_differs", &text, lang)
            .claimed(pack.clone())
            .recomputed(ours),
    )
}

/// Whether `claimed` is `{id, version, digest}` of `ours` and nothing else (what [`json_eq`] with
/// the serialised pack reference says, without serialising it for every submission).
fn names_pack(claimed: &Value, ours: &hegui_core::outcome::PackRef) -> bool {
    let Some(map) = claimed.as_object() else {
        return false;
    };
    map.len() == 3
        && [
            ("id", &ours.id),
            ("version", &ours.version),
            ("digest", &ours.digest),
        ]
        .iter()
        .all(|(key, v)| map.get(*key).and_then(Value::as_str) == Some(v.as_str()))
}

/// `outcome.complete_differs`, when the claim gives a `complete` other than ours.
fn complete_differs(recomputed: &Outcome, claimed: &Value, lang: Lang) -> Option<Reason> {
    let theirs = claimed.get("complete")?;
    let ours = recomputed.complete;
    if *theirs == Value::Bool(ours) {
        return None;
    }
    let text = Text::new(
        format!("`complete` 不一致：声称 {theirs}，重新计算为 {ours}"),
        format!("claimed complete = {theirs}, recomputed complete = {ours}"),
    );
    Some(
        Reason::new("outcome.complete_differs", &text, lang)
            .claimed(theirs.clone())
            .recomputed(Value::Bool(ours)),
    )
}

fn decision_missing(name: &str, ours: &Value, lang: Lang) -> Reason {
    let text = Text::new(
        format!("声称的评估结果缺少判定 `{name}`"),
        format!("the claimed outcome has no decision `{name}`"),
    );
    Reason::new("decision.missing", &text, lang)
        .decision(name)
        .recomputed(ours.clone())
}

/// `decision.differs` (value or status) and `decision.scheme_differs` for one claimed decision.
fn decision_differs(name: &str, ours: &DecisionOut, theirs: &Value, lang: Lang) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let ours_status = status_name(ours.status);
    let their_status = theirs.get("status").and_then(Value::as_str).unwrap_or("");
    let our_value = &ours.value;
    let same_value = theirs
        .get("value")
        .map_or(our_value.is_null(), |v| json_eq(v, our_value));
    if !same_value || their_status != ours_status {
        let their_value = theirs.get("value").cloned().unwrap_or(Value::Null);
        let text = Text::new(
            format!(
                "判定结果不一致：`{name}` 声称为 {their_value}（{}），重新计算为 {our_value}（{}）",
                status_zh(their_status),
                status_zh(ours_status)
            ),
            format!(
                "decision `{name}`: claimed {their_value} ({their_status}), recomputed {our_value} ({ours_status})"
            ),
        );
        let mut r = Reason::new("decision.differs", &text, lang)
            .decision(name)
            .claimed(their_value)
            .recomputed(our_value.clone());
        r.claimed_status = Some(their_status.to_owned());
        r.recomputed_status = Some(ours_status.to_owned());
        reasons.push(r);
    }
    if let Some(their_scheme) = theirs.get("scheme") {
        let same_scheme = match (their_scheme, &ours.scheme) {
            (Value::String(t), Some(o)) => t == o,
            (Value::Null, None) => true,
            _ => false,
        };
        if !same_scheme {
            let our_scheme = ours
                .scheme
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null);
            let text = Text::new(
                format!("判定 `{name}` 的分类方案不一致：声称为 {their_scheme}，重新计算为 {our_scheme}"),
                format!("decision `{name}`: claimed scheme {their_scheme}, recomputed {our_scheme}"),
            );
            reasons.push(
                Reason::new("decision.scheme_differs", &text, lang)
                    .decision(name)
                    .claimed(their_scheme.clone())
                    .recomputed(our_scheme),
            );
        }
    }
    reasons
}

/// Evaluates with a guard: the engine does not panic, but a bug must not take a worker down.
pub fn evaluate_guarded(pack: &CompiledPack, input: &Value, options: &EvalOptions) -> Outcome {
    evaluate_guarded_in(pack, input, options, None)
}

/// [`evaluate_guarded`], limited to the selected decisions when given.
pub fn evaluate_guarded_in(
    pack: &CompiledPack,
    input: &Value,
    options: &EvalOptions,
    selection: Option<&hegui_core::Selection>,
) -> Outcome {
    let run = std::panic::AssertUnwindSafe(|| match selection {
        Some(selection) => pack.evaluate_selected(input, options, selection),
        None => pack.evaluate(input, options),
    });
    match std::panic::catch_unwind(run) {
        Ok(outcome) => outcome,
        Err(_) => {
            // Reuse the engine's own shape for a document-level failure, then relabel it.
            let mut outcome = pack.evaluate(&Value::Null, options);
            if let Some(e) = outcome.errors.first_mut() {
                e.code = "internal".into();
                e.message = options.lang.render(&Text::new(
                    "引擎处理此输入时出错",
                    "the engine failed on this input",
                ));
            }
            outcome
        }
    }
}

/// Re-checks one submission against `pack`: the claimed pack (if given), the input, and the
/// claimed outcome (if given).
pub fn check_submission(
    pack: &CompiledPack,
    claim: Option<&PackClaim>,
    input: &Value,
    claimed: Option<&Value>,
    options: &EvalOptions,
) -> Checked {
    let mut reasons = claim
        .map(|c| pack_reasons(pack, c, options.lang))
        .unwrap_or_default();
    if reasons.iter().any(|r| r.code != "pack.stale_digest") {
        // Another pack altogether: its outcome cannot be recomputed here.
        return Checked {
            verdict: Verdict::Rejected,
            reasons,
            outcome: None,
        };
    }
    let outcome = evaluate_guarded(pack, input, options);
    let invalid = input_reasons(&outcome);
    let input_bad = !invalid.is_empty();
    reasons.extend(invalid);
    if let Some(claimed) = claimed {
        reasons.extend(compare(&outcome, claimed, options.lang));
    }
    let verdict = if reasons.is_empty() {
        Verdict::Accepted
    } else if input_bad {
        Verdict::Invalid
    } else {
        Verdict::Rejected
    };
    Checked {
        verdict,
        reasons,
        outcome: Some(outcome),
    }
}

/// A loaded pack with what the server hands out for it, computed once.
pub struct LoadedPack {
    pub compiled: CompiledPack,
    /// `ResolvedPack::to_bundle_json()`, served as is by `GET /v1/packs/{id}`.
    pub bundle_json: Arc<str>,
    /// The folder it was loaded from.
    pub source: String,
}

/// Summary of a pack for listings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PackSummary {
    pub id: String,
    pub version: String,
    pub digest: String,
    /// Where the pack applies (`cn`, `cn-cq-liangjiang`, ...).
    pub jurisdiction: String,
    /// The base pack an overlay extends (`id@version`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    #[schema(value_type = Object)]
    pub title: Value,
}

impl LoadedPack {
    pub fn summary(&self) -> PackSummary {
        let manifest = &self.compiled.resolved().manifest;
        let title = &manifest.title;
        PackSummary {
            id: self.compiled.id().to_owned(),
            version: self.compiled.version().to_owned(),
            digest: self.compiled.digest().to_owned(),
            jurisdiction: manifest.jurisdiction.clone(),
            extends: manifest.extends.clone(),
            title: serde_json::json!({"zh": title.zh, "en": title.en}),
        }
    }
}

fn version_key(v: &str) -> (Vec<u64>, String) {
    let core = v.split(['-', '+']).next().unwrap_or(v);
    (
        core.split('.').map(|p| p.parse().unwrap_or(0)).collect(),
        v.to_owned(),
    )
}

/// The loaded versions of one pack id, oldest first.
type Versions = BTreeMap<(Vec<u64>, String), Arc<LoadedPack>>;

/// Every pack a server knows, by id and version. Read-only once loaded.
#[derive(Default)]
pub struct Registry {
    packs: BTreeMap<String, Versions>,
}

impl Registry {
    /// Loads every pack folder under `root` (overlays resolved), compiled with `limits`.
    pub fn load(root: &Path, limits: &Limits) -> Result<Registry, CliError> {
        let mut registry = Registry::default();
        for dir in packs::find_pack_dirs(root)? {
            let resolved = packs::resolve_dir(&dir)?;
            let source = dir.display().to_string();
            let bundle = resolved
                .to_bundle_json()
                .map_err(|e| CliError::Load(source.clone(), e))?;
            let compiled = CompiledPack::compile_with_limits(resolved, limits)
                .map_err(|e| CliError::Load(source.clone(), e))?;
            registry.insert(LoadedPack {
                compiled,
                bundle_json: bundle.into(),
                source,
            })?;
        }
        Ok(registry)
    }

    pub fn insert(&mut self, pack: LoadedPack) -> Result<(), CliError> {
        let versions = self.packs.entry(pack.compiled.id().to_owned()).or_default();
        let key = version_key(pack.compiled.version());
        if let Some(existing) = versions.get(&key) {
            return Err(CliError::Usage(format!(
                "pack {}@{} is defined twice: {} and {}",
                pack.compiled.id(),
                pack.compiled.version(),
                existing.source,
                pack.source
            )));
        }
        versions.insert(key, Arc::new(pack));
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.packs.is_empty()
    }

    /// Every pack, by id then version.
    pub fn all(&self) -> impl Iterator<Item = &Arc<LoadedPack>> {
        self.packs.values().flat_map(|v| v.values())
    }

    /// The newest version of a pack.
    pub fn latest(&self, id: &str) -> Option<&Arc<LoadedPack>> {
        self.packs.get(id)?.values().next_back()
    }

    pub fn get(&self, id: &str, version: &str) -> Option<&Arc<LoadedPack>> {
        self.packs.get(id)?.get(&version_key(version))
    }

    /// Re-checks a submission naming its pack: finds the pack, then [`check_submission`].
    pub fn verify(
        &self,
        claim: &PackClaim,
        input: &Value,
        claimed: &Value,
        options: &EvalOptions,
    ) -> Checked {
        let (id, version) = (&claim.id, &claim.version);
        let Some(versions) = self.packs.get(id) else {
            let text = Text::new(
                format!("未知的规则包 `{id}`"),
                format!("unknown pack `{id}`"),
            );
            return Checked::unknown_pack(Reason::new("pack.unknown", &text, options.lang));
        };
        let Some(pack) = versions.get(&version_key(version)) else {
            let known: Vec<&str> = versions.values().map(|p| p.compiled.version()).collect();
            let known = known.join(", ");
            let text = Text::new(
                format!("规则包 `{id}` 没有版本 {version}（已加载的版本：{known}）"),
                format!("unknown version {version} of pack `{id}` (known: {known})"),
            );
            let reason = Reason::new("pack.unknown_version", &text, options.lang);
            return Checked::unknown_pack(reason);
        };
        check_submission(&pack.compiled, Some(claim), input, Some(claimed), options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hegui_core::outcome::PackRef;
    use serde_json::json;

    /// An outcome with one decided decision of `value` (and `scheme`), and one pending at null.
    fn recomputed(value: Value, scheme: Option<&str>) -> Outcome {
        let decision = |value, status, scheme: Option<&str>| DecisionOut {
            value,
            status,
            because: Vec::new().into(),
            unverified: false,
            scheme: scheme.map(String::from),
        };
        Outcome {
            schema: hegui_core::outcome::OUTCOME_SCHEMA.into(),
            pack: PackRef {
                id: "cn.x".into(),
                version: "1.0.0".into(),
                digest: "sha256:ab".into(),
            },
            complete: false,
            decisions: [
                (
                    "d".to_owned(),
                    decision(value, DecisionStatus::Decided, scheme),
                ),
                (
                    "p".to_owned(),
                    decision(Value::Null, DecisionStatus::Pending, None),
                ),
            ]
            .into(),
            rules: Vec::new(),
            fields: Default::default(),
            missing: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn codes(ours: &Outcome, claimed: Value) -> Vec<String> {
        compare(ours, &claimed, Lang::En)
            .into_iter()
            .map(|r| {
                format!(
                    "{}{}",
                    r.code,
                    r.decision.map(|d| format!(" {d}")).unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn the_thin_parse_of_a_claim_compares_as_the_whole_claim() {
        let ours = recomputed(json!({"n": 1}), Some("cn-pilot-2023"));
        let claims = [
            r#"{"pack": {"id": "cn.x", "version": "1.0.0", "digest": "sha256:ab"}, "rules": [{"id": "r"}],
               "decisions": {"d": {"value": {"n": 1}, "status": "decided", "because": ["a", "b"],
               "unverified": true, "scheme": "cn-pilot-2023"}, "p": {"status": "pending", "value": null}}}"#,
            r#"{"decisions": {"d": {"value": 2, "status": "decided", "because": [], "value": {"n": 1}}}}"#,
            r#"{"decisions": {"d": "乙", "p": [1, 2.5, -3, null, true, {"value": 1}], "x": 1e300}}"#,
            r#"{"decisions": {"d": {"status": "decided", "scheme": null}, "p": {"value": 18446744073709551615}}}"#,
            r#"{"decisions": [1, 2], "complete": true}"#,
            r#"{"decisions": {"d": {"value": {"n": 1, "because": [1]}, "status": "decided", "scheme": "cn-pilot-2023"}, "d": {"value": {"n": 1}, "status": "pending"}}}"#,
            r#"[1, {"decisions": {}}]"#,
        ];
        for text in claims {
            let thin: ClaimedOutcome = serde_json::from_str(text).unwrap();
            let whole: Value = serde_json::from_str(text).unwrap();
            let whole = if whole.is_object() {
                whole
            } else {
                Value::Null
            };
            assert_eq!(
                compare(&ours, &thin.0, Lang::Both),
                compare(&ours, &whole, Lang::Both),
                "{text}"
            );
        }
        let thin: ClaimedOutcome = serde_json::from_str(claims[0]).unwrap();
        assert_eq!(
            thin.0["decisions"]["d"],
            json!({"value": {"n": 1}, "status": "decided", "scheme": "cn-pilot-2023"})
        );
        assert!(thin.0.get("rules").is_none());
    }

    #[test]
    fn a_claimed_pack_must_be_exactly_the_recomputed_reference() {
        let ours = recomputed(json!("乙"), None);
        let decisions =
            json!({"d": {"value": "乙", "status": "decided"}, "p": {"status": "pending"}});
        let pack = json!({"id": "cn.x", "version": "1.0.0", "digest": "sha256:ab"});
        assert!(codes(&ours, json!({"pack": pack, "decisions": decisions})).is_empty());
        for other in [
            json!({"id": "cn.x", "version": "1.0.0"}),
            json!({"id": "cn.x", "version": "1.0.0", "digest": "sha256:ab", "extra": 1}),
            json!({"id": "cn.x", "version": "1.0.1", "digest": "sha256:ab"}),
            json!({"id": "cn.x", "version": 1, "digest": "sha256:ab"}),
            json!("cn.x"),
            Value::Null,
        ] {
            let reasons = compare(
                &ours,
                &json!({"pack": other, "decisions": decisions}),
                Lang::En,
            );
            assert_eq!(reasons.len(), 1, "{other}");
            assert_eq!(reasons[0].code, "outcome.pack_differs");
            assert_eq!(reasons[0].claimed, Some(other.clone()));
            assert_eq!(
                reasons[0].recomputed,
                Some(serde_json::to_value(&ours.pack).unwrap())
            );
        }
    }

    #[test]
    fn decisions_compare_value_status_and_scheme() {
        let ours = recomputed(json!({"n": 1}), Some("cn-pilot-2023"));
        let pending = json!({"status": "pending"});
        let claim = |d: Value| json!({"decisions": {"d": d, "p": pending}});
        let same = [
            json!({"value": {"n": 1.0}, "status": "decided"}),
            json!({"value": {"n": 1}, "status": "decided", "scheme": "cn-pilot-2023"}),
        ];
        for d in same {
            assert!(codes(&ours, claim(d.clone())).is_empty(), "{d}");
        }
        let cases = [
            (
                json!({"value": {"n": 2}, "status": "decided"}),
                vec!["decision.differs d"],
            ),
            (json!({"status": "decided"}), vec!["decision.differs d"]),
            (
                json!({"value": {"n": 1}, "status": "pending"}),
                vec!["decision.differs d"],
            ),
            (
                json!({"value": {"n": 1}, "status": "decided", "scheme": "legacy"}),
                vec!["decision.scheme_differs d"],
            ),
            (
                json!({"value": {"n": 1}, "status": "decided", "scheme": null}),
                vec!["decision.scheme_differs d"],
            ),
            (
                json!({"value": {"n": 1}, "status": "decided", "scheme": 7}),
                vec!["decision.scheme_differs d"],
            ),
            (json!("乙"), vec!["decision.differs d"]),
        ];
        for (d, expected) in cases {
            assert_eq!(codes(&ours, claim(d.clone())), expected, "{d}");
        }
        // A pending decision's value is null: leaving it out, or giving null, is the same.
        let unschemed = recomputed(json!(true), None);
        for p in [
            json!({"status": "pending"}),
            json!({"value": null, "status": "pending", "scheme": null}),
        ] {
            let claimed = json!({"decisions": {"d": {"value": true, "status": "decided"}, "p": p}});
            assert!(codes(&unschemed, claimed.clone()).is_empty(), "{claimed}");
        }
        let differs = compare(
            &ours,
            &claim(json!({"value": 3, "status": "decided", "scheme": "legacy"})),
            Lang::En,
        );
        assert_eq!(differs[0].claimed, Some(json!(3)));
        assert_eq!(differs[0].recomputed, Some(json!({"n": 1})));
        assert_eq!(differs[1].claimed, Some(json!("legacy")));
        assert_eq!(differs[1].recomputed, Some(json!("cn-pilot-2023")));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(&json!(1), &json!(1.0)));
        assert!(json_eq(&json!({"a": [1, 2.5]}), &json!({"a": [1.0, 2.5]})));
        assert!(!json_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!json_eq(&json!("1"), &json!(1)));
    }

    #[test]
    fn reasons_follow_the_language_convention() {
        let text = Text::new("未知的规则包 `x`", "unknown pack `x`");
        let both = Reason::new("pack.unknown", &text, Lang::Both);
        assert_eq!(
            both.message,
            json!({"zh": "未知的规则包 `x`", "en": "unknown pack `x`"})
        );
        let zh = Reason::new("pack.unknown", &text, Lang::Zh);
        assert_eq!(zh.message, json!({"zh": "未知的规则包 `x`"}));
        let en = Reason::new("pack.unknown", &text, Lang::En);
        assert_eq!(en.message, json!({"en": "unknown pack `x`"}));
    }

    #[test]
    fn version_order_is_numeric() {
        assert!(version_key("1.10.0") > version_key("1.9.0"));
    }
}
