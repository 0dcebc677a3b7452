#!/usr/bin/env bash
# Fault test of `hegui serve` under real load: honest POST /v1/verify load with wrk
# (bench/load/verify.lua: every answer that is not 200 "accepted" is an error) in three phases,
#   A  baseline   wrk alone                                   ($BASE s)
#   B  fault      wrk + bench/load/fault_clients.py faults    ($FAULT s): hostile requests in a
#                 loop, each on its own connection (2 MiB body, malformed JSON, 10,000-deep
#                 nesting, wrong types, a 10 MB string, unknown pack, stale digest, NaN/Infinity
#                 strings, duplicate keys, 2026-02-30, ...), and $SLOW slow clients trickling an
#                 honest body one byte every 50-100 ms (cut off by --timeout-ms)
#   C  recovery   wrk alone, as soon as the fault clients have exited ($RECOVER s)
# while the server's RSS is sampled every 0.5 s from /proc (fault_clients.py rss), and the
# server runs under /usr/bin/time -v (max RSS). Prints a summary at the end.
# Exit 1 when an honest request failed in any phase (not accepted, or a socket error), a hostile
# request got a 5xx other than 503 / an unexpected answer / no answer (oversized bodies apart),
# a slow client was not cut off with 503, the server died, or /healthz fails at the end.
#
# Usage: bench/load/fault.sh
# Env: PORT (18797), CONNS (64), THREADS (2), BASE (10), FAULT (30), RECOVER (10), SLOW (16),
#      HOSTILE (2 hostile client threads), TIMEOUT_MS (2000), RUST_LOG (warn),
#      OUT (target/bench-fault)
# Needs wrk (apt-get install -y wrk), python3, /usr/bin/time, curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-18797}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
BASE=${BASE:-10}
FAULT=${FAULT:-30}
RECOVER=${RECOVER:-10}
SLOW=${SLOW:-16}
HOSTILE=${HOSTILE:-2}
TIMEOUT_MS=${TIMEOUT_MS:-2000}
OUT=${OUT:-target/bench-fault}
export RUST_LOG=${RUST_LOG:-warn}
mkdir -p "$OUT"
rm -f "$OUT"/wrk-*.txt "$OUT/cpu.txt" "$OUT/phases.tsv" "$OUT/rss.tsv" "$OUT/faults.txt" "$OUT/faults.json"

cargo build --release -p hegui
BIN=target/release/hegui
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }
python3 bench/load/gen.py body --bin "$BIN" --out "$OUT/verify.json"

/usr/bin/time -v -o "$OUT/serve.time" "$BIN" serve --addr "127.0.0.1:$PORT" \
  --packs rules/cn/supervision --no-static --timeout-ms "$TIMEOUT_MS" 2>"$OUT/serve.log" &
time_pid=$!
server_pid=""
rss_pid=""
faults_pid=""
cleanup() {
  for pid in "$faults_pid" "$rss_pid" "$server_pid"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

healthz() { curl -sf --max-time 5 "http://127.0.0.1:$PORT/healthz" >/dev/null; }
for _ in $(seq 100); do
  healthz && break
  sleep 0.1
done
healthz || { echo "server did not start: see $OUT/serve.log" >&2; exit 1; }
server_pid=$(pgrep -P "$time_pid")
python3 bench/load/fault_clients.py rss --pid "$server_pid" --out "$OUT/rss.tsv" &
rss_pid=$!

failed=()
alive() {
  if ! kill -0 "$server_pid" 2>/dev/null; then
    failed+=("server died during phase $1")
    return 1
  fi
}

# CPU ticks: "busy total" of the whole machine (/proc/stat), and of the server alone.
machine_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
server_ticks() { awk '{print $14+$15}' "/proc/$server_pid/stat" 2>/dev/null || echo 0; }

# phase NAME SECONDS: honest wrk load; output in $OUT/wrk-NAME.txt, times in phases.tsv, CPU
# use in cpu.txt.
phase() {
  local name=$1 seconds=$2 start m0 m1 s0 s1
  start=$(date +%s.%N)
  read -r -a m0 < <(machine_ticks)
  s0=$(server_ticks)
  echo "== phase $name: wrk POST /v1/verify, $CONNS connections, $THREADS threads, ${seconds}s"
  BODY="$OUT/verify.json" wrk -t"$THREADS" -c"$CONNS" -d"${seconds}s" --latency \
    -s bench/load/verify.lua "http://127.0.0.1:$PORT/v1/verify" | tee "$OUT/wrk-$name.txt"
  read -r -a m1 < <(machine_ticks)
  s1=$(server_ticks)
  echo "$name $start $(date +%s.%N)" >>"$OUT/phases.tsv"
  # CPU in cores: machine busy, and the server's share (ticks over elapsed ticks per core).
  awk -v b="$((m1[0] - m0[0]))" -v t="$((m1[1] - m0[1]))" -v s="$((s1 - s0))" -v n="$(nproc)" \
    -v name="$name" 'BEGIN { printf "CPU %s: machine %.2f of %d cores busy, server %.2f cores\n",
      name, n * b / t, n, n * s / t }' >>"$OUT/cpu.txt"
  alive "$name" || true
}

