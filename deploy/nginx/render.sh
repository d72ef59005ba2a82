#!/bin/sh
# Renders nginx.conf.template (beside this script) to stdout.
# Usage: render.sh STATE_DIR LISTEN HOST:PORT...
#   STATE_DIR  where nginx writes its pid, logs and temp files (created here)
#   LISTEN     what nginx listens on: a port, or ADDRESS:PORT
#   HOST:PORT  the gateway nodes' WebSocket ports
# POSIX sh and sed only: it runs both from ./voicegw and in the nginx container.
set -eu
if [ $# -lt 3 ]; then
  echo "usage: render.sh STATE_DIR LISTEN HOST:PORT..." >&2
  exit 2
fi
state=$1
listen=$2
shift 2
mkdir -p "$state/temp"
servers=""
for node in "$@"; do
  servers="$servers    server $node max_fails=1 fail_timeout=3s;\\
"
done
sed -e "s#@STATE_DIR@#$state#g" -e "s#@LISTEN@#$listen#g" \
  -e "s#^@UPSTREAM_SERVERS@\$#$servers#" "$(dirname "$0")/nginx.conf.template"
