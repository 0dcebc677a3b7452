#!/usr/bin/env bash
# Runs every test of hegui: set-up first, then each suite in scripts/test.d/ in name order.
# Ends with one line `N passed, N failed` summing the suites.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
passed=0; failed=0; suites_failed=()
for suite in scripts/test.d/*.sh; do
  [ -e "$suite" ] || continue
  name=$(basename "$suite" .sh)
  echo "== test: $name"
  log=$(mktemp)
  if bash "$suite" 2>&1 | tee "$log"; then status=0; else status=1; fi
  # Each suite prints `N passed, N failed` lines (cargo test prints `test result: ok. N passed; N failed`).
  p=$(grep -Eo '([0-9]+) passed[;,] ([0-9]+) failed' "$log" | awk '{p+=$1} END {print p+0}')
  f=$(grep -Eo '([0-9]+) passed[;,] ([0-9]+) failed' "$log" | awk '{f+=$3} END {print f+0}')
  rm -f "$log"
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$status" -ne 0 ]; then suites_failed+=("$name"); fi
done
if [ "${#suites_failed[@]}" -gt 0 ]; then
  echo "failed suites: ${suites_failed[*]}"
  [ "$failed" -gt 0 ] || failed=${#suites_failed[@]}
fi
echo "$passed passed, $failed failed"
[ "${#suites_failed[@]}" -eq 0 ]
