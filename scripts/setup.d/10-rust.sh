#!/usr/bin/env bash
# The Rust toolchain comes with the machine; make sure cargo is on PATH and rustfmt/clippy exist.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
cargo --version
