//! Pack loading from sources: the input is split at NUL bytes into pack.toml, fields.toml,
//! rules.toml, then table files (each part: its path on the first line, then the CSV), then
//! resolved, compiled and, if it compiles, evaluated once on an empty document. Nothing may
//! panic or hang, and the direct forms must give the outcome rhai alone gives
//! (`CompiledPack::interpret_only`): the rules' expressions are what the fuzzer changes here.
//! Loading through the direct forms' reader must also give the load result (the pack, or the same
//! error) that compiling every expression with rhai gives (`CompiledPack::compile_without_reader`).
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
        let compiled = CompiledPack::compile_without_reader(resolved.clone());
        assert_eq!(
            read.as_ref().map(|_| ()).map_err(ToString::to_string),
            compiled.as_ref().map(|_| ()).map_err(ToString::to_string),
            "the reader and rhai load differently"
        );
        if let Ok(pack) = read {
            let options = EvalOptions::default();
            let direct = pack.evaluate_str("{}", &options).to_json();
            if let Ok(rhai) = CompiledPack::compile(resolved) {
                let rhai = rhai.interpret_only().evaluate_str("{}", &options).to_json();
                assert_eq!(direct, rhai, "direct forms and rhai differ");
            }
        }
    }
});
