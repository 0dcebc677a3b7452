//! Hostile rules are refused at load or stopped within their budget, with an `error` status.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use hegui_core::outcome::RuleStatus;
use serde_json::json;

fn hostile(expr: &str) -> String {
    format!(
        r#"{RULES}
[[rule]]
id = "hostile"
kind = "derive"
sets = "calc.x"
message = {{ zh = "恶意", en = "hostile" }}
basis = {{ source = "S", article = "x" }}
expr = '''{expr}'''
"#
    )
}

fn run_hostile(expr: &str) -> hegui_core::Outcome {
    let pack = load(&with("rules.toml", &hostile(expr))).expect("loads");
    eval(&pack, json!({"org": {"workers": 5}}))
}

fn assert_budget_error(outcome: &hegui_core::Outcome) {
    let rule = outcome.rules.iter().find(|r| &*r.id == "hostile").unwrap();
    assert_eq!(rule.status, RuleStatus::Error);
    let e = outcome
        .errors
        .iter()
        .find(|e| e.rule.as_deref() == Some("hostile"))
        .unwrap();
    assert_eq!(e.code, "rule.budget", "{e:?}");
    // The other rules still ran.
    assert_eq!(outcome.decisions["org.size"].value, json!("small"));
}

#[test]
fn endless_loop_stops_at_the_operation_budget() {
    assert_budget_error(&run_hostile("loop { }"));
}

#[test]
fn endless_loop_reading_input_stops_too() {
    assert_budget_error(&run_hostile(
        "let n = 0; while org.workers > 0 { n += 1; } n",
    ));
}

#[test]
fn string_doubling_stops_at_the_size_limit() {
    assert_budget_error(&run_hostile("let s = \"ab\"; loop { s += s; }"));
}

#[test]
fn array_doubling_stops_at_the_size_limit() {
    assert_budget_error(&run_hostile("let a = [1, 2]; loop { a += a; }"));
}

#[test]
fn recursion_is_refused_at_load() {
    let e = load(&with("rules.toml", &hostile("fn f(x) { f(x) } f(1)")))
        .expect_err("functions are not allowed");
    assert_eq!(e.code(), "pack.rule");
    assert!(e.to_string().contains("rule `hostile`"), "{e}");
}

#[test]
fn deeply_nested_expression_is_refused_at_load() {
    let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
    let e = load(&with("rules.toml", &hostile(&deep))).expect_err("too deep");
    assert_eq!(e.code(), "pack.rule");
}

#[test]
fn eval_is_not_available() {
    let e = load(&with("rules.toml", &hostile("eval(\"1\")"))).expect_err("no eval");
    assert_eq!(e.code(), "pack.rule");
}

#[test]
fn template_strings_are_refused_at_load() {
    let e = load(&with("rules.toml", &hostile("`${org.workers}`"))).expect_err("template");
    assert!(e.to_string().contains("template strings"), "{e}");
}

#[test]
fn a_rule_cannot_change_what_later_rules_read() {
    let pack = load(&with("rules.toml", &hostile("org.workers = 1000; 1"))).expect("loads");
    let outcome = eval(&pack, json!({"org": {"workers": 5}}));
    assert_eq!(outcome.decisions["org.size"].value, json!("small"));
    let rule = outcome.rules.iter().find(|r| &*r.id == "hostile").unwrap();
    assert_eq!(rule.status, RuleStatus::Error);
}
