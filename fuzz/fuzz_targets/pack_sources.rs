//! Pack loading from sources: the input is split at NUL bytes into pack.toml, fields.toml,
//! rules.toml, then table files (each part: its path on the first line, then the CSV), then
//! resolved, compiled and, if it compiles, evaluated once on an empty document. Nothing may
//! panic or hang, and the engine must give the answers rhai gives (`CompiledPack::interpret_only`,
//! `Outcome::answers_json`: errors are worded the engine's own way): the rules' expressions are
//! what the fuzzer changes here. What the engine loads, rhai must compile too
//! (`CompiledPack::compile_with_rhai`): the rule language is a part of rhai's.
#![no_main]
use hegui_core::{resolve, CompiledPack, EvalOptions, PackFiles};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut files = PackFiles::new();
    let names = ["pack.toml", "fields.toml", "rules.toml"];
    for (i, part) in text.split('\0').enumerate() {
        match names.get(i) {
            Some(name) => files.insert(*name, part),
            None => {
                let (path, csv) = part.split_once('\n').unwrap_or((part, ""));
                files.insert(path, csv);
            }
        }
    }
    if let Ok(resolved) = resolve::resolve(&files, None) {
        if let Ok(json) = resolved.to_bundle_json() {
            assert!(resolve::ResolvedPack::from_bundle_json(&json).is_ok());
        }
        let read = CompiledPack::compile(resolved.clone());
        if let Ok(pack) = read {
            if let Err(e) = CompiledPack::compile_with_rhai(resolved.clone()) {
                panic!("the engine loads a pack rhai refuses: {e}");
            }
            let options = EvalOptions::default();
            let outcome = pack.evaluate_str("{}", &options);
            if let Ok(rhai) = CompiledPack::compile(resolved) {
                let rhai = rhai.interpret_only().evaluate_str("{}", &options);
                // A string indexed is the one form rhai answers and the engine refuses when it
                // runs (docs/pack-format.md, "Expressions").
                let indexed_string = outcome
                    .errors
                    .iter()
                    .any(|e| e.message.to_string().contains("a string is not indexed"));
                if !indexed_string {
                    assert_eq!(
                        outcome.answers_json(),
                        rhai.answers_json(),
                        "the engine and rhai differ"
                    );
                }
            }
        }
    }
});
