//! Runs the work of `POST /v1/verify` without the HTTP layer, many times, for profilers
//! (`valgrind --tool=callgrind`, `perf record`): parse the body, re-check it, write the answer.
//!
//! Run: `cargo run --release -p hegui --example profile_verify -- BODY.json 20000 [--decisions]`
//! (the body `bench/load/gen.py body` writes; `HEGUI_PACK_DIR=DIR` for another pack folder)

use std::path::Path;

use hegui::serve::api::verify_body;
use hegui::verify::Registry;
use hegui_core::{Detail, EvalOptions, Limits};

/// The server's allocator (cli/src/main.rs), so the profile is the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(body_path) = args.get(1) else {
        eprintln!("usage: profile_verify BODY.json [N] [--decisions]");
        std::process::exit(2);
    };
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::var_os("HEGUI_PACK_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("rules/cn/supervision"));
    let registry = match Registry::load(&dir, &Limits::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let body = std::fs::read(body_path).unwrap_or_default();
    let options = EvalOptions {
        detail: if args.iter().any(|a| a == "--decisions") {
            Detail::Decisions
        } else {
            Detail::Full
        },
        ..EvalOptions::default()
    };
    let mut accepted = 0usize;
    let mut bytes = 0usize;
    for _ in 0..n {
        match verify_body(&registry, &body, &options) {
            Ok(answer) => {
                accepted += usize::from(answer.starts_with(br#"{"verdict":"accepted""#));
                bytes += answer.len();
            }
            Err(e) => {
                eprintln!("the body is not a verify request: {e:?}");
                std::process::exit(2);
            }
        }
    }
    println!("{n} requests, {accepted} accepted, {bytes} answer bytes");
}
