#!/usr/bin/env bash
# Unit and integration tests of every crate, then every rule pack's test cases.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
cargo test --workspace --locked 2>&1
cargo run --quiet --locked -p hegui -- test rules
