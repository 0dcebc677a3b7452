//! The engine evaluates rule expressions itself (`compile::direct`, `eval::direct`). These tests
//! hold it to rhai's answers: every expression below is evaluated both ways, on several inputs,
//! and the outcomes must be identical but for the wording of errors (`Outcome::answers_json`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use hegui_core::{CompiledPack, EvalOptions};
use serde_json::json;

/// Expressions chosen for the corners where a hand-written evaluator could drift from rhai:
/// mixed types, units, overflow, out-of-range indices, string functions on CJK text, loops.
const EXPRESSIONS: &[&str] = &[
    // comparisons across types
    "org.workers == 5",
    "org.workers == 5.0",
    "org.workers < 5.5",
    "org.workers != ()",
    "org.workers == ()",
    "org.kind == ()",
    "org.kind == \"a\"",
    "org.kind < \"b\"",
    "org.kind >= \"a\"",
    "\"2026-01-02\" > (assessment_date ?? \"2026-01-01\")",
    "(assessment_date ?? \"2026-01-01\") <= \"2026-01-01\"",
    "\"中\" > org.kind",
    "\"\" < org.kind",
    "\"ab\" < \"b\"",
    "\"B\" < \"a\"",
    "true > false",
    "(org.workers > 3) <= false",
    "org.kind > ()",
    "org.kind <= 1",
    "org.kind == 1",
    "org.kind > 1",
    "() < ()",
    "() == ()",
    "true == 1",
    "true < false",
    "[1, 2] == [1, 2]",
    "[1, 2] == ()",
    "#{a: 1} == #{a: 1}",
    // floats within rhai's tolerance (its checked build compares relative to the larger side,
    // absolutely when either is zero), and the values that tolerance treats oddly
    "org.workers * 0.1 + 0.2 == org.workers * 0.3",
    "org.workers * 0.1 + 0.2 != org.workers * 0.3",
    "org.workers + 99.99999999999999 >= org.workers + 100.0",
    "org.workers + 99.99999999999999 < 100 + org.workers",
    "100 + org.workers <= org.workers + 99.99999999999999",
    "org.workers * 1e-17 > 0.0",
    "0.0 >= org.workers * 1e-17",
    "-1e-17 * org.workers < 0",
    "org.workers * 1e-200 == org.workers * 2e-200",
    "org.workers * 0.0 / 0.0 == 0.0",
    "org.workers * 0.0 / 0.0 != 1.0",
    "org.workers * 0.0 / 0.0 < 1.0",
    "org.workers / 0.0 == org.workers / 0.0",
    "org.workers / 0.0 > 1e308",
    "-org.workers / 0.0 < -1e308",
    "(org.workers * 0.1 + 0.2) in [org.workers * 0.3]",
    "[org.workers * 0.3].contains(org.workers * 0.1 + 0.2)",
    "[org.workers * 0.1 + 0.2] == [org.workers * 0.3]",
    "#{a: org.workers * 0.1 + 0.2} == #{a: org.workers * 0.3}",
    "any_where([#{n: org.workers * 0.3}], \"n\", org.workers * 0.1 + 0.2)",
    "count_where([#{n: org.workers * 0.3}], \"n\", org.workers * 0.1 + 0.2)",
    "org.workers * 0.1 + 0.2",
    // logic
    "org.workers > 0 && org.kind == \"a\"",
    "org.workers > 0 || org.kind",
    "!org.workers",
    "!(org.workers > 3)",
    "org.kind ?? \"none\"",
    "() ?? () ?? 3",
    // arithmetic
    "org.workers + 1",
    "org.workers * 2.5",
    "org.workers - 10",
    "9223372036854775807 + org.workers",
    "-org.workers",
    "-(-9223372036854775807 - 1)",
    "\"n=\" + org.workers",
    "org.workers + \"!\"",
    "\"a\" + ()",
    "() + \"a\"",
    "org.kind + org.kind",
    // paths, indices, methods
    "org.items.len()",
    "org.items[0].n",
    "org.items[5].n",
    "org.items[-1].n",
    "org.items[org.workers].n",
    "#{a: 1}.b",
    "#{a: 1}.b.c",
    "params.big_min",
    "#{a: #{b: 2}}.a.b",
    "\"职业卫生\".len()",
    "len(\"职业卫生\")",
    "\"职业卫生\".sub_string(1, 2)",
    "(org.kind + \"职业卫生\").sub_string(-2)",
    "\"职业卫生\".sub_string(9)",
    "\"职业卫生\".contains(\"卫\")",
    "\"卫\" in \"职业卫生\"",
    "org.kind in [\"a\", \"b\"]",
    "org.workers in [1, 5.0, \"5\"]",
    "\"a\" in #{a: 1}",
    "org.kind.starts_with(\"a\")",
    "org.kind.ends_with(())",
    // statements
    "let n = \" （苯） \" + org.kind; n.trim(); n.replace(\"（\", \"(\"); n.replace(\"）\", \")\"); n",
    "let c = \"f5265\"; c.make_upper(); c = c.sub_string(1); c",
    "let c = \"ABC\"; c.make_lower(); c",
    "let x = org.workers; x += 1.5; x",
    "let x = org.workers; x -= 9223372036854775807; x -= 9; x",
    "let s = \"n\"; s += org.workers; s += \"!\"; s",
    "let s = org.kind; s *= 2; s",
    "let x = 1; { let x = 2; } x",
    "let x = 1; if org.workers > 3 { x = 10; } else { x = 20; } x",
    "if org.workers > 3 { 1 }",
    "if org.kind { 1 } else { 2 }",
    "let total = 0; for it in org.items { total += it.n; } total",
    "let out = []; for (it, i) in org.items { if it.n > 1 { out.push(\"org.items[\" + i + \"].n\"); } } out",
    "let s = 0; for x in org.workers { s += 1; } s",
    "let a = []; a.push([1]); a",
    "max_by_order([\"I\", \"III\"], [\"I\", \"II\", \"III\"])",
    "max_by_order([\"IV\"], [\"I\", \"II\", \"III\"])",
    "min_by_order([], [\"I\"])",
    "uscc_valid(\"914403001922038216\")",
    "uscc_valid(org.workers)",
    "within_years_before(\"2024-01-01\", assessment_date ?? \"2026-01-01\", 3)",
    "days_between(\"2024-01-01\", \"2026-02-30\")",
    "add_months(assessment_date ?? \"2024-01-31\", 1)",
    "any_where(org.items, \"n\", 2)",
    "count_where(org.items, \"n\", 2.0)",
    "sum([1, 2.5])",
    "sum([9223372036854775807, 1])",
    "if org.workers > 3 { pending(\"org.kind\") } else { 0 }",
    // values other rules produced: by rule, through the whole root (the scope), and from rhai
    "org.size ?? \"none\"",
    "rules.workers_known",
    "org.big == true && org.kind != ()",
    "org.len() > 3",
    "let o = org; o.size",
    "org.size != () && org.len() > 3",
    "if org.size != () { let o = org; o.size } else { 0 }",
    "d.e0",
    // `throw` and `return`
    "if org.workers > 3 { \"big\" } else { throw \"small: \" + org.workers }",
    "if org.kind == () { return 1; } 2",
    "parse_int(\" 42 \") + org.workers",
    "parse_int((assessment_date ?? \"2026-01-01\").sub_string(0, 4)) - org.workers",
    "\"-7\".parse_int()",
    "parse_int(\"+7\")",
    "parse_int(\"4.5\")",
    "parse_int(\"\")",
    "parse_int(\"99999999999999999999\")",
    "parse_int(org.workers)",
    "parse_int(org.kind)",
    "parse_float(\" 2.5 \") * org.workers",
    "parse_float(\"1e3\")",
    "parse_float(\"inf\") > 1e308",
    "parse_float(\"NaN\") == 0.0",
    "parse_float(\"x\")",
    "parse_float(\"７\")",
    // `pending` raised by the direct form itself: every argument rhai's function takes, those it
    // has no function for, paths that name no field, and calls from inside a loop and a method
    "pending([\"org.kind\", \"org.workers\"])",
    "let p = \"org.kind\"; pending(p)",
    "let p = [\"org.kind\"]; p.push(\"assessment_date\"); pending(p)",
    "\"org.kind\".pending()",
    "pending(\"org.nothing\")",
    "pending([\"org.kind\", org.workers])",
    "pending([])",
    "pending(org.workers)",
    "pending(())",
    "pending(org.items)",
    "for it in org.items ?? [] { if it.n > 1 { pending(\"org.items[0].n\") } } 0",
    "if org.kind == () { pending(\"org.kind\") } else { org.kind }",
    // an index that is itself indexed (`x[y[0]]` is one step, not `x[y][0]`)
    "let x = [[10, org.workers], [30, 40]]; let b = [0, 1]; x[b[1]]",
    "let x = [[10, org.workers], [30, 40]]; let b = [0, 1]; x[b[1]][0]",
    // rhai evaluates a chain's indices and arguments before its base: which of two failures
    // (a `pending` and an error, or two `pending`s) comes first, as the engine does
    "(pending(\"org.kind\")).contains(org.items[0])",
    "pending(\"org.kind\")[pending(\"org.workers\")]",
    "[1, 2].contains(pending(\"org.kind\"))[org.items[0].n]",
    // an array's `contains` and `in` compare as rhai's `==`: maps, arrays and units included
    "org.items.contains(org.items[0])",
    "#{n: 2} in org.items",
    "[(), org.workers].contains(())",
    "() in [org.kind]",
    "[[1], org.workers].contains([1])",
    "[1.0, org.workers].contains(1)",
    "[9223372036854775807, org.workers].contains(9223372036854775807.0)",
];

