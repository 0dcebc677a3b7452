//! Bundle loading: the input as bundle JSON, loaded as the WASM engine and the CLI do (the
//! digest checked, then compiled with that digest), and through the signature check with a
//! fixed trusted key. The checked loader must give what the reference sequence gives (the
//! digest checked, then `CompiledPack::compile`, which computes the digest itself): the same
//! digest, or the same error.
#![no_main]
use hegui_core::signature::{public_key, verify_signed_bundle};
use hegui_core::{CompiledPack, Limits, ResolvedPack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let reference = ResolvedPack::from_bundle_json(text).and_then(CompiledPack::compile);
    let checked = ResolvedPack::digested_from_bundle_json(text)
        .and_then(|pack| CompiledPack::compile_digested(pack, &Limits::default()));
    match (&reference, &checked) {
        (Ok(a), Ok(b)) => assert_eq!(a.digest(), b.digest()),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("the checked loader and the reference disagree on whether the bundle loads"),
    }
    if let Ok(pack) = verify_signed_bundle(text, &[public_key(&[1; 32])]) {
        // A signed bundle that verifies is one whose digest the reference checks too.
        let digest = ResolvedPack::from_bundle_json(text).and_then(|p| p.digest());
        assert_eq!(digest.ok().as_deref(), Some(pack.digest()));
    }
});
