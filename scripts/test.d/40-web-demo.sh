#!/usr/bin/env bash
# The web demo in a real browser: start `hegui serve --packs rules --static web-demo` and drive
# web-demo/ in headless Chromium (web-demo/tests/run.mjs). Builds only what is missing or stale:
# the wasm package (wasm/build.sh, as 20-wasm.sh does; skipped when wasm/pkg is newer than its
# sources) and the release CLI. Prints `N passed, N failed`; screenshots in tests/out/web-demo/.
set -uo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
start=$(date +%s)

fail() {
  echo "web-demo: $*"
  echo "0 passed, 1 failed"
  exit 1
}

wasm=wasm/pkg/hegui_wasm_bg.wasm
if [ ! -f "$wasm" ] || [ -n "$(find core/src wasm/src wasm/js wasm/npm Cargo.lock -newer "$wasm" -print -quit 2>/dev/null)" ]; then
  bash wasm/build.sh || fail "wasm/build.sh failed"
fi
[ -d web-demo/node_modules/playwright-core ] && [ -d web-demo/node_modules/axe-core ] ||
  (cd web-demo && npm ci --no-audit --no-fund) || fail "npm ci in web-demo/ failed"
cargo build --quiet --release --locked -p hegui || fail "cargo build -p hegui failed"

HEGUI_BIN=target/release/hegui node web-demo/tests/run.mjs
status=$?
echo "web-demo: $(( $(date +%s) - start )) s"
exit "$status"
