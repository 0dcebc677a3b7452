//! Signed packs on the command line: `hegui pack keygen | sign | verify`, and the signed-bundle
//! registry `hegui serve --trusted-key` loads (docs/RELIABILITY.md, "Signed packs").
//!
//! Key files are hex text: `PREFIX.key` holds the 32-byte ed25519 secret key (seed), `PREFIX.pub`
//! the 32-byte public key. The signature logic itself is `hegui_core::signature` (pure).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hegui_core::signature::{self, key_from_hex, to_hex};
use hegui_core::{CompiledPack, Limits};

use crate::error::CliError;
use crate::verify::{LoadedPack, Registry};

fn read(path: &Path) -> Result<String, CliError> {
    fs::read_to_string(path).map_err(|e| CliError::io(path, e))
}

/// A 32-byte key from a file of hex text.
pub fn read_key(path: &Path) -> Result<[u8; 32], CliError> {
    key_from_hex(&read(path)?).ok_or_else(|| {
        CliError::Usage(format!(
            "{}: not a key (64 hex digits: 32 bytes)",
            path.display()
        ))
    })
}

pub fn read_keys(paths: &[PathBuf]) -> Result<Vec<[u8; 32]>, CliError> {
    paths.iter().map(|p| read_key(p)).collect()
}

/// `hegui pack keygen --out PREFIX`: writes PREFIX.key (secret, mode 0600) and PREFIX.pub.
pub fn keygen(prefix: &Path) -> Result<String, CliError> {
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret)
        .map_err(|e| CliError::Usage(format!("no random source for key generation: {e}")))?;
    let public = signature::public_key(&secret);
    let secret_path = PathBuf::from(format!("{}.key", prefix.display()));
    let public_path = PathBuf::from(format!("{}.pub", prefix.display()));
    if secret_path.exists() {
        return Err(CliError::Usage(format!(
            "{} exists: not overwriting a key",
            secret_path.display()
        )));
    }
    write_secret(&secret_path, &(to_hex(&secret) + "\n"))?;
    fs::write(&public_path, to_hex(&public) + "\n").map_err(|e| CliError::io(&public_path, e))?;
    Ok(signature::key_id(&public))
}

#[cfg(unix)]
fn write_secret(path: &Path, text: &str) -> Result<(), CliError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| CliError::io(path, e))
}

#[cfg(not(unix))]
fn write_secret(path: &Path, text: &str) -> Result<(), CliError> {
    fs::write(path, text).map_err(|e| CliError::io(path, e))
}

/// `hegui pack sign BUNDLE --key KEYFILE`: the bundle with a signature added.
pub fn sign(bundle: &Path, key: &Path) -> Result<String, CliError> {
    let secret = read_key(key)?;
    signature::sign_bundle_json(&read(bundle)?, &secret)
        .map_err(|e| CliError::Load(bundle.display().to_string(), e))
}

/// `hegui pack verify BUNDLE --pubkey PUBFILE…`: the digest when a trusted key signed it.
pub fn verify(bundle: &Path, pubkeys: &[PathBuf]) -> Result<String, CliError> {
    let keys = read_keys(pubkeys)?;
    let pack = signature::verify_signed_bundle(&read(bundle)?, &keys)
        .map_err(|e| CliError::Load(bundle.display().to_string(), e))?;
    Ok(pack.digest().to_owned())
}

/// The bundles the server loads when keys are trusted: `root` itself when it is a file, else
/// every `*.json` file directly in `root`, sorted. Pack folders are not loaded then.
pub fn find_bundles(root: &Path) -> Result<Vec<PathBuf>, CliError> {
    if root.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut found: Vec<PathBuf> = fs::read_dir(root)
        .map_err(|e| CliError::io(root, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    found.sort();
    Ok(found)
}

/// Loads every signed bundle under `root`; any bundle that is unsigned, wrongly signed, signed
/// by an untrusted key or does not compile stops the load with its error.
pub fn load_signed_registry(
    root: &Path,
    trusted_keys: &[[u8; 32]],
    limits: &Limits,
) -> Result<Registry, CliError> {
    let mut registry = Registry::default();
    for path in find_bundles(root)? {
        let source = path.display().to_string();
        let text = read(&path)?;
        let pack = signature::verify_signed_bundle(&text, trusted_keys)
            .map_err(|e| CliError::Load(source.clone(), e))?;
        let compiled = CompiledPack::compile_digested(pack, limits)
            .map_err(|e| CliError::Load(source.clone(), e))?;
        registry.insert(LoadedPack {
            compiled,
            // Served as signed, so clients can check the signature too.
            bundle_json: Arc::from(text.trim_end()),
            source,
        })?;
    }
    Ok(registry)
}
