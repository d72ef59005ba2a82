#!/usr/bin/env bash
# The benchmark stack of docs/BENCHMARKS.md ("Capacity on one 2-core machine"): Redis, one
# mock-440hz worker and one gateway on free-standing ports, optionally pinned with taskset.
#   stack.sh start [GW_CPUS] [WORKER_CPUS]   e.g. start 0 1   (empty: unpinned)
#   stack.sh stop
#   stack.sh heap                            gateway live heap (full GC, class histogram), bytes
#   stack.sh level N json|binary DIR [LOADGEN_CPUS] [DURATION] [RAMP] [WARMUP]
#                                            one loadtest level (DURATION includes WARMUP, which
#                                            is passed as --warmup); also writes DIR/gateway.txt
#                                            with the CPU seconds of gateway and worker and the
#                                            gateway histograms' p50/p99, both over the recorded
#                                            part (from the harness' "warm-up over" line)
# Ports: BENCH_BASE (default 8540): gateway WS BASE, health BASE+1, management BASE+2,
# cluster BASE-900, worker BASE-800, Redis BASE-2140. JVM flags: GW_JAVA_OPTS for the gateway,
# LG_JAVA_OPTS for the load generator (its own GC pauses show up as client jitter); LOADTEST_ARGS
# are added to each level's loadtest command (e.g. "--barge-in 0.2"); GW_ROOT runs the
# gateway of another build (a copy of its voicegw and gateway/target), for before/after runs.
# JAVA (or JAVA_HOME) chooses the JVM, as for voicegw; a bundle's runtime/ is found by voicegw.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE=${BENCH_BASE:-8540}
WS=$BASE; HEALTH=$((BASE + 1)); MGMT=$((BASE + 2)); CLUSTER=$((BASE - 900))
WORKER=$((BASE - 800)); REDIS=$((BASE - 2140))
STATE=${BENCH_STATE:-/tmp/voicegw-bench-$BASE}
mkdir -p "$STATE"

pin() { if [[ -n "$1" ]]; then echo "taskset -c $1"; fi; }

# a JDK tool (jcmd) beside the JVM voicegw runs: $JAVA's, a bundled runtime's, $JAVA_HOME's, or PATH's
jdk_tool() {
  local d
  for d in "$(dirname "${JAVA:-/nonexistent/java}")" "$ROOT/runtime/bin" "${JAVA_HOME:-/nonexistent}/bin"; do
    if [[ -x "$d/$1" ]]; then echo "$d/$1"; return; fi
  done
  echo "$1"
}

start() {
  local gwcpu=${1:-} wcpu=${2:-}
  redis-server --port "$REDIS" --save '' --notify-keyspace-events KEA --daemonize yes \
    --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log"
  export REDIS_URL=redis://127.0.0.1:$REDIS
  $(pin "$wcpu") "$ROOT/voicegw" worker --model mock-440hz --models mock-440hz --port "$WORKER" \
    --host 127.0.0.1 --advertise-host 127.0.0.1 --name "bench-$WORKER" --max-sessions 5000 \
    >"$STATE/worker.log" 2>&1 &
  echo $! >"$STATE/worker.pid"
  sleep 3
  GATEWAY_WS_PORT=$WS GATEWAY_HEALTH_PORT=$HEALTH GATEWAY_MANAGEMENT_PORT=$MGMT \
    GATEWAY_CLUSTER_PORT=$CLUSTER VOICEGW_LOG_LEVEL=WARN JAVA_OPTS="${GW_JAVA_OPTS:-}" \
    $(pin "$gwcpu") "${GW_ROOT:-$ROOT}/voicegw" gateway >"$STATE/gateway.log" 2>&1 &
  echo $! >"$STATE/gateway.pid"
  for _ in $(seq 60); do
    curl -fs "http://127.0.0.1:$HEALTH/readiness" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -fs "http://127.0.0.1:$HEALTH/readiness" >/dev/null
  echo "stack up: gateway pid $(cat "$STATE/gateway.pid") ws://127.0.0.1:$WS/"
}

stop() {
  for p in gateway worker; do
    if [[ -f "$STATE/$p.pid" ]]; then
      kill "$(cat "$STATE/$p.pid")" 2>/dev/null || true
      rm -f "$STATE/$p.pid"
    fi
  done
  sleep 3
  if [[ -f "$STATE/redis.pid" ]]; then
    local rp; rp=$(cat "$STATE/redis.pid")
    kill "$rp" 2>/dev/null || true
    while kill -0 "$rp" 2>/dev/null; do sleep 0.2; done
    rm -f "$STATE/redis.pid"
  fi
}

# histogram_quantile over the difference of two scrapes: quantile FILE_BEFORE FILE_AFTER NAME Q
# CPU seconds (user + system) a process has used so far
cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }

