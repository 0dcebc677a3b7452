#!/usr/bin/env bash
# The browser engine's toolchain (wasm/, tests/conformance, tests/browser). Idempotent: each step
# checks first, so a machine that has everything spends a second here.
#   - rustup target wasm32-unknown-unknown
#   - wasm-bindgen-cli at exactly the wasm-bindgen version of Cargo.lock (cargo install, minutes, once)
#   - binaryen (wasm-opt) and chromium from apt (apt-get update only when something is missing)
#   - wasm/node_modules from wasm/package-lock.json (playwright-core; no browser download)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "20-wasm: need root (or sudo) for: $*" >&2; return 1; fi
}

# 1. The wasm32 target.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli: its version must equal the wasm-bindgen crate's in Cargo.lock.
want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ -z "$want" ]; then
  echo "20-wasm: wasm-bindgen not found in Cargo.lock" >&2; exit 1
fi
if [ "$have" != "$want" ]; then
  echo "20-wasm: installing wasm-bindgen-cli $want (have: ${have:-none})"
  # Only the `wasm-bindgen` binary, without TLS (it never downloads anything here): saves
  # compiling rustls/ring. --locked first; the CLI's own lock file may name a crate version the
  # registry mirror does not have (0.2.130 does), then the newest compatible versions are used.
  opts=(wasm-bindgen-cli --version "$want" --no-default-features --bin wasm-bindgen --force)
  cargo install "${opts[@]}" --locked || cargo install "${opts[@]}"
fi
wasm-bindgen --version

# 3. System packages: wasm-opt (binaryen) and a headless browser (chromium).
missing=()
command -v wasm-opt >/dev/null || missing+=(binaryen)
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "20-wasm: installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y --no-install-recommends "${missing[@]}" ||
    { as_root apt-get update && as_root apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

# 4. Node dev dependencies, from the committed lock file (skipped when already in place).
want_pw=$(node -e 'console.log(require("./wasm/package-lock.json").packages["node_modules/playwright-core"].version)')
have_pw=$(node -e 'try { console.log(require("./wasm/node_modules/playwright-core/package.json").version) } catch { console.log("") }')
if [ "$want_pw" != "$have_pw" ]; then
  (cd wasm && npm ci --no-audit --no-fund)
fi
echo "20-wasm: wasm32 target, wasm-bindgen $want, $(wasm-opt --version 2>/dev/null | head -1), $(${CHROMIUM:-/usr/bin/chromium} --version 2>/dev/null | head -1), node $(node --version), playwright-core $want_pw"
