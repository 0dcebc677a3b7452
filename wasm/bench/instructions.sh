#!/usr/bin/env bash
# Instructions one `engine.evaluate` executes in Node, counted by valgrind: a figure that does not
# move with the machine's load, unlike timings (docs/BENCHMARKS.md, "WASM").
#   bash wasm/bench/instructions.sh [PKG_DIR] [full|decisions|selected] [N]
# V8 runs every WebAssembly function in its optimising compiler from the start (--no-liftoff
# --no-wasm-tier-up) and on one thread (--single-threaded), so the code run is the same on every
# run. Two runs, 100 and 100 + N evaluations, are subtracted: what is left is N evaluations,
# without start-up, loading and compilation. Needs valgrind and a built package (wasm/build.sh)
# and cn.supervision's bundle (tests/out/bundles, built by the test run).
set -euo pipefail
cd "$(dirname "$0")/../.."
pkg=${1:-wasm/pkg}
mode=${2:-full}
n=${3:-1000}
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    node --no-liftoff --no-wasm-tier-up --single-threaded wasm/bench/instructions.mjs "$pkg" "$1" "$mode" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
base=$(count 100)
more=$(count $((100 + n)))
if [ -z "$base" ] || [ -z "$more" ]; then
  echo "instructions: valgrind gave no count (is valgrind installed, is the package built?)" >&2
  exit 1
fi
echo "$pkg, $mode: $(((more - base) / n)) instructions per evaluate (node $(node --version), N=$n)"
