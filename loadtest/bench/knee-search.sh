#!/usr/bin/env bash
# A whole knee search in one command, one table at the end (also OUTDIR/table.md): a fresh stack
# (stack.sh), a warm-up level for the gateway's JIT, then each level as one load generator run
# whose first WARMUP seconds are not recorded (--warmup), on the same gateway.
#   knee-search.sh OUTDIR "GW_CPUS" "WORKER_CPUS" "LOADGEN_CPUS" binary:100,200,400 json:100,200
#   knee-search.sh table DIR...      the table of level directories written before
# CPU lists as for knee.sh (taskset -c; "" = unpinned). Environment:
#   MEASURE        recorded seconds per level (default 30)
#   WARMUP         seconds of each level that are not recorded (default 20; the ramp is inside)
#   RAMP           the sessions start over this time (default 5s)
#   STACK_WARMUP   seconds of a first level at 200 JSON sessions, not in the table (default 60;
#                  0: none)
#   LOADTEST_ARGS  added to every level, e.g. "--continuous --clients 2"
# and stack.sh's (BENCH_BASE, GW_JAVA_OPTS, LG_JAVA_OPTS, GW_ROOT, JAVA). Runs where Java is not
# installed with a runtime made by jlink-bundle.sh (voicegw finds ./runtime, or set JAVA).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# One markdown row per level directory (summary.json and stack.sh's gateway.txt). CPU per frame
# is over the recorded part: the gateway's from /proc between the harness' "warm-up over" line and
# its exit, the harness' own process CPU time; both divided by the frames the harness received.
table() {
  echo "| level | sessions | underruns / frames | lateness p50 / p99 / max, ms | jitter p99, ms | first audio p99, ms | lost | errors | gateway CPU µs/frame | harness CPU µs/frame (clients) | gateway send interval p50 / p99, ms |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  local d gw
  for d in "$@"; do
    [[ -f "$d/summary.json" && -f "$d/gateway.txt" ]] || continue
    gw=$(awk '/^cpu_s/ {print $3}' "$d/gateway.txt")
    jq -r --arg gw "$gw" --arg level "$(basename "$d")" '
      def r: if . == null then "–" else (. * 10 | round / 10 | tostring) end;
      "| \($level) | \(.sessions) | \(.playout.underruns) / \(.playout.frames)"
      + " | \(.lateness_ms.p50|r) / \(.lateness_ms.p99|r) / \(.lateness_ms.max|r)"
      + " | \(.jitter_ms.p99|r) | \(.first_audio_ms.p99|r) | \(.frames_lost) | \(.errors)"
      + " | \(if .frames_received > 0 and $gw != "" then ($gw | tonumber) * 1e6 / .frames_received | round | tostring else "–" end)"
      + " | \(.harness.cpu_us_per_frame | if . == null then "–" else round | tostring end) (\(.harness.clients))"
      + " | \(.gateway.send_interval_ms.p50|r) / \(.gateway.send_interval_ms.p99|r) |"' "$d/summary.json"
  done
}

if [[ ${1:-} == table ]]; then
  shift
  table "$@"
  exit 0
fi
if [[ $# -lt 5 ]]; then
  sed -n 2,16p "$0" >&2
  exit 2
fi
out=$1 gw=$2 wk=$3 lg=$4; shift 4
MEASURE=${MEASURE:-30} WARMUP=${WARMUP:-20} RAMP=${RAMP:-5s} STACK_WARMUP=${STACK_WARMUP:-60}
mkdir -p "$out"
# stop whatever started, also when the start fails
trap '"$HERE/stack.sh" stop' EXIT
"$HERE/stack.sh" start "$gw" "$wk" >/dev/null
if (( STACK_WARMUP > 0 )); then
  echo "$(date +%T) stack warm-up: 200 json sessions, ${STACK_WARMUP}s" >&2
  "$HERE/stack.sh" level 200 json "$out/warm" "$lg" "${STACK_WARMUP}s" 10s >/dev/null
fi
dirs=()
for spec in "$@"; do
  t=${spec%%:*}
  for n in $(echo "${spec#*:}" | tr , ' '); do
    echo "$(date +%T) $t $n: ${WARMUP}s warm-up, ${MEASURE}s recorded (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    "$HERE/stack.sh" level "$n" "$t" "$out/$t-$n" "$lg" "$((WARMUP + MEASURE))s" "$RAMP" \
      "${WARMUP}s" >/dev/null
    dirs+=("$out/$t-$n")
  done
done
table "${dirs[@]}" | tee "$out/table.md"
