#!/usr/bin/env bash
# Regenerates docs/packs/<pack id>.md from every pack under rules/ with `hegui doc`.
# Usage: scripts/gen-pack-docs.sh [OUT_DIR]   (default docs/packs)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
out="${1:-docs/packs}"
cargo build --quiet --locked -p hegui
bin=target/debug/hegui
mkdir -p "$out"
rm -f "$out"/*.md
find rules -name pack.toml -not -path '*/tests/*' | LC_ALL=C sort | while read -r manifest; do
  dir=$(dirname "$manifest")
  id=$(sed -n 's/^id *= *"\(.*\)"/\1/p' "$manifest" | head -n1)
  "$bin" doc --pack "$dir" --output "$out/$id.md"
  echo "$out/$id.md"
done
