//! Bundles: the digest is of the resolved pack, stable, and checked on load; overlays apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use hegui_core::resolve::{resolve, ResolvedPack};
use hegui_core::{CompiledPack, Limits, PackFiles};
use serde_json::json;

#[test]
fn bundle_round_trips_with_the_same_digest() {
    let pack = resolved();
    let json = pack.to_bundle_json().unwrap();
    let back = ResolvedPack::from_bundle_json(&json).unwrap();
    assert_eq!(back.digest().unwrap(), pack.digest().unwrap());
    assert_eq!(back.to_bundle_json().unwrap(), json);
    assert!(pack.digest().unwrap().starts_with("sha256:"));
    assert_eq!(pack.digest().unwrap().len(), 7 + 64);
}

#[test]
fn a_bundle_whose_content_was_edited_is_refused() {
    let json = resolved().to_bundle_json().unwrap();
    let tampered = json.replace("\"<=9\"", "\"<=19\"");
    assert_ne!(json, tampered);
    let e = ResolvedPack::from_bundle_json(&tampered).unwrap_err();
    assert_eq!(e.code(), "bundle.digest_mismatch");
}

#[test]
fn a_bundle_whose_digest_was_edited_is_refused() {
    let json = resolved().to_bundle_json().unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["digest"] = json!("sha256:0000");
    let e = ResolvedPack::from_bundle_json(&v.to_string()).unwrap_err();
    assert_eq!(e.code(), "bundle.digest_mismatch");
}

#[test]
fn a_checked_bundle_compiles_with_the_digest_it_was_checked_against() {
    let pack = resolved();
    let json = pack.to_bundle_json().unwrap();
    let digested = ResolvedPack::digested_from_bundle_json(&json).unwrap();
    assert_eq!(digested.digest(), pack.digest().unwrap());
    assert_eq!(digested.pack().to_bundle_json().unwrap(), json);
    let from_bundle = CompiledPack::compile_digested(digested, &Limits::default()).unwrap();
    let from_pack = CompiledPack::compile(pack).unwrap();
    assert_eq!(from_bundle.digest(), from_pack.digest());
    assert_eq!(
        from_bundle.resolved().to_bundle_json().unwrap(),
        from_pack.resolved().to_bundle_json().unwrap()
    );
    // The same checks and errors as `from_bundle_json`, in the same order.
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["digest"] = json!("sha256:0000");
    v["format"] = json!("hegui.bundle/0");
    let e = ResolvedPack::digested_from_bundle_json(&v.to_string()).unwrap_err();
    assert_eq!(e.code(), "bundle.invalid");
    v["format"] = json!("hegui.bundle/1");
    let e = ResolvedPack::digested_from_bundle_json(&v.to_string()).unwrap_err();
    assert_eq!(e.code(), "bundle.digest_mismatch");
    assert_eq!(
        e.to_string(),
        ResolvedPack::from_bundle_json(&v.to_string())
            .unwrap_err()
            .to_string()
    );
}

#[test]
fn formatting_and_comments_do_not_change_the_digest() {
    let reformatted = with(
        "rules.toml",
        &format!("# a comment\n\n{}", RULES.replace(" = ", "=")),
    );
    let a = resolved().digest().unwrap();
    let b = resolve(&reformatted, None).unwrap().digest().unwrap();
    assert_eq!(a, b);
    let changed = with(
        "rules.toml",
        &RULES.replace("org.workers > 0", "org.workers >= 1"),
    );
    assert_ne!(a, resolve(&changed, None).unwrap().digest().unwrap());
}

fn overlay(rules: &str, csv: Option<&str>) -> PackFiles {
    let mut f = PackFiles::new();
    f.insert(
        "pack.toml",
        r#"
id = "test-region.mini"
version = "1.0.0"
jurisdiction = "test-region"
extends = "test.mini@1.0.0"
title = { zh = "地区", en = "Region" }
[[sources]]
id = "R"
title = "Regional"
issuer = "Region"
[params]
big_min = 10
"#,
    );
    f.insert("rules.toml", rules);
    if let Some(csv) = csv {
        f.insert("tables/size2.csv", csv);
    }
    f
}

#[test]
fn an_overlay_replaces_tables_and_params_adds_and_disables_rules() {
    let base = resolved();
    let rules = r#"
disable = ["items_small"]

[[table]]
id = "size"
file = "tables/size2.csv"
hit = "first"
override = true

[[rule]]
id = "regional_check"
kind = "check"
message = { zh = "地区检查", en = "regional check" }
basis = { source = "R", article = "9" }
assert = "org.workers < 100"
"#;
    let files = overlay(rules, Some("in:workers,out:size\n<=20,small\n-,large\n"));
    let resolved = resolve(&files, Some(&base)).unwrap();
    let pack = CompiledPack::compile(resolved).unwrap();
    let base_pack = CompiledPack::compile(base).unwrap();
    let input = json!({"org": {"workers": 15, "items": [{"n": 50}]}});
    let national = eval(&base_pack, input.clone());
    let regional = eval(&pack, input);
    assert_eq!(national.decisions["org.size"].value, json!("medium"));
    assert_eq!(regional.decisions["org.size"].value, json!("small"));
    assert_eq!(national.decisions["org.big"].value, json!(false));
    assert_eq!(regional.decisions["org.big"].value, json!(true));
    assert_eq!(national.failing_rules(), vec!["items_small"]);
    assert!(regional.failing_rules().is_empty());
    assert!(regional.rules.iter().any(|r| &*r.id == "regional_check"));
    assert!(!regional.rules.iter().any(|r| &*r.id == "items_small"));
    assert_eq!(regional.pack.id, "test-region.mini");
}

#[test]
fn an_overlay_must_say_override_to_replace() {
    let rules = r#"
[[rule]]
id = "big"
kind = "decision"
decision = "org.big"
message = { zh = "大", en = "big" }
basis = { source = "R", article = "1" }
expr = "true"
"#;
    let e = resolve(&overlay(rules, None), Some(&resolved())).unwrap_err();
    assert!(e.to_string().contains("override = true"), "{e}");
    let ok = rules.replace("expr = \"true\"", "expr = \"true\"\noverride = true");
    let pack =
        CompiledPack::compile(resolve(&overlay(&ok, None), Some(&resolved())).unwrap()).unwrap();
    assert_eq!(
        eval(&pack, json!({})).decisions["org.big"].value,
        json!(true)
    );
}

#[test]
fn an_overlay_cannot_disable_what_does_not_exist() {
    let e = resolve(&overlay("disable = [\"nope\"]\n", None), Some(&resolved())).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
}

#[test]
fn an_overlay_needs_its_exact_base() {
    let e = resolve(&overlay("", None), None).unwrap_err();
    assert_eq!(e.code(), "pack.manifest");
    let mut other = resolved();
    other.manifest.version = "2.0.0".into();
    let e = resolve(&overlay("", None), Some(&other)).unwrap_err();
    assert!(e.to_string().contains("test.mini@2.0.0"), "{e}");
}
