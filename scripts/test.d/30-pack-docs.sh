#!/usr/bin/env bash
# docs/packs/*.md must be what `hegui doc` generates from the packs now: regenerate them into a
# temporary folder and compare file by file. Prints `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! bash scripts/gen-pack-docs.sh "$tmp" >/dev/null; then
  echo "gen-pack-docs.sh failed"
  echo "0 passed, 1 failed"
  exit 1
fi
passed=0; failed=0
for f in "$tmp"/*.md; do
  name=$(basename "$f")
  if diff -u "docs/packs/$name" "$f" >/dev/null 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL docs/packs/$name differs from the pack (run scripts/gen-pack-docs.sh)"
  fi
done
for f in docs/packs/*.md; do
  [ -e "$f" ] || continue
  if [ ! -e "$tmp/$(basename "$f")" ]; then
    failed=$((failed + 1))
    echo "FAIL $f has no pack any more"
  fi
done
# Also what git sees, for committed pages.
if ! git diff --exit-code --quiet -- docs/packs 2>/dev/null; then
  echo "note: docs/packs has uncommitted changes"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
