//! Signed bundles: ed25519 signatures of a bundle's digest, checked against trusted public keys.
//!
//! - The signed message is `hegui.bundle/1 ` followed by the bundle's `digest` string
//!   (`sha256:…`), which is the hash of the canonical resolved pack: a signature therefore covers
//!   the pack, and the bundle's own digest check ties the pack to the digest.
//! - `signatures: [{key_id, alg: "ed25519", sig}]` is an optional member of the bundle, outside
//!   the digest (so a pack can be signed by several keys without changing its digest). `key_id`
//!   is the first 16 hex digits of the SHA-256 of the 32-byte public key; `sig` is the 64-byte
//!   signature in lower-case hex.
//! - Pure: verifying needs no randomness or clock, and ed25519 signing is deterministic, so both
//!   live here; only key generation (random) is in the CLI.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::canonical;
use crate::error::LoadError;
use crate::resolve::{Bundle, DigestedPack, ResolvedPack, BUNDLE_FORMAT};

pub const ALG_ED25519: &str = "ed25519";

/// One signature of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleSignature {
    pub key_id: String,
    pub alg: String,
    pub sig: String,
}

/// The bytes a signature covers.
pub fn signed_message(digest: &str) -> Vec<u8> {
    format!("{BUNDLE_FORMAT} {digest}").into_bytes()
}

/// `key_id` of a public key: the first 16 hex digits of its SHA-256.
pub fn key_id(public_key: &[u8; 32]) -> String {
    let hash = Sha256::digest(public_key);
    let mut hex = to_hex(&hash);
    hex.truncate(16);
    hex
}

/// The public key of a 32-byte ed25519 secret key (seed).
pub fn public_key(secret_key: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(secret_key)
        .verifying_key()
        .to_bytes()
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lower- or upper-case hex (surrounding whitespace ignored) to bytes.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().as_bytes();
    if text.len() % 2 != 0 {
        return None;
    }
    text.chunks(2)
        .map(|pair| {
            let digit = |c: u8| (c as char).to_digit(16);
            match pair {
                [a, b] => Some((digit(*a)? * 16 + digit(*b)?) as u8),
                _ => None,
            }
        })
        .collect()
}

/// A 32-byte key from hex text (a key file's content).
pub fn key_from_hex(text: &str) -> Option<[u8; 32]> {
    from_hex(text)?.try_into().ok()
}

fn parse_bundle(json: &str) -> Result<Bundle, LoadError> {
    Bundle::from_json(json)
}

/// Signs a bundle (its digest checked first) with a secret key and returns the bundle as
/// canonical JSON with the signature added (replacing an earlier one by the same key).
pub fn sign_bundle_json(json: &str, secret_key: &[u8; 32]) -> Result<String, LoadError> {
    let bundle = parse_bundle(json)?;
    let mut signatures = bundle.signatures.clone();
    let digest = bundle.digest.clone();
    let pack = ResolvedPack::from_bundle(bundle)?;
    let key = SigningKey::from_bytes(secret_key);
    let id = key_id(&key.verifying_key().to_bytes());
    let sig = key.sign(&signed_message(&digest));
    signatures.retain(|s| s.key_id != id);
    signatures.push(BundleSignature {
        key_id: id,
        alg: ALG_ED25519.into(),
        sig: to_hex(&sig.to_bytes()),
    });
    let value = serde_json::json!({
        "format": BUNDLE_FORMAT,
        "digest": digest,
        "pack": pack.to_value()?,
        "signatures": signatures,
    });
    Ok(canonical::to_canonical_string(&value))
}

/// Reads a bundle, checks its digest, and requires a valid ed25519 signature of that digest by
/// one of `trusted_keys`. The pack comes back with its digest, for
/// `CompiledPack::compile_digested`.
///
/// Errors: `bundle.invalid` / `bundle.digest_mismatch` as `ResolvedPack::from_bundle_json`;
/// `bundle.unsigned` (no signature); `bundle.bad_signature` (a signature by a trusted key that
/// does not verify, and none that does); `bundle.untrusted_key` (signed only by other keys).
pub fn verify_signed_bundle(
    json: &str,
    trusted_keys: &[[u8; 32]],
) -> Result<DigestedPack, LoadError> {
    let mut bundle = parse_bundle(json)?;
    let signatures = std::mem::take(&mut bundle.signatures);
    let pack = bundle.into_digested()?;
    check_signatures(pack.digest(), &signatures, trusted_keys)?;
    Ok(pack)
}

