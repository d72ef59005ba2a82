#!/usr/bin/env bash
# A markdown row per level directory written by stack.sh level: whole-run jitter, the steady part
# (the highest p99 of the 5 s windows that start at 10 s or later and end by the last full one),
# first audio, frames, lost, CPU per process (cores, over the level) and the gateway-added first
# audio p99 from the gateway's histogram.
#   table.sh SECONDS DIR...
set -euo pipefail
secs=$1; shift
for d in "$@"; do
  s="$d/summary.json"; [[ -f $s ]] || continue
  read -r gw wk lg < <(awk '/^cpu_s/ {print $3, $5, $7}' "$d/gateway.txt")
  added=$(awk '/first_audio_gateway/ {print $5}' "$d/gateway.txt")
  barge=$(awk '/barge_in/ {print $5}' "$d/gateway.txt")
  jq -r --arg secs "$secs" --arg gw "$gw" --arg wk "$wk" --arg lg "$lg" --arg added "$added" --arg barge "$barge" '
    def r: if . == null then "–" else (. * 10 | round / 10 | tostring) end;
    def c(x): if x == "-" then "–" else ((x | tonumber) / ($secs | tonumber) * 100 | round | tostring) + " %" end;
    ([.windows[] | select(.start_s >= 10 and .end_s <= (.end_s | floor) and .utterances > 0) | .jitter_p99_ms] | max) as $steady |
    "| \(.transport) | \(.sessions) | \(.jitter_ms.p50|r) / \(.jitter_ms.p99|r) / \(.jitter_ms.max|r) | \($steady|r) | \(.first_audio_ms.p50|r) / \(.first_audio_ms.p99|r) | \(.frames_received) | \(.frames_lost) | \(c($gw)) / \(c($wk)) / \(c($lg)) | \($added|tonumber|r) |"' "$s"
done
