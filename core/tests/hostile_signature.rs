//! Signed bundles: one byte changed in the pack, the digest or the signature is caught, and
//! unsigned or foreign-signed bundles are refused when keys are trusted. Writes the same cases
//! to tests/out/hostile/signatures.json for the WASM runner (tests/hostile/run-node.mjs), which
//! must give the same codes through `Engine.fromBundle(bundle, {trustedKeys})`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use hegui_core::canonical;
use hegui_core::signature::{key_id, public_key, sign_bundle_json, to_hex, verify_signed_bundle};
use serde_json::{json, Value};

const SECRET: [u8; 32] = [11; 32];
const OTHER_SECRET: [u8; 32] = [12; 32];

fn signed() -> String {
    sign_bundle_json(&resolved().to_bundle_json().unwrap(), &SECRET).unwrap()
}

fn edit(bundle: &str, f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(bundle).unwrap();
    f(&mut v);
    canonical::to_canonical_string(&v)
}

/// Flips one hex digit of a string member of the bundle (at `pointer`), at `index`.
fn flip_hex(bundle: &str, pointer: &str, index: usize) -> String {
    edit(bundle, |v| {
        let s = v.pointer_mut(pointer).unwrap();
        let mut text = s.as_str().unwrap().as_bytes().to_vec();
        text[index] = if text[index] == b'0' { b'1' } else { b'0' };
        *s = Value::String(String::from_utf8(text).unwrap());
    })
}

/// (name, bundle, trusted keys or None for "no verification", expected code or "ok").
type Case = (&'static str, String, Option<Vec<[u8; 32]>>, &'static str);

fn cases() -> Vec<Case> {
    let key = public_key(&SECRET);
    let other = public_key(&OTHER_SECRET);
    let trusted = Some(vec![key]);
    let good = signed();
    let unsigned = resolved().to_bundle_json().unwrap();
    // One byte of the pack: a table cell.
    let pack_byte = good.replacen("<=9", "<=8", 1);
    // The pack edited AND its digest recomputed: only the signature can catch this.
    let redigested = edit(&pack_byte, |v| {
        let digest = canonical::digest(&v["pack"]);
        v["digest"] = json!(digest);
    });
    let by_other = sign_bundle_json(&unsigned, &OTHER_SECRET).unwrap();
    let both = sign_bundle_json(&by_other, &SECRET).unwrap();
    vec![
        ("signed", good.clone(), trusted.clone(), "ok"),
        ("signed-two-keys", both, trusted.clone(), "ok"),
        (
            "unsigned",
            unsigned.clone(),
            trusted.clone(),
            "bundle.unsigned",
        ),
        (
            "pack-byte",
            pack_byte,
            trusted.clone(),
            "bundle.digest_mismatch",
        ),
        (
            "pack-byte-redigested",
            redigested,
            trusted.clone(),
            "bundle.bad_signature",
        ),
        (
            "digest-byte",
            flip_hex(&good, "/digest", 20),
            trusted.clone(),
            "bundle.digest_mismatch",
        ),
        (
            "signature-byte",
            flip_hex(&good, "/signatures/0/sig", 10),
            trusted.clone(),
            "bundle.bad_signature",
        ),
        (
            "signature-last-byte",
            flip_hex(&good, "/signatures/0/sig", 127),
            trusted.clone(),
            "bundle.bad_signature",
        ),
        (
            "key-id-byte",
            flip_hex(&good, "/signatures/0/key_id", 0),
            trusted.clone(),
            "bundle.untrusted_key",
        ),
        (
            "signed-by-other-key",
            by_other,
            trusted.clone(),
            "bundle.untrusted_key",
        ),
        (
            "wrong-alg",
            edit(&good, |v| v["signatures"][0]["alg"] = json!("ed448")),
            trusted.clone(),
            "bundle.bad_signature",
        ),
        (
            "trusted-other-only",
            good.clone(),
            Some(vec![other]),
            "bundle.untrusted_key",
        ),
        // Without trusted keys, signatures are not checked (the digest still is).
        ("no-keys-unsigned", unsigned, None, "ok"),
        (
            "no-keys-bad-signature",
            flip_hex(&good, "/signatures/0/sig", 10),
            None,
            "ok",
        ),
    ]
}

fn load(bundle: &str, keys: &Option<Vec<[u8; 32]>>) -> &'static str {
    let result = match keys {
        Some(keys) => verify_signed_bundle(bundle, keys).map(drop),
        None => hegui_core::ResolvedPack::from_bundle_json(bundle).map(drop),
    };
    match result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn tampering_with_one_byte_is_caught() {
    let mut failures = Vec::new();
    for (name, bundle, keys, want) in cases() {
        let got = load(&bundle, &keys);
        if got != want {
            failures.push(format!("{name}: got {got}, want {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn signing_does_not_change_the_digest_and_is_deterministic() {
    let unsigned = resolved().to_bundle_json().unwrap();
    let a: Value = serde_json::from_str(&signed()).unwrap();
    let b: Value = serde_json::from_str(&unsigned).unwrap();
    assert_eq!(a["digest"], b["digest"]);
    assert_eq!(signed(), signed());
    assert_eq!(
        a["signatures"][0]["key_id"],
        json!(key_id(&public_key(&SECRET)))
    );
    // Re-signing by the same key replaces its signature.
    let again = sign_bundle_json(&signed(), &SECRET).unwrap();
    assert_eq!(again, signed());
    // A signed bundle still loads where no key is configured, with the same digest.
    let pack = hegui_core::ResolvedPack::from_bundle_json(&signed()).unwrap();
    assert_eq!(json!(pack.digest().unwrap()), b["digest"]);
}

#[test]
fn a_signed_bundle_is_refused_when_it_is_not_a_bundle() {
    let e = verify_signed_bundle("{", &[public_key(&SECRET)]).unwrap_err();
    assert_eq!(e.code(), "bundle.invalid");
}

/// The cases for the WASM runner: the same bundles and keys, as JSON.
#[test]
fn write_cases_for_wasm() {
    let cases: Vec<Value> = cases()
        .into_iter()
        .enumerate()
        .map(|(i, (name, bundle, keys, want))| {
            json!({
                "name": name,
                "bundle": bundle,
                "trusted_keys": keys.map(|k| k.iter().map(|k| to_hex(k)).collect::<Vec<_>>()),
                // Every other case passes the keys as bytes (Uint8Array) instead of hex.
                "trusted_keys_bytes": i % 2 == 1,
                "expect": want,
            })
        })
        .collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/out/hostile");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("signatures.json"),
        serde_json::to_string(&json!({ "cases": cases })).unwrap(),
    )
    .unwrap();
}
