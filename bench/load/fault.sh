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
# server runs under /usr/bin/time -v (max RSS). Prints a summary at the end: per phase, wrk's
# figures and where the CPU went (server, wrk, fault clients, other processes); the hostile
# answers by status; how the slow clients ended; RSS per phase. Files in $OUT.
# To isolate one kind of fault: fault_clients.py faults --cases NAME,... / --slow 0 (see --help).
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
rm -f "$OUT"/wrk-*.txt "$OUT"/wrk-*.cpu "$OUT"/faults.* "$OUT/cpu.tsv" "$OUT/phases.tsv" \
  "$OUT/rss.tsv"

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
  [ -n "$faults_pid" ] && pkill -TERM -P "$faults_pid" 2>/dev/null || true
  [ -z "$server_pid" ] && pkill -TERM -P "$time_pid" 2>/dev/null || true
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

# CPU ticks of the whole machine (/proc/stat): "busy idle total" (busy includes interrupts,
# which the kernel also charges to the process they interrupted); and of the server alone.
machine_ticks() {
  awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $5+$6, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat
}
server_ticks() { awk '{print $14+$15}' "/proc/$server_pid/stat" 2>/dev/null || echo 0; }

# phase NAME SECONDS: honest wrk load; output in $OUT/wrk-NAME.txt, wrk's CPU seconds in
# wrk-NAME.cpu, times in phases.tsv, CPU ticks in cpu.tsv.
phase() {
  local name=$1 seconds=$2 start m0 m1 s0 s1
  start=$(date +%s.%N)
  read -r -a m0 < <(machine_ticks)
  s0=$(server_ticks)
  echo "== phase $name: wrk POST /v1/verify, $CONNS connections, $THREADS threads, ${seconds}s"
  BODY="$OUT/verify.json" /usr/bin/time -f '%U %S' -o "$OUT/wrk-$name.cpu" \
    wrk -t"$THREADS" -c"$CONNS" -d"${seconds}s" --latency \
    -s bench/load/verify.lua "http://127.0.0.1:$PORT/v1/verify" | tee "$OUT/wrk-$name.txt" ||
    failed+=("phase $name: wrk failed (the server down?)")
  read -r -a m1 < <(machine_ticks)
  s1=$(server_ticks)
  [ "$s1" -gt 0 ] || s0=$((s1 + 1))  # the server is gone: no CPU figures
  echo "$name $start $(date +%s.%N)" >>"$OUT/phases.tsv"
  echo "$name $((m1[0] - m0[0])) $((m1[1] - m0[1])) $((m1[2] - m0[2])) $((s1 - s0))" >>"$OUT/cpu.tsv"
  alive "$name" || true
}

# cpu_line NAME: where the CPU went in phase NAME, in cores. The fault clients' CPU time is
# counted in phase B, where they run (they end up to 2 s after it); "other processes" is the
# rest of the busy time: near 0 on an otherwise idle machine.
cpu_line() {
  local name=$1 faults=0
  [[ $name == B-* ]] && faults=$(tail -1 "$OUT/faults.cpu" | awk '{print $1 + $2}')
  awk -v name="$name" -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" -v faults="$faults" \
    -v wrk="$(tail -1 "$OUT/wrk-$name.cpu" | awk '{print $1 + $2}')" '
    $1 == name && $5 < 0 { printf "CPU %s: the server was gone at the end of the phase\n", name }
    $1 == name && $5 >= 0 {
      per_core = $4 / n  # elapsed ticks
      server = $5 / per_core; w = wrk * hz / per_core; f = faults * hz / per_core
      printf "CPU %s (cores of %d): server %.2f, wrk %.2f, fault clients %.2f, other processes %.2f, idle %.2f\n",
        name, n, server, w, f, $2 / per_core - server - w - f, $3 / per_core
    }' "$OUT/cpu.tsv"
}

phase A-baseline "$BASE"

/usr/bin/time -f '%U %S' -o "$OUT/faults.cpu" \
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
  counts=$(grep '^requests:' "$f") || { echo "$name: no figures from wrk"; continue; }
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
for name in $(awk '{print $1}' "$OUT/phases.tsv"); do cpu_line "$name"; done
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
