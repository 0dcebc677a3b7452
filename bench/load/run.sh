#!/usr/bin/env bash
# Load test of `hegui serve` (POST /v1/verify with wrk) and of `hegui check` on a large file.
# Usage: bench/load/run.sh [server|check|all]   (default all)
# Env: DURATION (30s), CONNS (64), THREADS (1), WRK_NICE (5), PORT (18787), N (1000000), RUST_LOG (warn),
#      OUT (target/bench-load), DETAIL (full; `decisions`: the body claims the decisions-only
#      outcome and asks for a decisions-only answer, /v1/verify?detail=decisions; `portal`: the body
#      claims what the web demo sends, the pack, `complete` and the decisions, and gets the full
#      answer, as the demo does)
set -euo pipefail
cd "$(dirname "$0")/../.."
WHAT=${1:-all}
DURATION=${DURATION:-30s}
CONNS=${CONNS:-64}
# One wrk thread: on a 2-core machine wrk shares the cores with the server, and a second thread
# only takes CPU from it. One thread drives `GET /healthz` at about 48,000 req/s, so it is not
# what limits these runs (docs/BENCHMARKS.md, "Server").
THREADS=${THREADS:-1}
# wrk at a lower priority than the server: it stands in for clients on other machines, and on a
# shared 2-core machine the scheduler otherwise preempts server workers to run it, which shows
# up as server latency (docs/BENCHMARKS.md, "Server"). WRK_NICE=0 measures without it.
WRK_NICE=${WRK_NICE:-5}
PORT=${PORT:-18787}
N=${N:-1000000}
DETAIL=${DETAIL:-full}
OUT=${OUT:-target/bench-load}
export RUST_LOG=${RUST_LOG:-warn}
mkdir -p "$OUT"

cargo build --release -p hegui
BIN=target/release/hegui
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }

server() {
  python3 bench/load/gen.py body --bin "$BIN" --detail "$DETAIL" --out "$OUT/verify.json"
  /usr/bin/time -v -o "$OUT/serve.time" "$BIN" serve --addr "127.0.0.1:$PORT" \
    --packs rules/cn/supervision --no-static 2>"$OUT/serve.log" &
  local time_pid=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.1
  done
  local server_pid
  server_pid=$(pgrep -P "$time_pid")
  local answer=$DETAIL
  [ "$DETAIL" = portal ] && answer=full
  echo "== wrk: POST /v1/verify?detail=$answer (body: $DETAIL), $CONNS connections, $THREADS threads, $DURATION, nice $WRK_NICE (RUST_LOG=$RUST_LOG)"
  BODY="$OUT/verify.json" nice -n "$WRK_NICE" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency \
    -s bench/load/verify.lua "http://127.0.0.1:$PORT/v1/verify?detail=$answer" | tee "$OUT/wrk.txt"
  kill -TERM "$server_pid"
  wait "$time_pid" || true
  echo "== server: $(grep 'Maximum resident set size' "$OUT/serve.time")"
  # The steadier figure on a shared machine: the server's CPU time (user + system, start-up
  # included: about 50 ms) divided by the requests answered.
  awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { cpu += $2 }
    FILENAME ~ /wrk.txt$/ && /^requests: / { split($2, n, ","); requests = n[1] }
    END { if (requests > 0) printf "== server CPU per request: %.1f µs (%.1f s)\n", cpu * 1e6 / requests, cpu }' \
    "$OUT/serve.time" "$OUT/wrk.txt"
}

check() {
  echo "== generating $N submissions"
  python3 bench/load/gen.py jsonl --bin "$BIN" --n "$N" --out "$OUT/submissions.jsonl"
  ls -l "$OUT/submissions.jsonl"
  echo "== hegui check"
  /usr/bin/time -v -o "$OUT/check.time" "$BIN" check --pack rules/cn/supervision \
    --input "$OUT/submissions.jsonl" --output "$OUT/checked.jsonl" --quiet || true
  echo "== check: $(grep -E 'Maximum resident set size' "$OUT/check.time")"
  grep -E 'Elapsed|Percent of CPU' "$OUT/check.time"
  wc -l "$OUT/checked.jsonl"
}

case "$WHAT" in
  server) server ;;
  check) check ;;
  all) server; check ;;
  *) echo "usage: $0 [server|check|all]" >&2; exit 2 ;;
esac
