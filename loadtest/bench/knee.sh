#!/usr/bin/env bash
# One knee-search pass on a fresh stack (stack.sh): a 60 s warm-up at 200 JSON sessions (JIT:
# a fresh gateway's C2 compiler still takes a third of its CPU in its third minute), then each
# level for DURATION (ramp 5 s), one gateway for all levels. One tab-separated line per level.
#   knee.sh OUTDIR "GW_CPUS" "WORKER_CPUS" "LOADGEN_CPUS" json:200,300 binary:300,600 ...
# e.g. knee.sh /tmp/k1 0 1 1 json:200,300,400 binary:300,400,600   (empty string: unpinned)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out=$1 gw=$2 wk=$3 lg=$4; shift 4
DURATION=${DURATION:-30s}
mkdir -p "$out"
# stop whatever started, also when the start fails
trap '"$HERE/stack.sh" stop' EXIT
"$HERE/stack.sh" start "$gw" "$wk" >/dev/null
"$HERE/stack.sh" level 200 json "$out/warm" "$lg" 60s 10s >/dev/null
for spec in "$@"; do
  t=${spec%%:*}
  for n in $(echo "${spec#*:}" | tr , ' '); do
    echo -e "$(date +%T)\tload $(cut -d' ' -f1 /proc/loadavg)\t$("$HERE/stack.sh" level "$n" "$t" "$out/$t-$n" "$lg" "$DURATION" 5s)"
  done
done