/// The signature check alone, for a digest already checked against its pack.
pub fn check_signatures(
    digest: &str,
    signatures: &[BundleSignature],
    trusted_keys: &[[u8; 32]],
) -> Result<(), LoadError> {
    if signatures.is_empty() {
        return Err(LoadError::Unsigned);
    }
    let message = signed_message(digest);
    let mut bad = None;
    for s in signatures {
        let Some(key) = trusted_keys.iter().find(|k| key_id(k) == s.key_id) else {
            continue;
        };
        match verify_one(key, s, &message) {
            Ok(()) => return Ok(()),
            Err(message) => {
                bad.get_or_insert(LoadError::BadSignature {
                    key_id: s.key_id.clone(),
                    message,
                });
            }
        }
    }
    Err(bad.unwrap_or_else(|| LoadError::UntrustedKey {
        key_ids: signatures.iter().map(|s| s.key_id.clone()).collect(),
    }))
}

fn verify_one(key: &[u8; 32], s: &BundleSignature, message: &[u8]) -> Result<(), String> {
    if s.alg != ALG_ED25519 {
        return Err(format!("algorithm `{}` is not `{ALG_ED25519}`", s.alg));
    }
    let bytes: [u8; 64] = from_hex(&s.sig)
        .and_then(|b| b.try_into().ok())
        .ok_or("`sig` is not 64 bytes of hex")?;
    let key = VerifyingKey::from_bytes(key).map_err(|e| format!("bad public key: {e}"))?;
    key.verify_strict(message, &Signature::from_bytes(&bytes))
        .map_err(|_| "the signature does not match the digest".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        assert_eq!(from_hex("00ffA0"), Some(vec![0, 255, 160]));
        assert_eq!(to_hex(&[0, 255, 160]), "00ffa0");
        assert_eq!(from_hex("0"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("é0"), None);
        assert!(key_from_hex(&"ab".repeat(31)).is_none());
    }

    #[test]
    fn key_id_is_16_hex_digits_of_sha256() {
        let id = key_id(&[0u8; 32]);
        assert_eq!(id.len(), 16);
        // sha256 of 32 zero bytes starts 66687aadf862bd77.
        assert_eq!(id, "66687aadf862bd77");
    }

    #[test]
    fn unsigned_untrusted_and_bad_are_distinguished() {
        let key = public_key(&[7u8; 32]);
        let digest = "sha256:00";
        assert_eq!(
            check_signatures(digest, &[], &[key]).unwrap_err().code(),
            "bundle.unsigned"
        );
        let sig = SigningKey::from_bytes(&[7u8; 32]).sign(&signed_message(digest));
        let good = BundleSignature {
            key_id: key_id(&key),
            alg: ALG_ED25519.into(),
            sig: to_hex(&sig.to_bytes()),
        };
        assert!(check_signatures(digest, std::slice::from_ref(&good), &[key]).is_ok());
        let other = public_key(&[8u8; 32]);
        assert_eq!(
            check_signatures(digest, std::slice::from_ref(&good), &[other])
                .unwrap_err()
                .code(),
            "bundle.untrusted_key"
        );
        assert_eq!(
            check_signatures("sha256:01", std::slice::from_ref(&good), &[key])
                .unwrap_err()
                .code(),
            "bundle.bad_signature"
        );
        let wrong_alg = BundleSignature {
            alg: "rsa".into(),
            ..good.clone()
        };
        assert_eq!(
            check_signatures(digest, &[wrong_alg], &[key])
                .unwrap_err()
                .code(),
            "bundle.bad_signature"
        );
        let short = BundleSignature {
            sig: "00".into(),
            ..good
        };
        assert_eq!(
            check_signatures(digest, &[short], &[key])
                .unwrap_err()
                .code(),
            "bundle.bad_signature"
        );
    }
}
