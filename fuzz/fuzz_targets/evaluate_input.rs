//! Input documents against every shipped pack (rules/, loaded once as `hegui serve` does: the
//! same resolved packs `hegui pack build` writes). The first byte picks the pack; the rest is
//! the document text. The outcome must always serialise, in both detail levels, its own JSON
//! writer must write what serde_json writes for it, and the direct forms must give what rhai
//! alone gives (`CompiledPack::interpret_only`).
#![no_main]
use std::sync::OnceLock;

use hegui::verify::Registry;
use hegui_core::{CompiledPack, Detail, EvalOptions, Limits};
use libfuzzer_sys::fuzz_target;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| {
        let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
        Registry::load(std::path::Path::new(rules), &Limits::default()).expect("shipped packs load")
    })
}

/// Each pack of the registry, in the same order, with every expression run in rhai (the
/// reference).
fn references() -> &'static Vec<CompiledPack> {
    static R: OnceLock<Vec<CompiledPack>> = OnceLock::new();
    R.get_or_init(|| {
        registry()
            .all()
            .map(|p| {
                CompiledPack::compile(p.compiled.resolved().clone())
                    .expect("a shipped pack compiles")
                    .interpret_only()
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let packs: Vec<_> = registry().all().collect();
    let pack = &packs[pick as usize % packs.len()];
    let reference = &references()[pick as usize % packs.len()];
    let text = String::from_utf8_lossy(rest);
    for detail in [Detail::Full, Detail::Decisions] {
        let options = EvalOptions {
            detail,
            ..EvalOptions::default()
        };
        let outcome = pack.compiled.evaluate_str(&text, &options);
        let json = outcome.to_json();
        assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
        assert_eq!(json, serde_json::to_string(&outcome).expect("serde writes it"));
        assert_eq!(
            outcome.answers_json(),
            reference.evaluate_str(&text, &options).answers_json(),
            "the engine and rhai disagree"
        );
    }
});