quantile() {
  awk -v name="$3_bucket" -v q="$4" '
    FNR == 1 { f++ }
    index($0, name "{") == 1 {
      match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5)
      v = $NF; if (f == 1) b[le] = v; else a[le] = v - b[le]
      if (f == 2 && !(le in seen)) { seen[le] = 1; n++; les[n] = le }
    }
    END {
      for (i = 1; i <= n; i++) if (les[i] == "+Inf") total = a[les[i]]
      if (total <= 0) { print "NaN"; exit }
      rank = q * total; prevle = 0; prevc = 0
      # buckets come in ascending order of le
      for (i = 1; i <= n; i++) {
        le = les[i]; c = a[le]
        if (c >= rank) {
          if (le == "+Inf") { print prevle * 1e3; exit }
          print (prevle + (le - prevle) * (rank - prevc) / (c - prevc)) * 1e3; exit
        }
        prevle = le + 0; prevc = c
      }
    }' "$1" "$2"
}

level() {
  local n=$1 transport=$2 dir=$3 lcpu=${4:-} duration=${5:-40s} ramp=${6:-10s} warmup=${7:-0}
  mkdir -p "$dir"
  local flag=""; [[ "$transport" == binary ]] && flag=--binary
  local gwpid wpid gw0 w0; gwpid=$(cat "$STATE/gateway.pid"); wpid=$(cat "$STATE/worker.pid")
  : >"$dir/loadtest.log"
  JAVA_OPTS="${LG_JAVA_OPTS:-}" /usr/bin/time -f "loadgen_cpu_s %U %S" -o "$dir/loadgen-cpu.txt" \
    $(pin "$lcpu") "$ROOT/voicegw" loadtest --url "ws://127.0.0.1:$WS/" --sessions "$n" \
    --duration "$duration" --ramp "$ramp" --warmup "$warmup" $flag ${LOADTEST_ARGS:-} \
    --out "$dir" >>"$dir/loadtest.log" 2>&1 &
  local lt=$!
  # the recorded part begins when the harness says its warm-up is over (at once without one)
  if [[ ! $warmup =~ ^0+(\.0*)?(ms|s|m)?$ ]]; then
    while kill -0 "$lt" 2>/dev/null && ! grep -q '^loadtest: warm-up over' "$dir/loadtest.log"; do
      sleep 0.2
    done
  fi
  curl -fs "http://127.0.0.1:$HEALTH/metrics" >"$dir/metrics-before.txt"
  gw0=$(cpu_s "$gwpid"); w0=$(cpu_s "$wpid")
  wait "$lt" || true
  curl -fs "http://127.0.0.1:$HEALTH/metrics" >"$dir/metrics-after.txt"
  {
    echo "cpu_s gateway $(echo "$(cpu_s "$gwpid") - $gw0" | bc) worker $(echo "$(cpu_s "$wpid") - $w0" | bc) loadgen $(awk '{print $2 + $3}' "$dir/loadgen-cpu.txt")"
    for m in voicegw_first_audio_gateway_latency_seconds voicegw_barge_in_latency_seconds \
        voicegw_frame_send_interval_seconds; do
      echo "$m p50 $(quantile "$dir/metrics-before.txt" "$dir/metrics-after.txt" $m 0.5) p99 $(quantile "$dir/metrics-before.txt" "$dir/metrics-after.txt" $m 0.99)"
    done
  } >"$dir/gateway.txt"
  jq -r --arg t "$transport" '[$t, .sessions, (.jitter_ms.p50|tostring), (.jitter_ms.p99|tostring),
      (.jitter_ms.max|tostring), (.first_audio_ms.p50|tostring), (.first_audio_ms.p99|tostring),
      (.barge_in_ms.p99|tostring), .frames_received, .frames_lost, .frames_out_of_order, .errors,
      (.gateway.cpu_mean|tostring), (.gateway.cpu_max|tostring), (.gateway.heap_max_mb|tostring)] | @tsv' \
    "$dir/summary.json" | tr '\n' '\t'
  tr '\n' ' ' <"$dir/gateway.txt"; echo
}

# live heap (bytes) of the gateway: jcmd GC.class_histogram runs a full GC and counts what is
# still reachable. (GC.heap_info's "used" read a moment after a GC.run also counts what the
# node allocated since, ~80 MB a second with 400 sessions speaking.)
heap() {
  "$(jdk_tool jcmd)" "$(cat "$STATE/gateway.pid")" GC.class_histogram | awk '/^Total/ {print $3}'
}

cmd=${1:-}; shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  level) level "$@" ;;
  heap) heap ;;
  *) sed -n 2,10p "$0"; exit 2 ;;
esac
