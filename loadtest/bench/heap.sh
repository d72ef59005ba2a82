#!/usr/bin/env bash
# Gateway heap per session, live bytes after a full GC (stack.sh heap: jcmd GC.class_histogram), on a fresh
# stack (stack.sh): at 0 sessions after a warm-up, with N sessions connected and idle (each spoke
# once, --rate 0.1: the next text would come after 10 minutes), at 0 again, and with N sessions
# speaking back to back (--rate 600: the next text as soon as the last one ended).
#   heap.sh N OUTDIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$HERE/../.."
n=$1 out=$2
BASE=${BENCH_BASE:-8540}
mkdir -p "$out"
# stop whatever started, also when the start fails
trap '"$HERE/stack.sh" stop' EXIT
"$HERE/stack.sh" start >/dev/null
"$HERE/stack.sh" level 100 json "$out/warm" "" 30s 5s >/dev/null
sleep 5
h0=$("$HERE/stack.sh" heap)
for mode in idle speaking; do
  rate=0.1; [[ $mode == speaking ]] && rate=600
  "$ROOT/voicegw" loadtest --url "ws://127.0.0.1:$BASE/" --sessions "$n" --duration 60s \
    --ramp 10s --rate $rate --out "$out/$mode" >"$out/$mode.log" 2>&1 &
  lt=$!
  sleep 40
  h=$("$HERE/stack.sh" heap)
  active=$(curl -fs "http://127.0.0.1:$((BASE + 1))/metrics" | awk '/^voicegw_sessions_active/ {print $NF}')
  wait $lt || true
  sleep 5
  hz=$("$HERE/stack.sh" heap)
  echo -e "$mode\tsessions_active $active\theap_0 $h0\theap_n $h\tbytes_per_session $(( (h - h0) / n ))\theap_0_after $hz"
  h0=$hz
done
