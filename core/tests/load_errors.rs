//! A broken pack fails to load with a message naming the file, the line or the rule.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;

fn err(files: &hegui_core::PackFiles) -> (String, String) {
    let e = load(files).expect_err("the pack should not load");
    (e.code().to_string(), e.to_string())
}

#[test]
fn the_test_pack_itself_loads() {
    load(&files()).unwrap();
}

#[test]
fn toml_syntax_error_names_file_and_line() {
    let (code, msg) = err(&with("rules.toml", "[[rule]]\nid = \"x\"\nkind = \n"));
    assert_eq!(code, "pack.syntax");
    assert!(msg.starts_with("rules.toml:"), "{msg}");
    assert!(msg.contains("line 3"), "{msg}");
}

#[test]
fn unknown_key_is_refused() {
    let (code, msg) = err(&with("pack.toml", &format!("extra_key = 1\n{PACK}")));
    assert_eq!(code, "pack.syntax");
    assert!(msg.contains("extra_key"), "{msg}");
}

#[test]
fn unknown_field_path_names_rule_and_line() {
    let rules = RULES.replace("org.workers > 0", "org.workerz > 0");
    let (code, msg) = err(&with("rules.toml", &rules));
    assert_eq!(code, "pack.rule");
    assert!(msg.contains("rule `workers_known`"), "{msg}");
    assert!(msg.contains("org.workerz"), "{msg}");
    // The rule starts on line 7 of rules.toml.
    assert!(msg.starts_with("rules.toml:7:"), "{msg}");
}

#[test]
fn unknown_variable_is_a_compile_error() {
    let rules = RULES.replace("org.workers > 0", "workers > 0");
    let (code, msg) = err(&with("rules.toml", &rules));
    assert_eq!(code, "pack.rule");
    assert!(msg.contains("undefined variable `workers`"), "{msg}");
}

#[test]
fn syntax_error_names_rule_and_place() {
    let rules = RULES.replace("org.workers > 0", "org.workers > > 0");
    let (code, msg) = err(&with("rules.toml", &rules));
    assert_eq!(code, "pack.rule");
    assert!(
        msg.contains("rule `workers_known`") && msg.contains("at character 15: `> 0`"),
        "{msg}"
    );
}

#[test]
fn table_columns_that_do_not_match_the_inputs() {
    let csv = "in:headcount,out:size\n<=9,small\n";
    let (code, msg) = err(&with("tables/size.csv", csv));
    assert_eq!(code, "pack.rule");
    assert!(
        msg.contains("rule `size_class`") && msg.contains("headcount"),
        "{msg}"
    );
}

#[test]
fn table_row_of_the_wrong_width_names_the_line() {
    let csv = "in:workers,out:size\n<=9,small\n10..49\n";
    let (code, msg) = err(&with("tables/size.csv", csv));
    assert_eq!(code, "pack.table");
    assert!(msg.starts_with("tables/size.csv:3"), "{msg}");
}

#[test]
fn overlapping_unique_rows_name_both_lines() {
    let csv = "in:workers,out:size\n<=10,small\n10..49,medium\n";
    let (code, msg) = err(&with("tables/size.csv", csv));
    assert_eq!(code, "pack.table");
    assert!(msg.contains("lines 2 and 3"), "{msg}");
}

#[test]
fn missing_table_file() {
    let mut f = files();
    f.insert("tables/size.csv", "");
    let rules = RULES.replace("tables/size.csv", "tables/nope.csv");
    f.insert("rules.toml", &rules);
    let (code, msg) = err(&f);
    assert_eq!(code, "pack.table");
    assert!(msg.contains("tables/nope.csv"), "{msg}");
}

#[test]
fn cycle_between_derived_values_names_the_rules() {
    let extra = r#"
[[rule]]
id = "a"
kind = "derive"
sets = "calc.a"
message = { zh = "a", en = "a" }
basis = { source = "S", article = "x" }
expr = "calc.b + 1"

[[rule]]
id = "b"
kind = "derive"
sets = "calc.b"
message = { zh = "b", en = "b" }
basis = { source = "S", article = "x" }
expr = "calc.a + 1"
"#;
    let (code, msg) = err(&with_extra_rules(extra));
    assert_eq!(code, "pack.cycle");
    assert!(
        msg.contains("a -> b -> a") || msg.contains("b -> a -> b"),
        "{msg}"
    );
}

#[test]
fn duplicate_rule_id_names_the_second_line() {
    let dup = r#"
[[rule]]
id = "big"
kind = "check"
message = { zh = "x", en = "x" }
basis = { source = "S", article = "x" }
assert = "true"
"#;
    let (code, msg) = err(&with_extra_rules(dup));
    assert_eq!(code, "pack.rule");
    assert!(
        msg.contains("rule `big`") && msg.contains("declared twice"),
        "{msg}"
    );
}

#[test]
fn duplicate_field_path() {
    let dup = "[[field]]\npath = \"org.workers\"\ntype = \"integer\"\nlabel = { zh = \"x\", en = \"x\" }\n";
    let (code, msg) = err(&with("fields.toml", &format!("{FIELDS}{dup}")));
    assert_eq!(code, "pack.field");
    assert!(
        msg.contains("org.workers") && msg.contains("declared twice"),
        "{msg}"
    );
}

#[test]
fn basis_must_cite_a_declared_source() {
    let rules = RULES.replacen(
        "source = \"S\", article = \"1\"",
        "source = \"NOPE\", article = \"1\"",
        1,
    );
    let (code, msg) = err(&with("rules.toml", &rules));
    assert_eq!(code, "pack.rule");
    assert!(msg.contains("NOPE"), "{msg}");
}

#[test]
fn attributes_of_another_kind_are_refused() {
    let rules = RULES.replace(
        "assert = \"org.workers > 0\"",
        "assert = \"org.workers > 0\"\nsets = \"org.x\"",
    );
    let (code, msg) = err(&with("rules.toml", &rules));
    assert_eq!(code, "pack.rule");
    assert!(msg.contains("`sets`"), "{msg}");
}

#[test]
fn message_needs_both_languages() {
    let rules = RULES.replace(
        "message = { zh = \"人数须为正\", en = \"workers must be positive\" }",
        "message = { zh = \"人数须为正\", en = \"\" }",
    );
    let (code, msg) = err(&with("rules.toml", &rules));
    assert_eq!(code, "pack.rule");
    assert!(msg.contains("zh and en"), "{msg}");
}

#[test]
fn produced_value_may_not_shadow_an_input_field() {
    let rules = RULES.replace("decision = \"org.big\"", "decision = \"org.workers\"");
    let (code, msg) = err(&with("rules.toml", &rules));
    assert_eq!(code, "pack.rule");
    assert!(msg.contains("clashes"), "{msg}");
}

#[test]
fn bad_manifest_version() {
    let (code, msg) = err(&with("pack.toml", &PACK.replace("1.0.0", "1.0")));
    assert_eq!(code, "pack.manifest");
    assert!(msg.contains("MAJOR.MINOR.PATCH"), "{msg}");
}