fn pack(interpret_only: bool) -> CompiledPack {
    let mut extra = String::new();
    for (i, e) in EXPRESSIONS.iter().enumerate() {
        let quoted = serde_json::to_string(e).unwrap();
        extra.push_str(&format!(
            "\n[[rule]]\nid = \"e{i}\"\nkind = \"derive\"\nsets = \"d.e{i}\"\n\
             message = {{ zh = \"式\", en = \"expr\" }}\nbasis = {{ source = \"S\", article = \"9\" }}\n\
             expr = {quoted}\n"
        ));
    }
    let pack = common::load(&common::with_extra_rules(&extra)).expect("test pack compiles");
    if interpret_only {
        pack.interpret_only()
    } else {
        pack
    }
}

#[test]
fn direct_forms_give_rhais_outcome_on_every_expression() {
    let (direct, rhai) = (pack(false), pack(true));
    let inputs = [
        json!({}),
        json!({"org": {"workers": 5, "kind": "a"}}),
        json!({"org": {"workers": 0, "kind": "b", "items": []}}),
        json!({"org": {"workers": 1, "items": [{"n": 2}, {"n": 1}]}, "assessment_date": "2026-06-01"}),
        json!({"org": {"workers": 100, "items": [{"n": 12}], "kind": "a"}}),
        json!({"org": {"workers": "x"}}),
    ];
    for input in inputs {
        let options = EvalOptions::default();
        let a = direct.evaluate(&input, &options).answers_json();
        let b = rhai.evaluate(&input, &options).answers_json();
        assert_eq!(a, b, "input {input}");
    }
}

