#!/usr/bin/env bash
# Packs the benchmark stack for a machine without Java: a Java runtime made with jlink, the built
# gateway, tts-worker and loadtest (jars stored uncompressed, so that xz compresses the whole
# better), voicegw and loadtest/bench, in one .tar.xz. Build first: mvn -B package -DskipTests.
#   jlink-bundle.sh OUT.tar.xz
# On the target (it needs redis-server, curl, jq, bc, taskset and /usr/bin/time, not Java):
#   tar xJf OUT.tar.xz && voicegw-bench/loadtest/bench/knee-search.sh /tmp/k "" "" "" binary:100
# voicegw runs voicegw-bench/runtime/bin/java unless JAVA is set.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out=$(realpath -m "${1:?usage: jlink-bundle.sh OUT.tar.xz}")
JDK_BIN=$(dirname "$(readlink -f "$(command -v "${JAVA:-java}")")")
# What the three programs use (netty and pekko need jdk.unsupported, micrometer jdk.management);
# jdk.jcmd for stack.sh heap, jdk.jfr for recordings.
MODULES=java.se,jdk.unsupported,jdk.management,jdk.crypto.ec,jdk.jfr,jdk.jcmd,jdk.net,jdk.zipfs,jdk.naming.dns

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dest=$stage/voicegw-bench
mkdir -p "$dest/loadtest"
"$JDK_BIN/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --compress=0 --output "$dest/runtime"

# a jar again with every entry stored, same content (signatures stay valid: they cover contents)
store() {
  local jar=$1 tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && "$JDK_BIN/jar" xf "$jar")
  rm "$jar"
  "$JDK_BIN/jar" --create --no-compress --file "$jar" -M -C "$tmp" .
  rm -rf "$tmp"
}

# the three lib folders share most jars: each distinct jar is stored once, the others are hard
# links to it (tar keeps them as links)
declare -A seen
for m in gateway tts-worker loadtest; do
  if [[ ! -f "$ROOT/$m/target/$m.jar" ]]; then
    echo "jlink-bundle: $m is not built; run mvn -B package -DskipTests first" >&2
    exit 1
  fi
  mkdir -p "$dest/$m/target"
  cp -r "$ROOT/$m/target/$m.jar" "$ROOT/$m/target/lib" "$dest/$m/target/"
  for j in "$dest/$m/target/$m.jar" "$dest/$m/target/lib"/*.jar; do
    sum=$(sha256sum "$j" | cut -d" " -f1)
    if [[ -n "${seen[$sum]:-}" ]]; then
      ln -f "${seen[$sum]}" "$j"
    else
      store "$j"
      seen[$sum]=$j
    fi
  done
done
cp "$ROOT/voicegw" "$dest/"
cp -r "$ROOT/loadtest/bench" "$dest/loadtest/"
tar -C "$stage" -cf - voicegw-bench | xz -6 -T2 >"$out"
echo "$out: $(du -h "$out" | cut -f1) (runtime $(du -sh "$dest/runtime" | cut -f1), all $(du -sh "$dest" | cut -f1) unpacked)"
