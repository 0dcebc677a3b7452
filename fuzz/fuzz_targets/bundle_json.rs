//! Bundle loading: the input as bundle JSON, loaded as the WASM engine does (digest check, then
//! compile), and through the signature check with a fixed trusted key.
#![no_main]
use hegui_core::signature::{public_key, verify_signed_bundle};
use hegui_core::{CompiledPack, ResolvedPack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(resolved) = ResolvedPack::from_bundle_json(text) {
        let _ = CompiledPack::compile(resolved);
    }
    let _ = verify_signed_bundle(text, &[public_key(&[1; 32])]);
});