#[test]
fn direct_forms_answer_what_rhai_answers() {
    // Spot checks that the comparison above compares real answers, not two identical errors.
    let pack = pack(false);
    let input = json!({"org": {"workers": 1, "kind": "a", "items": [{"n": 2}, {"n": 1}]}});
    let outcome = pack.evaluate(&input, &EvalOptions::default());
    let value = |i: usize| {
        let id = format!("e{i}");
        outcome
            .rules
            .iter()
            .find(|r| *r.id == *id)
            .and_then(|r| r.value.clone())
    };
    let index = |e: &str| EXPRESSIONS.iter().position(|x| *x == e).unwrap();
    assert_eq!(value(index("org.workers == 5.0")), Some(json!(false)));
    assert_eq!(value(index("org.kind == 1")), Some(json!(false)));
    // Floats compare within rhai's tolerance, not exactly; membership, array and map equality
    // and `any_where` compare exactly, in rhai as in the direct forms (docs/pack-format.md).
    for (expr, expected) in [
        ("org.workers * 0.1 + 0.2 == org.workers * 0.3", true),
        (
            "org.workers + 99.99999999999999 >= org.workers + 100.0",
            true,
        ),
        ("org.workers * 1e-17 > 0.0", false),
        ("(org.workers * 0.1 + 0.2) in [org.workers * 0.3]", false),
        ("[org.workers * 0.1 + 0.2] == [org.workers * 0.3]", false),
        (
            "any_where([#{n: org.workers * 0.3}], \"n\", org.workers * 0.1 + 0.2)",
            false,
        ),
    ] {
        assert_eq!(value(index(expr)), Some(json!(expected)), "{expr}");
    }
    assert_eq!(
        value(index(
            "let n = \" （苯） \" + org.kind; n.trim(); n.replace(\"（\", \"(\"); n.replace(\"）\", \")\"); n"
        )),
        Some(json!("(苯) a"))
    );
    assert_eq!(
        value(index("let out = []; for (it, i) in org.items { if it.n > 1 { out.push(\"org.items[\" + i + \"].n\"); } } out")),
        Some(json!(["org.items[0].n"]))
    );
    assert_eq!(
        value(index("(org.kind + \"职业卫生\").sub_string(-2)")),
        Some(json!("卫生"))
    );
    // `pending` makes the rule pending on the paths it names, when they are declared fields.
    let rule = |e: &str| {
        let id = format!("e{}", index(e));
        outcome.rules.iter().find(|r| *r.id == *id).unwrap().clone()
    };
    for (expr, missing) in [
        (
            "pending([\"org.kind\", \"org.workers\"])",
            // in the order the fields are declared
            vec!["org.workers", "org.kind"],
        ),
        ("let p = \"org.kind\"; pending(p)", vec!["org.kind"]),
        ("\"org.kind\".pending()", vec!["org.kind"]),
        (
            "for it in org.items ?? [] { if it.n > 1 { pending(\"org.items[0].n\") } } 0",
            vec!["org.items[0].n"],
        ),
    ] {
        let r = rule(expr);
        assert_eq!(r.status, hegui_core::outcome::RuleStatus::Pending, "{expr}");
        assert_eq!(r.missing, missing, "{expr}");
    }
    for expr in [
        "pending(\"org.nothing\")",
        "pending([])",
        "pending([\"org.kind\", org.workers])",
        "pending(org.workers)",
    ] {
        assert_eq!(
            rule(expr).status,
            hegui_core::outcome::RuleStatus::Error,
            "{expr}"
        );
    }
    // With `kind` given, the same rule decides instead.
    assert_eq!(
        value(index(
            "if org.kind == () { pending(\"org.kind\") } else { org.kind }"
        )),
        Some(json!("a"))
    );
    // `x[y[0]]` indexes `x` by `y[0]`: with `y = 1`, by a bool (bit 0 of 1), an error.
    assert_eq!(
        value(index(
            "let x = [[10, org.workers], [30, 40]]; let b = [0, 1]; x[b[1]]"
        )),
        Some(json!([30, 40]))
    );
    // The index first: rhai's order.
    assert_eq!(
        rule("pending(\"org.kind\")[pending(\"org.workers\")]").missing,
        vec!["org.workers"]
    );
    // Membership compares maps and units as rhai's `==` does.
    assert_eq!(
        value(index("org.items.contains(org.items[0])")),
        Some(json!(true))
    );
    assert_eq!(
        value(index("[(), org.workers].contains(())")),
        Some(json!(true))
    );
    assert_eq!(value(index("() in [org.kind]")), Some(json!(false)));
    // Overflow is rhai's error, not a wrapped number.
    let overflow = format!("e{}", index("9223372036854775807 + org.workers"));
    assert!(outcome
        .errors
        .iter()
        .any(|e| e.rule.as_deref() == Some(overflow.as_str())));
}

