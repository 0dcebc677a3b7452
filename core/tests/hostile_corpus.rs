//! The hostile corpora of tests/hostile/ (cases.json), natively: every hostile pack is refused at
//! load or stopped within its budget, and every hostile input gets its typed errors, each with
//! the code the manifest gives, within a time bound. The WASM runner (tests/hostile/run-node.mjs)
//! checks the same manifest against the same bundles, which this test writes to
//! tests/out/hostile/ (the bundles of the corpus are built here, not committed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../tests/hostile/corpus.rs"]
mod corpus;

use std::time::Instant;

use corpus::*;
use hegui_core::resolve::{self, ResolvedPack};
use hegui_core::{CompiledPack, EvalOptions, PackFiles};

/// Loads a bundle the way the WASM engine does: `from_bundle_json`, then `compile`.
fn load_bundle(text: &str) -> Result<CompiledPack, hegui_core::LoadError> {
    CompiledPack::compile(ResolvedPack::from_bundle_json(text)?)
}

fn write_out(name: &str, text: &str) {
    let dir = out_dir().join("packs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.json")), text).unwrap();
}

/// The canonical bundle of resolved files, without compiling (so packs that do not compile
/// still make a bundle for the WASM runner to refuse).
fn bundle_of(files: &PackFiles) -> String {
    resolve::resolve(files, None)
        .expect("hostile packs resolve; they fail later")
        .to_bundle_json()
        .unwrap()
}

#[test]
fn hostile_packs_are_refused_or_stopped_with_their_code() {
    let manifest = manifest();
    assert!(manifest.packs.len() >= 20, "the corpus shrank");
    let mut failures = Vec::new();
    for case in &manifest.packs {
        let started = Instant::now();
        let mut bundle = bundle_of(&pack_files(case));
        if let Some(how) = &case.tamper {
            bundle = tamper(&bundle, how);
        }
        write_out(&case.name, &bundle);
        let got = match load_bundle(&bundle) {
            Err(e) => format!("load {}", e.code()),
            Ok(pack) => {
                let input = case.expect.input.clone().unwrap_or_default();
                let outcome = pack.evaluate(&input, &EvalOptions::default());
                let mut problems = Vec::new();
                for (name, want) in &case.expect.decisions {
                    let got = outcome.decisions.get(name.as_str()).map(|d| &d.value);
                    if got != Some(want) {
                        problems.push(format!("decision {name}: {got:?}, want {want}"));
                    }
                }
                format!("errors {:?} {}", error_keys(&outcome), problems.join("; "))
            }
        };
        let want = match &case.expect.load {
            Some(code) => format!("load {code}"),
            None => format!("errors {:?} ", case.expect.errors),
        };
        let seconds = started.elapsed().as_secs_f64();
        if got != want {
            failures.push(format!("{}: got `{got}`, want `{want}`", case.name));
        }
        if seconds > case.max_seconds {
            failures.push(format!(
                "{}: took {seconds:.1} s, bound {} s",
                case.name, case.max_seconds
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The input corpus's pack: read from its folder (a base pack; no overlay).
fn input_pack(manifest: &Manifest) -> (CompiledPack, String) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(&manifest.input_pack);
    let mut files = PackFiles::new();
    read_folder(&dir, &mut files);
    let resolved = resolve::resolve(&files, None).unwrap();
    let bundle = resolved.to_bundle_json().unwrap();
    (CompiledPack::compile(resolved).unwrap(), bundle)
}

#[test]
fn hostile_inputs_get_typed_errors_in_bounded_time() {
    let manifest = manifest();
    assert!(manifest.inputs.len() >= 30, "the corpus shrank");
    let (pack, bundle) = input_pack(&manifest);
    std::fs::create_dir_all(out_dir()).unwrap();
    std::fs::write(out_dir().join("input-pack.json"), &bundle).unwrap();
    let mut failures = Vec::new();
    for case in &manifest.inputs {
        let text = input_text(case);
        let started = Instant::now();
        let outcome = pack.evaluate_str(&text, &EvalOptions::default());
        let seconds = started.elapsed().as_secs_f64();
        let got = error_keys(&outcome);
        if got != case.errors {
            failures.push(format!(
                "{}: got {got:?}, want {:?}",
                case.name, case.errors
            ));
        }
        if seconds > case.max_seconds {
            failures.push(format!(
                "{}: took {seconds:.1} s, bound {} s",
                case.name, case.max_seconds
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// serde_json keeps the last of duplicate keys; the corpus relies on it (documented in
/// docs/RELIABILITY.md).
#[test]
fn duplicate_keys_keep_the_last() {
    let v: serde_json::Value = serde_json::from_str(r#"{"a": 1, "a": 2}"#).unwrap();
    assert_eq!(v["a"], 2);
}
