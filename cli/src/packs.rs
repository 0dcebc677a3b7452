//! Finding and reading packs on disk: a pack folder (with its overlay bases) or a JSON bundle.

use std::fs;
use std::path::{Path, PathBuf};

use hegui_core::resolve::{self, DigestedPack, ResolvedPack};
use hegui_core::source::Manifest;
use hegui_core::{CompiledPack, Limits, PackFiles};

use crate::error::CliError;

/// How many overlays may stack on each other before we call it a loop.
const MAX_OVERLAY_DEPTH: usize = 8;

fn read(path: &Path) -> Result<String, CliError> {
    fs::read_to_string(path).map_err(|e| CliError::io(path, e))
}

/// Reads a pack folder's files: the three TOML files, `tables/*.csv` and `tests/*.toml`.
pub fn read_pack_files(dir: &Path) -> Result<PackFiles, CliError> {
    let mut files = PackFiles::new();
    for name in ["pack.toml", "fields.toml", "rules.toml"] {
        let path = dir.join(name);
        if path.is_file() {
            files.insert(name, read(&path)?);
        }
    }
    for (sub, ext) in [("tables", "csv"), ("tests", "toml")] {
        let folder = dir.join(sub);
        if !folder.is_dir() {
            continue;
        }
        let mut entries: Vec<PathBuf> = fs::read_dir(&folder)
            .map_err(|e| CliError::io(&folder, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .collect();
        entries.sort();
        for path in entries {
            if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                files.insert(format!("{sub}/{name}"), read(&path)?);
            }
        }
    }
    Ok(files)
}

/// Every pack folder (a folder with a pack.toml) under `root`, sorted.
pub fn find_pack_dirs(root: &Path) -> Result<Vec<PathBuf>, CliError> {
    let mut found = Vec::new();
    if root.join("pack.toml").is_file() {
        found.push(root.to_path_buf());
        return Ok(found);
    }
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        if depth > 4 {
            continue;
        }
        let entries = fs::read_dir(&dir).map_err(|e| CliError::io(&dir, e))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            if path.join("pack.toml").is_file() {
                found.push(path);
            } else {
                stack.push((path, depth + 1));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The folder overlay bases are searched in: for `rules/<jurisdiction>/<pack>`, `rules/`.
fn search_root(dir: &Path) -> PathBuf {
    let abs = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    abs.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or(abs)
}

fn find_base(root: &Path, reference: &str) -> Result<PathBuf, CliError> {
    for dir in find_pack_dirs(root)? {
        let text = read(&dir.join("pack.toml"))?;
        // A sibling pack that does not parse is not the one we look for; skip it here and let
        // loading that pack report its own error.
        if let Ok(manifest) = hegui_core::source::parse_toml::<Manifest>("pack.toml", &text) {
            if format!("{}@{}", manifest.id, manifest.version) == reference {
                return Ok(dir);
            }
        }
    }
    Err(CliError::Usage(format!(
        "base pack `{reference}` not found under {}",
        root.display()
    )))
}

/// Resolves a pack folder, resolving its `extends` chain first.
pub fn resolve_dir(dir: &Path) -> Result<ResolvedPack, CliError> {
    resolve_dir_at(dir, 0)
}

fn resolve_dir_at(dir: &Path, depth: usize) -> Result<ResolvedPack, CliError> {
    if depth > MAX_OVERLAY_DEPTH {
        return Err(CliError::Usage(format!(
            "{}: overlays nest deeper than {MAX_OVERLAY_DEPTH}; is there an extends loop?",
            dir.display()
        )));
    }
    let files = read_pack_files(dir)?;
    let wrap = |e| CliError::Load(dir.display().to_string(), e);
    let base = match resolve::extends_of(&files).map_err(wrap)? {
        None => None,
        Some(reference) => {
            let base_dir = find_base(&search_root(dir), &reference)?;
            Some(resolve_dir_at(&base_dir, depth + 1)?)
        }
    };
    resolve::resolve(&files, base.as_ref())
        .map_err(|e| CliError::Load(dir.display().to_string(), e))
}

/// Loads a pack from a folder or a `.json` bundle (its digest checked), with its digest.
pub fn resolve_path(path: &Path) -> Result<DigestedPack, CliError> {
    let loaded = if path.is_dir() {
        resolve_dir(path)?.digested()
    } else {
        ResolvedPack::digested_from_bundle_json(&read(path)?)
    };
    loaded.map_err(|e| CliError::Load(path.display().to_string(), e))
}

pub fn compile_path(path: &Path) -> Result<CompiledPack, CliError> {
    let pack = resolve_path(path)?;
    CompiledPack::compile_digested(pack, &Limits::default())
        .map_err(|e| CliError::Load(path.display().to_string(), e))
}
