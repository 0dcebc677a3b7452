#!/usr/bin/env bash
# The browser engine: build the npm package, check its size, then run the conformance corpus
# (native expected outcomes vs WASM in Node and in headless Chromium), the robustness checks, the
# bindForm browser test and `npm pack`. Every suite prints `N passed, N failed`; this script
# runs them all and fails if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
out=tests/out
failed_steps=()
step() {
  local name=$1
  shift
  echo "-- wasm: $name"
  if ! "$@"; then
    failed_steps+=("$name")
  fi
}

build_corpus() {
  set -e
  rm -rf "$out/bundles" "$out/conformance"
  mkdir -p "$out/bundles"
  local args=() dir id
  # Every pack folder under rules/ (packs are discovered, not listed).
  local broken=0
  while IFS= read -r dir; do
    id=$(echo "${dir#rules/}" | tr / .)
    if cargo run --quiet --locked -p hegui -- pack build "$dir" -o "$out/bundles/$id.json"; then
      args+=("$dir" "$out/bundles/$id.json")
    else
      echo "FAIL: hegui pack build $dir"
      broken=1
    fi
  done < <(find rules -name pack.toml -printf '%h\n' | sort)
  cargo run --quiet --locked -p hegui-wasm --example conformance -- \
    --out "$out/conformance" --seed 20260115 --per-pack 400 "${args[@]}"
  # The supervision bundle is what the browser pages load.
  [ -f "$out/bundles/cn.supervision.json" ] && [ "$broken" -eq 0 ]
}

# A pack of generated rules (core/tests/direct_forms_generated.rs, a fixed seed): the expression
# language beyond what the shipped packs use, native against WASM (docs/RELIABILITY.md).
build_generated_corpus() {
  set -e
  rm -rf "$out/generated-pack" "$out/generated"
  HEGUI_EXPR_PACK_DIR="$PWD/$out/generated-pack" HEGUI_EXPR_CASES=300 \
    cargo test --quiet --locked -p hegui-core --test direct_forms_generated \
    write_generated_pack -- --ignored >/dev/null
  cargo run --quiet --locked -p hegui -- pack build "$out/generated-pack" \
    -o "$out/generated-pack.json"
  cargo run --quiet --locked -p hegui-wasm --example conformance -- \
    --out "$out/generated" --seed 20261122 --per-pack 100 \
    "$out/generated-pack" "$out/generated-pack.json"
}

npm_pack() {
  set -e
  mkdir -p "$out/npm"
  rm -f "$out"/npm/hegui-*.tgz
  local tgz
  tgz=$(cd wasm/pkg && npm pack --silent --pack-destination "../../$out/npm" 2>/dev/null | tail -1)
  local list
  list=$(tar -tzf "$out/npm/$tgz")
  local f missing=0
  for f in index.js index.d.ts types.d.ts bind-form.js hegui_wasm.js hegui_wasm_bg.wasm package.json; do
    grep -qx "package/$f" <<<"$list" || { echo "npm pack: $f missing from $tgz"; missing=1; }
  done
  # The packed package loads in Node from a clean directory.
  rm -rf "$out/npm/try" && mkdir -p "$out/npm/try" && tar -xzf "$out/npm/$tgz" -C "$out/npm/try"
  node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    const m = await import('./$out/npm/try/package/index.js');
    m.initSync({ module: readFileSync('./$out/npm/try/package/hegui_wasm_bg.wasm') });
    const e = m.Engine.fromBundle(readFileSync('$out/bundles/cn.supervision.json'));
    if (typeof m.bindForm !== 'function' || !e.evaluate({}).pack.digest) process.exit(1);
  " || missing=1
  echo "npm pack: $tgz ($(stat -c %s "$out/npm/$tgz") bytes)"
  if [ "$missing" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; return 1; fi
}

step "build package" bash wasm/build.sh
if [ ! -f wasm/pkg/hegui_wasm_bg.wasm ]; then
  echo "wasm: the package did not build"
  echo "0 passed, 1 failed"
  exit 1
fi
step "size budget" bash wasm/size-check.sh
step "conformance corpus (native expected outcomes)" build_corpus
step "robustness (node)" node wasm/tests/robustness.mjs
step "pack() description (node)" node wasm/tests/pack-info.mjs
step "conformance (node)" node tests/conformance/run-node.mjs
step "conformance (chromium)" node tests/conformance/run-browser.mjs
step "generated expressions corpus (native expected outcomes)" build_generated_corpus
step "generated expressions (node)" node tests/conformance/run-node.mjs wasm/pkg "$out/generated"
step "generated expressions (chromium)" node tests/conformance/run-browser.mjs "$out/generated"
step "bindForm page (chromium)" node tests/browser/form-test.mjs
step "npm pack" npm_pack
if [ "${#failed_steps[@]}" -gt 0 ]; then
  echo "wasm: failed: ${failed_steps[*]}"
  exit 1
fi
echo "wasm: all passed"
