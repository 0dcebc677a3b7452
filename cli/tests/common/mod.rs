//! Shared by the CLI's integration tests.
#![allow(dead_code)]

pub mod http;

use std::path::PathBuf;

use serde_json::Value;

/// The national supervision pack, which every test loads.
pub fn pack_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rules/cn/supervision"
    ))
}

/// The full example employer of `examples/`.
pub fn example() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/supervision-full.json"
    );
    let text = std::fs::read_to_string(path).expect("examples/supervision-full.json");
    serde_json::from_str(&text).expect("the example is JSON")
}
