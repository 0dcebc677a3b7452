//! Pack loading from sources: the input is split at NUL bytes into pack.toml, fields.toml,
//! rules.toml, then table files (each part: its path on the first line, then the CSV), then
//! resolved, compiled and, if it compiles, evaluated once on an empty document. Nothing may
//! panic or hang.
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
        if let Ok(pack) = CompiledPack::compile(resolved) {
            let _ = pack.evaluate_str("{}", &EvalOptions::default());
        }
    }
});
