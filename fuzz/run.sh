#!/usr/bin/env bash
# Runs one fuzz target for a set time: bash fuzz/run.sh TARGET SECONDS
# Targets: pack_sources, bundle_json, evaluate_input, verify_request (fuzz/fuzz_targets/).
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Starts from the
# committed seeds (fuzz/corpus/TARGET/seed-*); what libFuzzer adds there is git-ignored.
# A crash is written to fuzz/artifacts/TARGET/ and the script exits non-zero.
# Not part of scripts/test.sh: fuzzing is run by hand (docs/RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
target=${1:?usage: fuzz/run.sh TARGET SECONDS}
seconds=${2:-60}
mkdir -p "corpus/$target"
# -timeout: one input over 10 s is a hang; -rss_limit_mb: memory per input; -max_len: packs
# and documents are bigger than libFuzzer's 4 KiB default.
exec cargo +nightly fuzz run "$target" "corpus/$target" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1
