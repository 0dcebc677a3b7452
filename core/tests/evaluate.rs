//! Evaluation semantics: pending, errors, tables, lists, verified flags, determinism.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use hegui_core::outcome::{DecisionStatus, RuleStatus};
use hegui_core::{Detail, EvalOptions, Lang};
use serde_json::json;

#[test]
fn partial_input_is_pending_not_failing() {
    let pack = load(&files()).unwrap();
    let o = eval(&pack, json!({}));
    assert!(!o.complete);
    assert_eq!(o.decisions["org.size"].status, DecisionStatus::Pending);
    let check = o.rules.iter().find(|r| &*r.id == "workers_known").unwrap();
    assert_eq!(check.status, RuleStatus::Pending);
    assert_eq!(o.missing, vec!["org.workers", "org.items"]);
    assert!(o.errors.is_empty());
}

#[test]
fn complete_input_decides_everything() {
    let pack = load(&files()).unwrap();
    let o = eval(&pack, json!({"org": {"workers": 50, "items": [{"n": 1}]}}));
    assert!(o.complete, "{}", o.to_json());
    assert_eq!(o.decisions["org.size"].value, json!("large"));
    assert_eq!(o.decisions["org.big"].value, json!(true));
}

#[test]
fn unverified_comes_from_rules_and_table_rows() {
    let pack = load(&files()).unwrap();
    let small = eval(&pack, json!({"org": {"workers": 5}}));
    assert!(!small.decisions["org.size"].unverified);
    assert!(
        small.decisions["org.big"].unverified,
        "rule says verified = false"
    );
    let large = eval(&pack, json!({"org": {"workers": 60}}));
    assert!(
        large.decisions["org.size"].unverified,
        "row says verified = false"
    );
}

#[test]
fn wrong_types_are_errors_naming_the_path() {
    let pack = load(&files()).unwrap();
    let o = eval(
        &pack,
        json!({"assessment_date": "2026-02-30", "org": {"workers": "many", "kind": "c", "items": [{"n": 1.5}]}}),
    );
    let codes: Vec<String> = o
        .errors
        .iter()
        .map(|e| format!("{}@{}", e.code, e.path.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        codes,
        vec![
            "input.invalid_date@assessment_date",
            "input.wrong_type@org.workers",
            "input.unknown_enum@org.kind",
            "input.wrong_type@org.items[0].n",
        ]
    );
    assert_eq!(o.decisions["org.size"].status, DecisionStatus::Error);
    assert!(o.fields["org.workers"][0].rule.is_none());
    assert!(!o.complete);
}

#[test]
fn an_object_where_a_value_is_expected_and_vice_versa() {
    let pack = load(&files()).unwrap();
    let o = eval(&pack, json!({"org": "acme"}));
    assert_eq!(o.errors.len(), 1);
    assert_eq!(o.errors[0].code, "input.wrong_type");
    assert_eq!(o.errors[0].path.as_deref(), Some("org"));
}

#[test]
fn out_of_range_and_too_many_items() {
    let pack = load(&files()).unwrap();
    let o = eval(
        &pack,
        json!({"org": {"workers": -1, "items": [{}, {}, {}, {}, {}, {}]}}),
    );
    let codes: Vec<&str> = o.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, vec!["input.out_of_range", "input.too_large"]);
}

#[test]
fn null_and_empty_string_mean_absent() {
    let pack = load(&files()).unwrap();
    let o = eval(&pack, json!({"org": {"workers": null, "kind": ""}}));
    assert!(o.errors.is_empty());
    assert!(o.missing.contains(&"org.workers".to_string()));
}

#[test]
fn for_each_failures_name_the_item() {
    let pack = load(&files()).unwrap();
    let o = eval(
        &pack,
        json!({"org": {"workers": 3, "items": [{"n": 1}, {"n": 12}]}}),
    );
    let rule = o.rules.iter().find(|r| &*r.id == "items_small").unwrap();
    assert_eq!(rule.status, RuleStatus::Fail);
    assert_eq!(o.fields.keys().collect::<Vec<_>>(), vec!["org.items[1].n"]);
    assert_eq!(
        o.fields["org.items[1].n"][0].rule.as_deref(),
        Some("items_small")
    );
}

