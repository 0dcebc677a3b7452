//! Evaluations limited to some decisions (`CompiledPack::select`): only the rules those decisions
//! need run, they answer as a whole evaluation does, and a bad selection is a typed error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use hegui_core::outcome::DecisionStatus;
use hegui_core::{EvalOptions, SelectError};
use serde_json::json;

#[test]
fn a_selected_decision_runs_only_what_it_needs() {
    let pack = common::load(&common::files()).unwrap();
    let selection = pack.select(&["org.big"]).unwrap();
    assert_eq!(selection.decisions(), ["org.big"]);
    assert_eq!(selection.rule_count(), 1);
    // `workers_known` fails and `org.items` is missing for `items_small`, but neither is needed
    // for `org.big`: the limited outcome is complete, the whole one is not.
    let input = json!({"org": {"workers": 0, "kind": "a"}});
    let options = EvalOptions::default();
    let whole = pack.evaluate(&input, &options);
    let limited = pack.evaluate_selected(&input, &options, &selection);
    assert!(!whole.failing_rules().is_empty());
    assert!(limited.failing_rules().is_empty());
    assert_eq!(limited.decisions.keys().collect::<Vec<_>>(), ["org.big"]);
    assert_eq!(limited.decisions["org.big"], whole.decisions["org.big"]);
    assert_eq!(limited.decisions["org.big"].value, json!(false));
    assert_eq!(
        limited.rules.iter().map(|r| &*r.id).collect::<Vec<_>>(),
        ["big"]
    );
    assert!(limited.complete);
    assert!(!whole.complete);
}

#[test]
fn a_selected_decision_waits_on_its_own_fields_only() {
    let pack = common::load(&common::files()).unwrap();
    let selection = pack.select(&["org.size", "org.size"]).unwrap();
    assert_eq!(selection.decisions(), ["org.size"]);
    let limited = pack.evaluate_selected(&json!({}), &EvalOptions::default(), &selection);
    assert_eq!(
        limited.decisions["org.size"].status,
        DecisionStatus::Pending
    );
    assert_eq!(limited.missing, ["org.workers"]);
    assert!(!limited.complete);
}

#[test]
fn bad_selections_are_typed_errors() {
    let pack = common::load(&common::files()).unwrap();
    let empty: [&str; 0] = [];
    assert_eq!(pack.select(&empty), Err(SelectError::Empty));
    let unknown = pack.select(&["org.big", "org.bigger"]).unwrap_err();
    assert_eq!(unknown.code(), "selection.unknown_decision");
    let message = unknown.to_string();
    assert!(message.contains("`org.bigger`"), "{message}");
    assert!(message.contains("org.size, org.big"), "{message}");
    // a rule that is not a decision is not selectable
    assert!(pack.select(&["workers_known"]).is_err());
}

#[test]
fn a_selection_of_another_pack_is_refused_in_the_outcome() {
    let pack = common::load(&common::files()).unwrap();
    let other = common::load(&common::with_extra_rules(
        r#"
[[rule]]
id = "kind_a"
kind = "decision"
decision = "org.kind_a"
message = { zh = "甲类", en = "kind a" }
basis = { source = "S", article = "5" }
expr = "org.kind == \"a\""
"#,
    ))
    .unwrap();
    let selection = other.select(&["org.big"]).unwrap();
    let outcome = pack.evaluate_selected(
        &json!({"org": {"workers": 3}}),
        &EvalOptions::default(),
        &selection,
    );
    assert_eq!(outcome.errors.len(), 1);
    assert_eq!(outcome.errors[0].code, "selection.other_pack");
    assert!(!outcome.complete);
    // the same selection made for this pack is accepted
    let own = pack.select(&["org.big"]).unwrap();
    let outcome = pack.evaluate_selected(
        &json!({"org": {"workers": 3}}),
        &EvalOptions::default(),
        &own,
    );
    assert!(outcome.errors.is_empty());
}

#[test]
fn an_unreadable_document_errs_only_the_selected_decisions() {
    let pack = common::load(&common::files()).unwrap();
    let selection = pack.select(&["org.size"]).unwrap();
    let outcome = pack.evaluate_str_selected("[1, 2", &EvalOptions::default(), &selection);
    assert_eq!(outcome.errors[0].code, "input.malformed");
    assert_eq!(outcome.decisions.keys().collect::<Vec<_>>(), ["org.size"]);
    assert_eq!(outcome.decisions["org.size"].status, DecisionStatus::Error);
    assert_eq!(
        outcome.rules.iter().map(|r| &*r.id).collect::<Vec<_>>(),
        ["size_class"]
    );
}
