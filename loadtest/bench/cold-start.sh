#!/usr/bin/env bash
# First audio of the first utterances a fresh gateway, or a fresh worker, serves
# (docs/BENCHMARKS.md, "No cold first utterance"). Starts Redis, a mock-440hz worker and a
# long-running "warm" gateway; then for each rep and each variant (alternating, so the machine's
# drift hits all alike): a client JVM (ColdStartBench) warms itself on the warm gateway, then a
# fresh gateway (TARGET=gateway) or a fresh worker behind the warm gateway (TARGET=worker) is
# started with the variant's flags and waited for (/readiness; the worker: registered and seen),
# then UTTERANCES new sessions are measured one after another (each a new user, one text).
#   [TARGET=gateway|worker] cold-start.sh OUTDIR REPS UTTERANCES LABEL=JAVA_OPTS ...
# e.g. cold-start.sh /tmp/c 3 10 off=-Dvoicegw.gateway.warm-up.utterances=0 on=
#      TARGET=worker cold-start.sh /tmp/w 3 10 off=-Dvoicegw.worker.warm-up-utterances=0 on=
# Ports from BENCH_BASE (default 9540): warm gateway BASE..BASE+2, fresh BASE+10..BASE+12,
# clusters BASE-900 / BASE-890, workers BASE-800 / BASE-799, Redis BASE-2140.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BASE=${BENCH_BASE:-9540}
REDIS=$((BASE - 2140))
export REDIS_URL=redis://127.0.0.1:$REDIS

# worker PORT OUT JAVA_OPTS: starts a worker, its pid in OUT/worker.pid
worker() {
  JAVA_OPTS="$3" "$ROOT/voicegw" worker --model mock-440hz --models mock-440hz --port "$1" \
    --host 127.0.0.1 --advertise-host 127.0.0.1 --name "cold-$1" >>"$2/worker-$1.log" 2>&1 &
  echo $! >"$2/worker.pid"
}
# gateway WS_PORT OUT JAVA_OPTS: starts a gateway (health WS+1, management WS+2, cluster WS-900)
gateway() {
  GATEWAY_WS_PORT=$1 GATEWAY_HEALTH_PORT=$(($1 + 1)) GATEWAY_MANAGEMENT_PORT=$(($1 + 2)) \
    GATEWAY_CLUSTER_PORT=$(($1 - 900)) VOICEGW_LOG_LEVEL=WARN JAVA_OPTS="$3" \
    "$ROOT/voicegw" gateway >>"$2/gateway-$1.log" 2>&1 &
  echo $! >"$2/gateway-$1.pid"
}
# until TIMEOUT_S COMMAND...: runs COMMAND every 0.1 s until it succeeds
until_ok() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "timed out: $*" >&2; return 1; }
    sleep 0.1
  done
}
ready() { curl -fs "http://127.0.0.1:$(($1 + 1))/readiness"; }
# the warm gateway sees exactly one healthy worker, and it is the one on PORT
sees_worker() {
  curl -fs "http://127.0.0.1:$((BASE + 1))/health" | jq -e '.workers.healthy == 1' &&
    curl -fs "http://127.0.0.1:$((BASE + 2))/workers" | grep -q "127.0.0.1:$1\""
}
stop_pid() { local p; p=$(cat "$1"); kill "$p" 2>/dev/null || true; while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; }

case "${1:-}" in
  # internal steps, run by ColdStartBench --before
  __fresh-gateway) # OUT JAVA_OPTS
    t0=$(date +%s.%N); gateway $((BASE + 10)) "$2" "$3"; until_ok 120 ready $((BASE + 10))
    echo "# fresh gateway ready after $(echo "$(date +%s.%N) - $t0" | bc) s" >&2; exit 0 ;;
  __fresh-worker) # OUT JAVA_OPTS: replaces the worker with a fresh one on the other port
    old=$(cat "$2/worker.port"); new=$((old == BASE - 800 ? BASE - 799 : BASE - 800))
    stop_pid "$2/worker.pid"
    t0=$(date +%s.%N); worker "$new" "$2" "$3"; echo "$new" >"$2/worker.port"
    until_ok 120 sees_worker "$new"
    echo "# fresh worker seen after $(echo "$(date +%s.%N) - $t0" | bc) s" >&2; exit 0 ;;
esac

out=$1 reps=$2 utterances=$3; shift 3
TARGET=${TARGET:-gateway}
mkdir -p "$out"; out=$(cd "$out" && pwd)
cleanup() {
  for f in "$out"/*.pid; do kill "$(cat "$f")" 2>/dev/null || true; done
  for f in "$out"/*.pid; do  # gone before the next run takes the ports again
    for _ in $(seq 200); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
  done
  redis-cli -p "$REDIS" shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT
redis-server --port "$REDIS" --save '' --notify-keyspace-events KEA --daemonize yes \
  --logfile "$out/redis.log"
worker $((BASE - 800)) "$out" ""; echo $((BASE - 800)) >"$out/worker.port"
gateway "$BASE" "$out" ""
until_ok 120 ready "$BASE"

(cd "$ROOT" && mvn -B -q -o -pl gateway dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" \
  -Dmdep.includeScope=test >/dev/null)
# CLASSPATH, not -cp: ONNX Runtime and a long command line (BENCHMARKS, "Listening", findings)
export CLASSPATH="$ROOT/gateway/target/test-classes:$ROOT/gateway/target/classes:$(cat "$out/cp.txt")"

for rep in $(seq "$reps"); do
  for variant in "$@"; do
    label=${variant%%=*} opts=${variant#*=}
    if [[ $TARGET == gateway ]]; then
      url="ws://127.0.0.1:$((BASE + 10))/"; before="'$HERE/cold-start.sh' __fresh-gateway '$out' '$opts'"
    else
      url="ws://127.0.0.1:$BASE/"; before="'$HERE/cold-start.sh' __fresh-worker '$out' '$opts'"
    fi
    java io.voicegateway.gateway.bench.ColdStartBench --url "$url" \
      --warm-url "ws://127.0.0.1:$BASE/" --warmup "${WARMUP:-40}" --before "$before" \
      --utterances "$utterances" --label "$label" | tee -a "$out/first-audio.tsv"
    if [[ $TARGET == gateway ]]; then stop_pid "$out/gateway-$((BASE + 10)).pid"; fi
  done
done
# per variant: first audio p50 / p99 / max over all its utterances, and each first utterance
for variant in "$@"; do
  label=${variant%%=*}
  awk -F'\t' -v l="$label" '$1 == l {print $4}' "$out/first-audio.tsv" | sort -g | awk -v l="$label" '
    {v[NR] = $1} END { i99 = int(NR * 0.99 + 0.999); printf "%s: %d utterances, first audio p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", l, NR, v[int((NR + 1) / 2)], v[i99], v[NR] }'
  awk -F'\t' -v l="$label" -v t="$TARGET" '$1 == l && $2 == 0 {s = s " " $4} END {print l ": first utterance of each fresh " t " (ms):" s}' "$out/first-audio.tsv"
done
