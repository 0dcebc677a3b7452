#!/usr/bin/env bash
# The main job: evaluate an example employer against the national supervision pack.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo run --quiet --release --locked -p hegui -- eval --pack rules/cn/supervision \
  --input examples/supervision-partial.json --pretty "$@"
