#!/usr/bin/env bash
# hegui against its peers, in one run: installs the peers, checks that every engine gives hegui's
# answers on the shared inputs, times the ones that agree (Chromium, Node, native), measures the
# bytes shipped, and regenerates the `## Peers` section of docs/BENCHMARKS.md. hegui is timed three
# times (the five answers only, the ratios' baseline; every decision; the full outcome); see
# README.md.
# Usage: bash bench/peers/run.sh [N inputs, default 1000]. Not part of scripts/test.sh.
# Exit status: non-zero when an engine disagreed with hegui or a stage failed (the others still run).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
N="${1:-1000}"
start=$(date +%s)
status=0
mkdir -p "$here/out"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "== peers: npm ci (bench/peers/package-lock.json)"
# npm ci refuses this lock: @gorules/zen-engine lists a per-platform optional package for every
# platform, and its wasm32-wasi one is not published at 0.54.0, so the lock cannot hold them all.
# npm install then installs from the same lock (the versions stay pinned).
(cd "$here" && { npm ci --no-audit --no-fund --loglevel=silent 2>/dev/null \
  || { echo "npm ci refused the lock (zen's unpublished optional package); npm install from the lock"; npm install --no-audit --no-fund --loglevel=error; }; }) || exit 2
[ -x /usr/bin/chromium ] || { echo "chromium missing: apt-get install -y chromium" >&2; exit 2; }

echo "== hegui: the CLI, the WASM package and the two pack bundles"
(cd "$root" && cargo build --release -q -p hegui) || exit 2
wasm_built=false
if [ -z "${SKIP_WASM_BUILD:-}" ] || [ ! -f "$root/wasm/pkg/hegui_wasm_bg.wasm" ]; then
  (cd "$root" && bash wasm/build.sh) || exit 2
  wasm_built=true
fi
# A private copy, so a rebuild of wasm/pkg by someone else cannot change the package mid-run.
rm -rf "$here/out/hegui-pkg" && cp -r "$root/wasm/pkg" "$here/out/hegui-pkg"
"$root/target/release/hegui" pack build "$root/rules/cn/supervision" -o "$here/out/cn.supervision.json" || exit 2
"$root/target/release/hegui" pack build "$root/rules/cn/healthy-enterprise" -o "$here/out/cn.healthy-enterprise.json" || exit 2

echo "== zen's wasm32-wasi build (size only): npm pack"
zen_wasi="$(node -p "require('$here/node_modules/@gorules/zen-engine/package.json').optionalDependencies['@gorules/zen-engine-wasm32-wasi'] || ''" 2>/dev/null)"
rm -rf "$here/out/zen-wasi" && mkdir -p "$here/out/zen-wasi"
(cd "$here/out/zen-wasi" && npm pack --loglevel=error "@gorules/zen-engine-wasm32-wasi${zen_wasi:+@$zen_wasi}" >/dev/null 2>&1 \
  || npm pack --loglevel=error @gorules/zen-engine-wasm32-wasi >/dev/null 2>&1) && (cd "$here/out/zen-wasi" && tar xzf ./*.tgz) \
  || echo "zen wasm32-wasi: could not be fetched; size not measured"

echo "== inputs, peer rules, browser bundles, sizes"
(cd "$here" && node lib/prepare.mjs "$N") || exit 2

echo "== Chromium"
(cd "$here" && node lib/browser-bench.mjs) || status=1
echo "== Node"
(cd "$here" && node lib/node-bench.mjs) || status=1
echo "== native (criterion; bench/peers/native)"
(cd "$here/native" && cargo bench -q --bench peers 2>&1 | grep -v '^\s*$' | grep -v 'Warning: Unable to complete' ) ; [ "${PIPESTATUS[0]}" = 0 ] || status=1
end=$(date +%s)
node -e "require('fs').writeFileSync('$here/out/run.json', JSON.stringify({seconds: $end - $start, load_start: '$load_start', load_end: require('fs').readFileSync('/proc/loadavg','utf8').split(' ').slice(0,3).join(' '), date: new Date().toISOString().slice(0,10), wasm_built: $wasm_built}))"
(cd "$here" && node lib/report.mjs) || status=1
echo "== done in $((end - start)) s, status $status"
exit $status
