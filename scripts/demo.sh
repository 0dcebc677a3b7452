#!/usr/bin/env bash
# The main job: the hegui web demo. On a fresh machine it installs what is missing
# (scripts/setup.sh, idempotent), builds the browser engine (wasm/pkg) and the release CLI, then
# serves the rule packs of rules/ and the portal page of web-demo/ with `hegui serve`:
#
#   bash scripts/demo.sh                       → http://127.0.0.1:8787/ (HEGUI_ADDR=host:port to change)
#   bash scripts/demo.sh --no-setup            skip scripts/setup.sh
#   bash scripts/demo.sh --eval [ARGS…]        the old example: `hegui eval` on examples/supervision-partial.json
#
# Any other arguments are passed to `hegui serve` (e.g. --workers 2). Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if [ "${1:-}" = "--eval" ]; then
  shift
  exec cargo run --quiet --release --locked -p hegui -- eval --pack rules/cn/supervision \
    --input examples/supervision-partial.json --pretty "$@"
fi

setup=1
if [ "${1:-}" = "--no-setup" ]; then setup=0; shift; fi
if [ "$setup" -eq 1 ]; then bash scripts/setup.sh; fi

# The browser engine: rebuilt when missing or older than its sources.
wasm=wasm/pkg/hegui_wasm_bg.wasm
if [ ! -f "$wasm" ] || [ -n "$(find core/src wasm/src wasm/js wasm/npm Cargo.lock -newer "$wasm" -print -quit 2>/dev/null)" ]; then
  bash wasm/build.sh
fi
cargo build --quiet --release --locked -p hegui

# The page loads the engine from web-demo/vendor/hegui/ (gitignored): a copy of wasm/pkg.
rm -rf web-demo/vendor/hegui
mkdir -p web-demo/vendor
cp -r wasm/pkg web-demo/vendor/hegui

addr=${HEGUI_ADDR:-127.0.0.1:8787}
echo "hegui demo: http://$addr/   (API: http://$addr/v1/packs, OpenAPI: http://$addr/openapi.json; Ctrl-C stops)"
exec target/release/hegui serve --addr "$addr" --packs rules --static web-demo "$@"