#[test]
fn values_read_through_their_root_see_every_value_produced_so_far() {
    // `d` whole is read from the rhai scope, which receives produced values only when something
    // needs it: here a direct form, with no rhai run before it to have filled it in.
    let extra = r#"
[[rule]]
id = "p"
kind = "derive"
sets = "d.v"
message = { zh = "值", en = "value" }
basis = { source = "S", article = "9" }
expr = "org.workers * 2"

[[rule]]
id = "q"
kind = "decision"
decision = "e.w"
message = { zh = "值", en = "value" }
basis = { source = "S", article = "9" }
expr = "if d.v != () { let o = d; o.v + d.len() } else { 0 }"
"#;
    let files = common::with_extra_rules(extra);
    let direct = common::load(&files).unwrap();
    let rhai = common::load(&files).unwrap().interpret_only();
    let input = json!({"org": {"workers": 5, "kind": "a", "items": []}});
    let options = EvalOptions::default();
    let a = direct.evaluate(&input, &options);
    assert_eq!(a.to_json(), rhai.evaluate(&input, &options).to_json());
    assert_eq!(a.decisions["e.w"].value, json!(11));
}

/// Forms rhai takes and the rule language does not: refused at load, with a message naming the
/// rule and where the text leaves the language.
const OUTSIDE_THE_LANGUAGE: &[&str] = &[
    "'a' == \"a\"",
    "#{a: 1}[\"a\"]",
    "[1, 2, 3][1]",
    "\"abc\"[1]",
    "let x = [[10, org.workers], [30, 40]]; x[(1)[0]]",
    "org.workers ** 2",
    "0x1f + org.workers",
    "fn f() { 1 } f()",
];