phase A-baseline "$BASE"

python3 bench/load/fault_clients.py faults --port "$PORT" --body "$OUT/verify.json" \
  --duration "$FAULT" --slow "$SLOW" --hostile-threads "$HOSTILE" \
  --out "$OUT/faults.json" >"$OUT/faults.txt" &
faults_pid=$!
phase B-fault "$FAULT"
faults_rc=0
wait "$faults_pid" || faults_rc=$?
faults_pid=""
cat "$OUT/faults.txt"
[ "$faults_rc" = 0 ] || failed+=("fault clients: unexpected answers (exit $faults_rc), see $OUT/faults.txt")

phase C-recovery "$RECOVER"

if healthz; then health="ok"; else health="FAILED"; failed+=("/healthz failed at the end"); fi
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
kill -TERM "$rss_pid" 2>/dev/null || true
wait "$rss_pid" || true
rss_pid=""
kill -TERM "$server_pid" 2>/dev/null || true
wait "$time_pid" || true
server_pid=""

echo
echo "== summary (server: --timeout-ms $TIMEOUT_MS, default --max-body and --max-concurrency;" \
  "wrk -t$THREADS -c$CONNS; $(nproc) cores shared by server, wrk and fault clients)"
for f in "$OUT"/wrk-*.txt; do
  name=$(basename "$f" .txt)
  name=${name#wrk-}
  counts=$(grep '^requests:' "$f")
  rates=$(grep '^req/s:' "$f")
  requests=$(sed -E 's/^requests: ([0-9]+),.*/\1/' <<<"$counts")
  sockets=$(sed -E 's/.*timeout\): ([0-9]+)\/([0-9]+)\/([0-9]+)\/([0-9]+),.*/\1+\2+\3+\4/' <<<"$counts")
  sockets=$((sockets))
  bad=$(sed -E 's/.*not accepted: ([0-9]+).*/\1/' <<<"$counts")
  printf '%-11s %s; %s requests, %s not accepted, %s socket errors\n' \
    "$name" "$rates" "$requests" "$bad" "$sockets"
  [ $((bad + sockets)) = 0 ] || failed+=("phase $name: $bad honest requests not accepted, $sockets socket errors")
done
grep -E '^hostile requests sent|^slow clients|^  cut off|^problems' "$OUT/faults.txt" || true
cat "$OUT/cpu.txt"
python3 bench/load/fault_clients.py rss-report --rss "$OUT/rss.tsv" --phases "$OUT/phases.tsv"
echo "VmHWM before shutdown: $((hwm / 1024)) MiB; /usr/bin/time: $(grep 'Maximum resident set size' "$OUT/serve.time" | sed 's/^\s*//')"
echo "server exit after SIGTERM: $(grep -E 'Exit status|terminated by signal' "$OUT/serve.time" | sed 's/^\s*//')"
logged_503=$(grep -c 'Status code: 503' "$OUT/serve.log" || true)
logged_5xx=$(grep 'Status code: 5' "$OUT/serve.log" | grep -vc 'Status code: 503' || true)
panics=$(grep -ci 'panicked' "$OUT/serve.log" || true)
echo "/healthz at the end: $health; server log ($OUT/serve.log): $logged_503 answers 503," \
  "$logged_5xx other 5xx, $panics panics"
[ "$logged_5xx" = 0 ] || failed+=("the server logged $logged_5xx 5xx answers other than 503")
[ "$panics" = 0 ] || failed+=("the server logged $panics panics")
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "PASSED"
