#!/usr/bin/env bash
# Inclusive share of JFR execution samples per part of the gateway: a sample counts for a part
# when any frame of its stack matches the part's pattern (so shares may add up to over 100 %).
#   jfr-breakdown.sh RECORDING.jfr
set -euo pipefail
jfr print --events jdk.ExecutionSample --stack-depth 64 "$1" | awk '
  BEGIN {
    n = split("materialization|PhasedFusingActorMaterializer|GraphStageIsland|Materializer.materialize|" \
      "grpc client call|io.grpc.|" \
      "netty (grpc)|io.grpc.netty|" \
      "base64|java.util.Base64|" \
      "json render (jackson)|com.fasterxml.jackson|" \
      "mdc interceptor|WithMdcBehaviorInterceptor|" \
      "actor timers|TimerSchedulerImpl|" \
      "scheduler|LightArrayRevolverScheduler|" \
      "sharding|org.apache.pekko.cluster.sharding|" \
      "http websocket|org.apache.pekko.http|" \
      "pekko streams interpreter|GraphInterpreter|" \
      "tcp io|org.apache.pekko.io|" \
      "logging|ch.qos.logback|" \
      "SessionEntity|io.voicegateway.session.SessionEntity|" \
      "TtsStream|io.voicegateway.session.TtsStream|" \
      "WebSocketConnector|io.voicegateway.gateway.ws.WebSocketConnector|" \
      "redis (lettuce)|io.lettuce|" \
      "metrics|io.micrometer|" \
      "gc/jit/other (no java frame)|@@none@@", parts, "|")
    for (i = 1; i <= n; i += 2) { name[(i + 1) / 2] = parts[i]; pat[(i + 1) / 2] = parts[i + 1] }
    np = n / 2
  }
  /jdk.ExecutionSample/ { if (instack) flush(); total++; delete hit; instack = 1; next }
  instack && /line:/ { for (j = 1; j <= np; j++) if (index($0, pat[j]) > 0) hit[j] = 1 }
  function flush() { for (j in hit) count[j]++ }
  END {
    flush()
    printf "%d samples\n", total
    for (j = 1; j <= np; j++) if (count[j] > 0) printf "%6.1f %%  %s\n", 100 * count[j] / total, name[j]
  }' | sort -k1 -rn