#[test]
fn missing_item_fields_name_the_item() {
    let pack = load(&files()).unwrap();
    let o = eval(
        &pack,
        json!({"org": {"workers": 3, "items": [{"n": 1}, {}]}}),
    );
    assert_eq!(o.missing, vec!["org.items[1].n"]);
}

#[test]
fn documents_that_are_not_objects_or_not_json() {
    let pack = load(&files()).unwrap();
    let o = eval(&pack, json!([1, 2]));
    assert_eq!(o.errors[0].code, "input.wrong_type");
    assert!(o
        .decisions
        .values()
        .all(|d| d.status == DecisionStatus::Error));
    let o = pack.evaluate_str("{not json", &EvalOptions::default());
    assert_eq!(o.errors[0].code, "input.malformed");
    let big = format!("{{\"x\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let o = pack.evaluate_str(&big, &EvalOptions::default());
    assert_eq!(o.errors[0].code, "input.too_large");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let o = pack.evaluate_str(&deep, &EvalOptions::default());
    assert_eq!(o.errors[0].code, "input.malformed");
}

#[test]
fn lang_keeps_one_language() {
    let pack = load(&files()).unwrap();
    let opts = EvalOptions {
        lang: Lang::En,
        ..EvalOptions::default()
    };
    let o = pack.evaluate(&json!({"org": {"workers": 0}}), &opts);
    let rule = o.rules.iter().find(|r| &*r.id == "workers_known").unwrap();
    assert_eq!(
        rule.message,
        Some(json!({"en": "workers must be positive"}))
    );
}

#[test]
fn outcomes_are_byte_identical_across_runs_and_key_orders() {
    let pack = load(&files()).unwrap();
    let a = eval(
        &pack,
        json!({"org": {"workers": 12, "kind": "a", "items": [{"n": 3}]}}),
    )
    .to_json();
    let b = pack
        .evaluate_str(
            r#"{"org": {"items": [{"n": 3}], "kind": "a", "workers": 12}}"#,
            &EvalOptions::default(),
        )
        .to_json();
    assert_eq!(a, b);
    let again = load(&files()).unwrap();
    assert_eq!(
        a,
        eval(
            &again,
            json!({"org": {"workers": 12, "kind": "a", "items": [{"n": 3}]}})
        )
        .to_json()
    );
}

#[test]
fn integral_floats_print_as_integers() {
    let rules = r#"
[[rule]]
id = "half"
kind = "decision"
decision = "calc.half"
message = { zh = "半", en = "half" }
basis = { source = "S", article = "x" }
expr = "org.workers / 2.0"
"#;
    let pack = load(&with_extra_rules(rules)).unwrap();
    let o = eval(&pack, json!({"org": {"workers": 10}}));
    assert!(
        o.to_json().contains(r#""calc.half":{"value":5,"#),
        "{}",
        o.to_json()
    );
    let o = eval(&pack, json!({"org": {"workers": 5}}));
    assert_eq!(o.decisions["calc.half"].value, json!(2.5));
}

#[test]
fn top_level_fields_carry_their_value() {
    let rules = r#"
[[rule]]
id = "recent"
kind = "decision"
decision = "calc.recent"
message = { zh = "近期", en = "recent" }
basis = { source = "S", article = "x" }
expr = "within_years_before(\"2024-01-01\", assessment_date, 3)"
"#;
    let pack = load(&with_extra_rules(rules)).unwrap();
    let o = eval(&pack, json!({"assessment_date": "2026-12-31"}));
    assert_eq!(
        o.decisions["calc.recent"].value,
        json!(true),
        "{}",
        o.to_json()
    );
    let o = eval(&pack, json!({"assessment_date": "2027-01-02"}));
    assert_eq!(o.decisions["calc.recent"].value, json!(false));
    let o = eval(&pack, json!({}));
    assert_eq!(o.decisions["calc.recent"].status, DecisionStatus::Pending);
    assert_eq!(
        o.missing,
        vec!["assessment_date", "org.workers", "org.items"]
    );
}

#[test]
fn all_pass_fails_at_once_and_waits_only_when_nothing_failed() {
    let rules = r#"
[[rule]]
id = "dated"
kind = "check"
message = { zh = "日期", en = "date" }
basis = { source = "S", article = "x" }
assert = "assessment_date >= \"2020-01-01\""

[[rule]]
id = "ok"
kind = "decision"
decision = "calc.ok"
message = { zh = "全部通过", en = "all pass" }
basis = { source = "S", article = "x" }
all_pass = ["workers_known", "dated"]
"#;
    let pack = load(&with_extra_rules(rules)).unwrap();
    // One failing, one pending: decided false.
    let o = eval(&pack, json!({"org": {"workers": 0}}));
    assert_eq!(o.decisions["calc.ok"].status, DecisionStatus::Decided);
    assert_eq!(o.decisions["calc.ok"].value, json!(false));
    // One passing, one pending: pending, naming what is missing.
    let o = eval(&pack, json!({"org": {"workers": 3}}));
    assert_eq!(o.decisions["calc.ok"].status, DecisionStatus::Pending);
    let rule = o.rules.iter().find(|r| &*r.id == "ok").unwrap();
    assert_eq!(rule.missing, vec!["assessment_date"]);
    // Both passing: true, and `because` names both.
    let o = eval(
        &pack,
        json!({"org": {"workers": 3}, "assessment_date": "2026-01-01"}),
    );
    assert_eq!(o.decisions["calc.ok"].value, json!(true));
    let because: Vec<&str> = o.decisions["calc.ok"]
        .because
        .iter()
        .map(|s| &**s)
        .collect();
    assert_eq!(because, vec!["workers_known", "dated", "ok"]);
}

#[test]
fn all_pass_names_only_assertions() {
    let rules = r#"
[[rule]]
id = "ok"
kind = "decision"
decision = "calc.ok"
message = { zh = "x", en = "x" }
basis = { source = "S", article = "x" }
all_pass = ["big"]
"#;
    let e = load(&with_extra_rules(rules)).unwrap_err();
    assert!(e.to_string().contains("not a prerequisite or check"), "{e}");
}

#[test]
fn a_rule_can_declare_itself_pending_on_declared_fields() {
    let rules = r#"
[[rule]]
id = "needs_kind"
kind = "decision"
decision = "calc.kind"
message = { zh = "类别", en = "kind" }
basis = { source = "S", article = "x" }
expr = "if org.workers > 100 { \"big\" } else { pending(\"org.kind\") }"

[[rule]]
id = "bad_pending"
kind = "decision"
decision = "calc.bad"
message = { zh = "错", en = "bad" }
basis = { source = "S", article = "x" }
expr = "pending([\"org.nope\"])"
"#;
    let pack = load(&with_extra_rules(rules)).unwrap();
    let o = eval(&pack, json!({"org": {"workers": 5, "items": []}}));
    assert_eq!(o.decisions["calc.kind"].status, DecisionStatus::Pending);
    assert_eq!(o.missing, vec!["org.kind"]);
    assert_eq!(o.decisions["calc.bad"].status, DecisionStatus::Error);
    assert_eq!(o.errors.len(), 1, "{:?}", o.errors);
    assert_eq!(o.errors[0].rule.as_deref(), Some("bad_pending"));
    let o = eval(&pack, json!({"org": {"workers": 500, "items": []}}));
    assert_eq!(o.decisions["calc.kind"].value, json!("big"));
}

/// A rule reading `d.list` after another rule ran: the list as `make_list` produced it.
fn rules_after(form: &str) -> String {
    format!(
        r##"
[[rule]]
id = "make_list"
kind = "derive"
sets = "d.list"
message = {{ zh = "表", en = "list" }}
basis = {{ source = "S", article = "9" }}
expr = "[org.workers, 2]"

[[rule]]
id = "try_change"
kind = "check"
message = {{ zh = "改", en = "change" }}
basis = {{ source = "S", article = "9" }}
assert = "{form}"

[[rule]]
id = "list_after"
kind = "decision"
decision = "d.after"
message = {{ zh = "后", en = "after" }}
basis = {{ source = "S", article = "9" }}
expr = "if rules.try_change {{ d.list }} else {{ d.list }}"
"##
    )
}

#[test]
fn a_method_that_would_change_a_value_other_rules_read_is_refused_at_load() {
    for form in [
        "d.list.push(3); true",
        "org.kind.make_upper(); true",
        "d.list[0].trim(); true",
    ] {
        let err = common::load(&common::with_extra_rules(&rules_after(form))).unwrap_err();
        assert_eq!(err.code(), "pack.rule", "{form}: {err}");
        assert!(
            err.to_string()
                .contains("changes the value it is called on"),
            "{form}: {err}"
        );
    }
    // So is assigning to a part of an evaluation value, or a free call of such a method.
    for form in ["d.list[0] = 9; true", "push(d.list, 3); true"] {
        let err = common::load(&common::with_extra_rules(&rules_after(form))).unwrap_err();
        assert_eq!(err.code(), "pack.rule", "{form}: {err}");
    }
}

#[test]
fn rules_change_only_their_own_copies() {
    for form in [
        "let x = d.list; x.push(3); x.len() == 3",
        "let k = org.kind; k.make_upper(); k == \\\"A\\\"",
    ] {
        let pack = common::load(&common::with_extra_rules(&rules_after(form))).unwrap();
        let outcome = common::eval(&pack, json!({"org": {"workers": 1, "kind": "a"}}));
        let changed = outcome
            .rules
            .iter()
            .find(|r| &*r.id == "try_change")
            .unwrap();
        assert_eq!(
            changed.status,
            RuleStatus::Pass,
            "{form}: {}",
            outcome.to_json()
        );
        assert_eq!(outcome.decisions["d.after"].value, json!([1, 2]), "{form}");
    }
}

#[test]
fn an_unprintable_value_is_an_error_of_its_rule_with_or_without_the_trace() {
    // A derived value that JSON cannot hold (NaN, a map holding infinity, a function pointer):
    // the decisions-only outcome only checks it is printable, and must come to the same errors.
    let mut checked = 0;
    for (expr, message) in [
        ("0.0 / 0.0", "NaN is not a finite number"),
        ("#{a: 1, b: [1.0 / 0.0]}", "inf is not a finite number"),
        ("Fn(\"len\")", "cannot be part of an outcome"),
    ] {
        let extra = format!(
            r#"
[[rule]]
id = "odd"
kind = "derive"
sets = "calc.odd"
message = {{ zh = "值", en = "value" }}
basis = {{ source = "S", article = "9" }}
expr = '{expr}'

[[rule]]
id = "uses_odd"
kind = "decision"
decision = "calc.uses"
message = {{ zh = "用", en = "uses" }}
basis = {{ source = "S", article = "9" }}
expr = "calc.odd != ()"
"#
        );
        let Ok(pack) = common::load(&common::with_extra_rules(&extra)) else {
            // A value rhai refuses to build at load (e.g. `Fn` outside the allowlist) proves
            // nothing here.
            continue;
        };
        let input = json!({"org": {"workers": 3, "kind": "a"}});
        let full = pack.evaluate(&input, &EvalOptions::default());
        let decisions = pack.evaluate(
            &input,
            &EvalOptions {
                detail: Detail::Decisions,
                ..EvalOptions::default()
            },
        );
        let error = full
            .errors
            .iter()
            .find(|e| e.rule.as_deref() == Some("odd"))
            .unwrap_or_else(|| panic!("{expr}: no error for the rule: {:?}", full.errors));
        assert_eq!(error.code, "rule.value", "{expr}");
        assert!(
            error.message.to_string().contains(message),
            "{expr}: {error:?}"
        );
        assert_eq!(decisions.errors, full.errors, "{expr}");
        assert_eq!(decisions.decisions, full.decisions, "{expr}");
        // As for any errored rule, what reads the value is an error too (docs/engine.md).
        assert!(!full.complete && !decisions.complete, "{expr}");
        assert_eq!(
            full.decisions["calc.uses"].status,
            DecisionStatus::Error,
            "{expr}"
        );
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} of the values could be built");
}
