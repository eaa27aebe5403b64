#!/usr/bin/env bash
# Longer fuzzing by hand (tests/FUZZING.md): each Jazzer target in turn for SECONDS (default 120).
# Generated corpus goes to tests/.cifuzz-corpus/ (not committed); findings to
# src/test/resources/.../<Class>Inputs/<method>/crash-* (commit them: they become regression seeds).
# Usage: tests/fuzz.sh [seconds] [Class#method ...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-120}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(WireFuzzTest#packet WireFuzzTest#chunkParsers HandshakeFuzzTest#handshakeChunks HandshakeFuzzTest#responder
    AmfFuzzTest#amf0 AmfFuzzTest#amf3 AmfFuzzTest#tcMessages LuaAmfFuzzTest#decode)
fi
for t in "${targets[@]}"; do
  echo "=== $t ($secs s)"
  JAZZER_FUZZ=1 mvn -B -o -pl tests -am test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$secs" -Djazzer.internal.arg.2=-timeout=10 -DargLine=-Xmx1g 2>&1 \
    | grep -E '^#[0-9]+.*(INITED|DONE)|^Done |Tests run:|FuzzTestFinding|ERROR|==[0-9]+== ' || true
done
