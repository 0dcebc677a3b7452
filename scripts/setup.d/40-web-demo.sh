#!/usr/bin/env bash
# The web demo's test tools (web-demo/): node, npm and chromium come from 20-wasm.sh; here
#   - web-demo/node_modules from web-demo/package-lock.json (playwright-core, axe-core; no browser
#     download), skipped when the installed versions already match the lock file;
#   - a CJK font (fonts-wqy-microhei, apt) so that headless Chromium's screenshots show Chinese
#     text instead of empty boxes (a desktop browser has its own fonts; only the tests need it).
# Idempotent: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/../.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "40-web-demo: need root (or sudo) for: $*" >&2; return 1; fi
}

# 1. A Chinese font for the screenshots.
if ! fc-list :lang=zh family 2>/dev/null | grep -q .; then
  echo "40-web-demo: installing fonts-wqy-microhei with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y --no-install-recommends fonts-wqy-microhei fontconfig ||
    { as_root apt-get update && as_root apt-get install -y --no-install-recommends fonts-wqy-microhei fontconfig; }
fi

# 2. Node dev dependencies of the browser tests, from the committed lock file.
installed() {
  node -e '
    const lock = require("./web-demo/package-lock.json").packages;
    for (const name of ["playwright-core", "axe-core"]) {
      let have = "";
      try { have = require(`./web-demo/node_modules/${name}/package.json`).version } catch {}
      if (have !== lock[`node_modules/${name}`].version) process.exit(1);
    }'
}
if ! installed; then
  (cd web-demo && npm ci --no-audit --no-fund)
fi
echo "40-web-demo: $(fc-list :lang=zh family | head -1 | cut -d, -f1), node_modules of web-demo/ in place"
