#!/usr/bin/env bash
# Builds the JMH uber-jar and runs the three measurements of tests/BENCHMARKS.md.
# Usage: tests/bench.sh [all|packet|handshake|heap|udp]   (from anywhere; default: all)
# Never run inside `mvn verify`: benchmarks only run from this script.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
JMH_OPTS=(-f 1 -wi 3 -w 2s -i 5 -r 2s)

# Reactor build only (never `mvn install`: the local repository is shared).
mvn -B -q -pl tests -am package -DskipTests
JAR=tests/target/benchmarks.jar

echo "# machine: nproc=$(nproc), $(java -version 2>&1 | head -1)"

if [[ "$what" == all || "$what" == packet ]]; then
  # 1. Per packet, steady path: codec both ways (1192/64 bytes before padding) and the full
  #    RtmfpEndpoint.receive of an established session; gc.alloc.rate.norm = bytes per op.
  java -jar "$JAR" 'PacketCodecBench|EndpointReceiveBench' -prof gc "${JMH_OPTS[@]}"
fi

if [[ "$what" == all || "$what" == handshake ]]; then
  # 2. Handshake + NetConnection connect: JMH score is server + client; HandshakeCpu gives the
  #    server's CPU alone (thread CPU clock around every server-side call).
  java -jar "$JAR" HandshakeBench -prof gc "${JMH_OPTS[@]}"
  java -cp "$JAR" io.altocumulus.tests.bench.HandshakeCpu 3000 5000
fi

if [[ "$what" == all || "$what" == heap ]]; then
  # 3. Server heap per idle connected session, 10,000 sessions, with a per-class histogram delta.
  java -Xmx2g -cp "$JAR" io.altocumulus.tests.bench.SessionHeap 10000
fi

if [[ "$what" == all || "$what" == udp ]]; then
  # 4. The UDP half of the relay's bound: CPU per 1204-byte datagram sent on loopback.
  java -cp "$JAR" io.altocumulus.tests.bench.UdpSendCost 200000
fi