#[test]
fn forms_outside_the_rule_language_are_refused_at_load() {
    for (i, e) in OUTSIDE_THE_LANGUAGE.iter().enumerate() {
        let quoted = serde_json::to_string(e).unwrap();
        let extra = format!(
            "\n[[rule]]\nid = \"x{i}\"\nkind = \"derive\"\nsets = \"d.x{i}\"\n\
             message = {{ zh = \"式\", en = \"expr\" }}\nbasis = {{ source = \"S\", article = \"9\" }}\n\
             expr = {quoted}\n"
        );
        let err = common::load(&common::with_extra_rules(&extra)).expect_err(e);
        let message = err.to_string();
        assert_eq!(err.code(), "pack.rule", "{e}: {message}");
        assert!(
            message.contains(&format!("`x{i}`")) && message.contains("not in the rule language"),
            "{e}: {message}"
        );
    }
}

/// The engine words its errors itself (rhai, the reference, is compared on codes only): each
/// message says what failed, with the values involved.
#[test]
fn errors_say_what_failed_in_the_engines_words() {
    let ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
    let nested = format!(
        "let n = 0; for p in {ten} {{ for q in {ten} {{ for r in {ten} {{ for s in {ten} {{ \
         for t in {ten} {{ n += 1; }} }} }} }} }} n"
    );
    let cases: [(&str, &str, &str); 7] = [
        (
            "if org.workers > 100 { 1 } else { throw \"too few workers: \" + org.workers }",
            "rule.runtime",
            "failed to run: too few workers: 5",
        ),
        ("org.workers / 0", "rule.runtime", "division by zero: 5 / 0"),
        (
            "let a = [1]; a[org.workers]",
            "rule.runtime",
            "index 5 is outside a list of 1 items",
        ),
        (
            "\"a\" * org.workers",
            "rule.runtime",
            "`*` does not apply to string and integer",
        ),
        (
            "org.workers.len()",
            "rule.runtime",
            "no function `len` takes (integer)",
        ),
        (
            "let s = \"ab\"; s[org.workers - 5]",
            "rule.runtime",
            "a string is not indexed in rules",
        ),
        (
            nested.as_str(),
            "rule.budget",
            "stopped at its budget: more operations than the sandbox allows (100000)",
        ),
    ];
    for (expr, code, says) in cases {
        let quoted = serde_json::to_string(expr).unwrap();
        let extra = format!(
            "\n[[rule]]\nid = \"x\"\nkind = \"derive\"\nsets = \"d.x\"\n\
             message = {{ zh = \"式\", en = \"expr\" }}\nbasis = {{ source = \"S\", article = \"9\" }}\n\
             expr = {quoted}\n"
        );
        let pack = common::load(&common::with_extra_rules(&extra)).expect(expr);
        let outcome = pack.evaluate(
            &json!({"org": {"workers": 5, "kind": "a", "items": []}}),
            &EvalOptions::default(),
        );
        let error = outcome
            .errors
            .iter()
            .find(|e| e.rule.as_deref() == Some("x"))
            .unwrap_or_else(|| panic!("{expr}: no error in {}", outcome.to_json()));
        assert_eq!(error.code, code, "{expr}");
        let message = error.message.to_string();
        assert!(
            message.contains(says) && !message.contains("Runtime error"),
            "{expr}: {message}"
        );
    }
}
