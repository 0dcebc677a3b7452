#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test hegui. Idempotent: each step checks first.
# Steps live in scripts/setup.d/, run in name order.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== setup: $(basename "$step")"
  bash "$step"
done
