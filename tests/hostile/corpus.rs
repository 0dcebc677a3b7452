//! The hostile corpora (tests/hostile/cases.json), shared by the native tests: core/tests and
//! cli/tests include this file with `#[path]`. The Node runner (tests/hostile/run-node.mjs) reads
//! the same manifest and implements the same two tiny generators.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use hegui_core::outcome::Outcome;
use hegui_core::PackFiles;
use serde::Deserialize;
use serde_json::Value;

/// tests/hostile/ in the repository.
pub fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/hostile")
}

/// tests/out/hostile/: where the native test writes the bundles the Node runner loads.
pub fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/out/hostile")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub packs: Vec<PackCase>,
    pub inputs: Vec<InputCase>,
    /// The pack the input corpus is evaluated against (a folder under the repository root).
    pub input_pack: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackCase {
    pub name: String,
    /// Folder under tests/hostile/packs/ laid over `_base` (`_base` itself for none).
    pub dir: String,
    pub why: String,
    /// A generated table: `rows` rows written to `file` (too big to commit).
    #[serde(default)]
    pub generate: Option<GenTable>,
    /// Edit the built bundle: `digest` (one hex digit of the digest), `content` (one byte of
    /// the pack), `unknown_member`, `format`, `not_json`.
    #[serde(default)]
    pub tamper: Option<String>,
    pub expect: PackExpect,
    /// Load (or load + evaluate) must finish within this many seconds (debug build).
    #[serde(default = "default_seconds")]
    pub max_seconds: f64,
}

fn default_seconds() -> f64 {
    10.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenTable {
    pub file: String,
    pub rows: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackExpect {
    /// The load error code (`fromBundle` throws it in WASM).
    #[serde(default)]
    pub load: Option<String>,
    /// Otherwise: the pack loads, this input is evaluated ...
    #[serde(default)]
    pub input: Option<Value>,
    /// ... and the outcome has exactly these errors (`code@path` or `code@rule`) ...
    #[serde(default)]
    pub errors: Vec<String>,
    /// ... and these decisions (the other rules still ran).
    #[serde(default)]
    pub decisions: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputCase {
    pub name: String,
    pub why: String,
    /// A committed file under tests/hostile/inputs/ ...
    #[serde(default)]
    pub file: Option<String>,
    /// ... or generated text: the concatenation of each `[text, times]`.
    #[serde(default)]
    pub parts: Vec<(String, usize)>,
    /// Exactly these outcome errors (`code@path`, `code@rule`, or `code` for the document).
    pub errors: Vec<String>,
    /// The server's answer to `POST /v1/packs/{id}/evaluate`: 200 (the same outcome errors) or
    /// an HTTP error with this code.
    pub server: ServerExpect,
    #[serde(default = "default_seconds")]
    pub max_seconds: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerExpect {
    pub status: u16,
    #[serde(default)]
    pub code: Option<String>,
}

pub fn manifest() -> Manifest {
    let path = hostile_dir().join("cases.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// Every file of a pack folder (pack.toml, fields.toml, rules.toml, tables/*.csv, tests/*.toml).
pub fn read_folder(dir: &Path, files: &mut PackFiles) {
    for name in ["pack.toml", "fields.toml", "rules.toml"] {
        if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
            files.insert(name, text);
        }
    }
    for sub in ["tables", "tests"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            files.insert(
                format!("{sub}/{name}"),
                std::fs::read_to_string(&p).unwrap(),
            );
        }
    }
}

/// The files of a pack case: `_base`, then the case folder's files over it, its
/// `extra-rules.toml` appended to rules.toml, then the generated table.
pub fn pack_files(case: &PackCase) -> PackFiles {
    let packs = hostile_dir().join("packs");
    let mut files = PackFiles::new();
    read_folder(&packs.join("_base"), &mut files);
    let dir = packs.join(&case.dir);
    read_folder(&dir, &mut files);
    if let Ok(extra) = std::fs::read_to_string(dir.join("extra-rules.toml")) {
        let rules = format!("{}\n{extra}", files.get("rules.toml").unwrap_or(""));
        files.insert("rules.toml", rules);
    }
    if let Some(gen) = &case.generate {
        files.insert(&gen.file, generated_table(gen.rows));
    }
    files
}

/// `rows` rows that can never overlap: one exact worker count per row.
pub fn generated_table(rows: usize) -> String {
    let mut csv = String::from("in:workers,out:size\n");
    for i in 0..rows {
        csv.push_str(&format!("{i},size-{i}\n"));
    }
    csv
}

/// Applies a case's `tamper` to canonical bundle text.
pub fn tamper(bundle: &str, how: &str) -> String {
    match how {
        // The last hex digit of the digest, changed.
        "digest" => {
            let at = bundle.find("\"digest\":\"sha256:").unwrap() + 17 + 63;
            let mut bytes = bundle.as_bytes().to_vec();
            bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
            String::from_utf8(bytes).unwrap()
        }
        // One byte of the pack: a table cell (`<=9` becomes `<=8`).
        "content" => {
            assert!(bundle.contains("<=9"));
            bundle.replacen("<=9", "<=8", 1)
        }
        "unknown_member" => bundle.replacen("{", "{\"extra\":1,", 1),
        "format" => bundle.replacen("hegui.bundle/1", "hegui.bundle/2", 1),
        "not_json" => bundle[..bundle.len() / 2].to_owned(),
        other => panic!("unknown tamper `{other}`"),
    }
}

/// The text of an input case (generated ones are built here; Node builds them the same way).
pub fn input_text(case: &InputCase) -> String {
    if let Some(file) = &case.file {
        let bytes = std::fs::read(hostile_dir().join("inputs").join(file)).unwrap();
        // As Node's readFileSync(path, 'utf8') does: invalid UTF-8 becomes U+FFFD.
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    let len = case.parts.iter().map(|(s, n)| s.len() * n).sum();
    let mut text = String::with_capacity(len);
    for (s, n) in &case.parts {
        for _ in 0..*n {
            text.push_str(s);
        }
    }
    text
}

/// An outcome's errors as `code@path`, `code@rule` or `code`, in outcome order.
pub fn error_keys(outcome: &Outcome) -> Vec<String> {
    outcome
        .errors
        .iter()
        .map(|e| match e.path.as_deref().or(e.rule.as_deref()) {
            Some(at) if !at.is_empty() => format!("{}@{at}", e.code),
            _ => e.code.clone(),
        })
        .collect()
}
