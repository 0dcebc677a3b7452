//! Evaluates `cn.supervision` many times, for profilers (`perf record`, `valgrind --tool=callgrind`).
//!
//! Run: `cargo run --release -p hegui-core --example profile_eval -- 20000 [--no-json] [--decisions]`
//! (`HEGUI_PACK_DIR=DIR` for another pack folder, `HEGUI_INPUT=FILE` for another input document,
//! `HEGUI_DECISIONS=risk.class,supervision.policy` to evaluate only those decisions)

use std::fs;
use std::path::Path;

use hegui_core::{CompiledPack, EvalOptions, PackFiles};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // HEGUI_PACK_DIR measures another pack folder (e.g. an older version from git history).
    let dir = std::env::var_os("HEGUI_PACK_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("rules/cn/supervision"));
    let mut files = PackFiles::new();
    for name in ["pack.toml", "fields.toml", "rules.toml"] {
        if let Ok(text) = fs::read_to_string(dir.join(name)) {
            files.insert(name, text);
        }
    }
    for entry in fs::read_dir(dir.join("tables"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = entry.path();
        if let (Some(name), Ok(text)) = (path.file_name(), fs::read_to_string(&path)) {
            files.insert(format!("tables/{}", name.to_string_lossy()), text);
        }
    }
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let pack = match hegui_core::resolve::resolve(&files, None).and_then(CompiledPack::compile) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let input_path = std::env::var_os("HEGUI_INPUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("examples/supervision-full.json"));
    let text = fs::read_to_string(input_path).unwrap_or_default();
    let input: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    // `--decisions` builds the decisions-only outcome (`Detail::Decisions`).
    let options = EvalOptions {
        detail: if std::env::args().any(|a| a == "--decisions") {
            hegui_core::Detail::Decisions
        } else {
            hegui_core::Detail::Full
        },
        ..EvalOptions::default()
    };
    // `--no-json` measures evaluation alone, without printing the outcome.
    let print = !std::env::args().any(|a| a == "--no-json");
    // HEGUI_DECISIONS=a,b limits each evaluation to those decisions (`CompiledPack::select`).
    let selection = std::env::var("HEGUI_DECISIONS").ok().map(|list| {
        let paths: Vec<&str> = list.split(',').collect();
        pack.select(&paths).unwrap_or_else(|e| {
            eprintln!("HEGUI_DECISIONS: {e}");
            std::process::exit(2);
        })
    });
    let mut bytes = 0;
    for _ in 0..n {
        let outcome = match &selection {
            Some(selection) => pack.evaluate_selected(&input, &options, selection),
            None => pack.evaluate(&input, &options),
        };
        bytes += if print {
            outcome.to_json().len()
        } else {
            outcome.rules.len()
        };
    }
    println!("{n} evaluations ({bytes})");
}
