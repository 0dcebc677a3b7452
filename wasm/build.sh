#!/usr/bin/env bash
# Builds the npm package into wasm/pkg/ without wasm-pack (see docs/wasm.md, "Building"):
#   cargo (wasm32, profile wasm-release) -> wasm-bindgen --target web -> wasm-opt -Oz
#   -> hand-written entry (js/), TypeScript declarations and package.json (npm/).
# Needs: the wasm32-unknown-unknown target, wasm-bindgen-cli at the Cargo.lock version,
# binaryen's wasm-opt (optional: skipped with a warning when missing). scripts/setup.d/20-wasm.sh
# installs all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# HEGUI_WASM_OUT: another output folder (benchmarks of variants); HEGUI_WASM_FEATURES: cargo
# features of hegui-wasm (e.g. `profile`, never in a shipped package).
out=${HEGUI_WASM_OUT:-wasm/pkg}
target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
target_dir=${target_dir:-target}

# Source paths end up in the module (panic locations of the crates): fixed names for the checkout
# and cargo's registry keep the package's bytes, and its size under the ratchet, the same on every
# machine, wherever the checkout and cargo's home are.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$PWD=/hegui --remap-path-prefix=$cargo_home/registry/src=/crates"
cargo build --locked -p hegui-wasm --lib --target wasm32-unknown-unknown --profile wasm-release \
  ${HEGUI_WASM_FEATURES:+--features "$HEGUI_WASM_FEATURES"}
rm -rf "$out"
mkdir -p "$out"
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/hegui_wasm.wasm"
if command -v wasm-opt >/dev/null; then
  # wasm-opt runs BEFORE wasm-bindgen: binaryen 108 (Debian) mislabels the externref table that
  # wasm-bindgen adds (the module then fails to instantiate). Debian's binaryen also rejects
  # rustc's output unless these features are enabled explicitly. --converge repeats the passes
  # while they still shrink the module (about 0.5 KB gzip, a few seconds).
  wasm-opt -Oz --converge --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-debug \
    -o "$out/opt.wasm" "$wasm"
  wasm="$out/opt.wasm"
else
  echo "warning: wasm-opt not found: the package is not size-optimised" >&2
fi
wasm-bindgen --target web --out-dir "$out" --out-name hegui_wasm \
  --remove-name-section --remove-producers-section "$wasm"
rm -f "$out/opt.wasm"
cp wasm/js/index.js wasm/js/index.d.ts wasm/js/bind-form.js wasm/js/bind-form.d.ts \
  wasm/js/types.d.ts "$out/"
cp wasm/npm/package.json wasm/npm/README.md "$out/"
# The package version follows the crate's.
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
sed -i "s/\"version\": \"[^\"]*\"/\"version\": \"$version\"/" "$out/package.json"
ls -l "$out"
