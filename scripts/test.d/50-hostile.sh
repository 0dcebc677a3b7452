#!/usr/bin/env bash
# Hostile packs, inputs and signed bundles in WASM (Node): tests/hostile/run-node.mjs checks the
# manifest tests/hostile/cases.json and the signature cases against wasm/pkg. The native side
# (core/tests/hostile_corpus.rs, core/tests/hostile_signature.rs) and the server side
# (cli/tests/hostile_serve.rs) are cargo tests, run (and counted) once by 10-rust.sh; they also
# write the bundles this runner loads to tests/out/hostile/. Run on its own, this script makes
# those bundles first (quietly, not counted) when they are missing or older than the corpus.
# Builds wasm/pkg only when it is missing or stale (as 40-web-demo.sh). Prints `N passed, N failed`. Fuzzing is not here
# (fuzz/run.sh; docs/RELIABILITY.md).
set -uo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

fail() {
  echo "hostile: $*"
  echo "0 passed, 1 failed"
  exit 1
}

wasm=wasm/pkg/hegui_wasm_bg.wasm
if [ ! -f "$wasm" ] || [ -n "$(find core/src wasm/src wasm/js wasm/npm Cargo.lock -newer "$wasm" -print -quit 2>/dev/null)" ]; then
  bash wasm/build.sh >/dev/null || fail "wasm/build.sh failed"
fi
out=tests/out/hostile
if [ ! -f "$out/signatures.json" ] || [ ! -f "$out/input-pack.json" ] ||
  [ -n "$(find tests/hostile core/src rules -newer "$out/signatures.json" -type f -print -quit)" ]; then
  cargo test --quiet --locked -p hegui-core --test hostile_corpus --test hostile_signature \
    >/dev/null 2>&1 || fail "the native hostile tests failed: cargo test -p hegui-core --test hostile_corpus --test hostile_signature"
fi
node tests/hostile/run-node.mjs
