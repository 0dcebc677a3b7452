#!/usr/bin/env bash
# Size budget of the browser engine: the .wasm plus its JS glue, gzip -9, in bytes.
# TARGET is the goal (SPEC: 200 KB); BUDGET is the ratchet CI enforces so the package cannot grow
# unnoticed. Lower BUDGET whenever the package shrinks (docs/wasm.md, "Size").
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=${1:-wasm/pkg}
TARGET=$((200 * 1024))
BUDGET=${HEGUI_WASM_GZIP_BUDGET:-$((228 * 1024))}
wasm=$(gzip -9c "$pkg/hegui_wasm_bg.wasm" | wc -c)
glue=$(cat "$pkg/hegui_wasm.js" "$pkg/index.js" "$pkg/bind-form.js" | gzip -9c | wc -c)
total=$((wasm + glue))
echo "size: wasm $(stat -c %s "$pkg/hegui_wasm_bg.wasm") bytes, gzip -9: wasm $wasm + JS $glue = $total bytes ($((total / 1024)) KB); budget $((BUDGET / 1024)) KB, target $((TARGET / 1024)) KB"
if [ "$total" -gt "$TARGET" ]; then
  echo "size: above the $((TARGET / 1024)) KB target (see docs/wasm.md, Size, for what would bring it down)"
fi
if [ "$total" -gt "$BUDGET" ]; then
  echo "size: OVER BUDGET by $((total - BUDGET)) bytes"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "1 passed, 0 failed"
