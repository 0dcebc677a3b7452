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

/// `[0, 1, ..., n - 1]` as a list literal.
fn list_of(n: usize) -> String {
    let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    format!("[{}]", items.join(", "))
}

#[test]
fn nested_loops_stop_at_the_operation_budget() {
    // 10^6 iterations of the innermost body, far over the 100,000 operations allowed.
    let ten = list_of(10);
    assert_budget_error(&run_hostile(&format!(
        "let a = {ten}; let n = 0; for x in a {{ for y in a {{ for z in a {{ \
         for w in a {{ for v in a {{ for u in a {{ n += 1; }} }} }} }} }} }} n"
    )));
}

#[test]
fn string_doubling_stops_at_the_size_limit() {
    let steps = list_of(40);
    assert_budget_error(&run_hostile(&format!(
        "let s = \"ab\"; for i in {steps} {{ s += s; }} s.len()"
    )));
}

#[test]
fn array_doubling_stops_at_the_size_limit() {
    let steps = list_of(40);
    assert_budget_error(&run_hostile(&format!(
        "let a = [1, 2]; for i in {steps} {{ a += a; }} a.len()"
    )));
}

#[test]
fn loops_without_a_list_are_refused_at_load() {
    for expr in [
        "loop { }",
        "let n = 0; while org.workers > 0 { n += 1; } n",
        "let s = \"ab\"; loop { s += s; }",
        "let n = 0; do { n += 1; } while n < 3; n",
    ] {
        let e = load(&with("rules.toml", &hostile(expr))).expect_err(expr);
        assert_eq!(e.code(), "pack.rule", "{expr}");
        let message = e.to_string();
        assert!(
            message.contains("rule `hostile`") && message.contains("loop only over a list"),
            "{expr}: {message}"
        );
    }
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
    assert!(e.to_string().contains("not in the rule language"), "{e}");
}

#[test]
fn a_rule_cannot_change_what_later_rules_read() {
    // Only a rule's own `let` variables can be assigned.
    let e = load(&with("rules.toml", &hostile("org.workers = 1000; 1"))).expect_err("assigns");
    assert_eq!(e.code(), "pack.rule");
    assert!(e.to_string().contains("rule `hostile`"), "{e}");
}
