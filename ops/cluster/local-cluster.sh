#!/usr/bin/env bash
# A real 3-process ZooKeeper ensemble on loopback, from the Maven artifacts the build pins
# (shared/STACK.md): QuorumPeerMain with metrics-core, snappy, commons-cli and logback.
#   ops/cluster/local-cluster.sh start    # ports 2181-2183 (clients), 2888-2890 / 3888-3890 (quorum)
#   ops/cluster/local-cluster.sh status   # Mode: leader / follower per server
#   ops/cluster/local-cluster.sh kill N   # kill -9 server N (1..3), for fault drills
#   ops/cluster/local-cluster.sh start N  # (re)start server N only
#   ops/cluster/local-cluster.sh stop     # the edges too, if running
#   ops/cluster/local-cluster.sh edges start   # three edges on loopback against the ensemble:
#                                              # RTMFP 127.0.0.1:1935-1937, gRPC 7935-7937,
#                                              # metrics 9101-9103; edge1, edge2 also rendezvous shards
#   ops/cluster/local-cluster.sh edges status  # the cluster as the admin CLI sees it
#   ops/cluster/local-cluster.sh edges kill N  # kill -9 edge N (its registration goes within 10 s)
#   ops/cluster/local-cluster.sh edges stop
# State lives in ${ALTOCUMULUS_ZK_DIR:-target/local-cluster} under the repository root.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${ALTOCUMULUS_ZK_DIR:-$ROOT/target/local-cluster}"
CONNECT="127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183"

classpath() {
  if [[ ! -s "$DIR/classpath" ]]; then
    mkdir -p "$DIR"
    # zookeeper-embedded carries the server-side jars; its classpath is a ZooKeeper server's
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never -pl control-plane/zookeeper-embedded dependency:build-classpath \
      -Dmdep.outputFile="$DIR/classpath.base" -Dmdep.includeScope=runtime)
    # logback for the servers' logs (STACK.md), at the version the build pins
    local repo ver logback=""
    repo=$(cd "$ROOT" && mvn -B -q -Dstyle.color=never -N help:evaluate -Dexpression=settings.localRepository -DforceStdout | sed "s/\x1b\[[0-9;]*m//g")
    ver=$(cd "$ROOT" && mvn -B -q -Dstyle.color=never -N help:evaluate -Dexpression=logback.version -DforceStdout | sed "s/\x1b\[[0-9;]*m//g")
    for a in logback-classic logback-core; do
      (cd "$ROOT" && mvn -B -q -Dstyle.color=never -N dependency:get -Dartifact="ch.qos.logback:$a:$ver" -Dtransitive=false) >/dev/null
      logback="$logback:$repo/ch/qos/logback/$a/$ver/$a-$ver.jar"
    done
    echo "$(sed "s/\x1b\[[0-9;]*m//g" "$DIR/classpath.base")$logback" > "$DIR/classpath"
  fi
  cat "$DIR/classpath"
}

start_one() {
  local n=$1 d="$DIR/zk$1"
  mkdir -p "$d/data"
  echo "$n" > "$d/data/myid"
  cat > "$d/zoo.cfg" <<CFG
tickTime=500
initLimit=10
syncLimit=5
dataDir=$d/data
clientPort=$((2180 + n))
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,mntr
maxSessionTimeout=60000
server.1=127.0.0.1:2888:3888
server.2=127.0.0.1:2889:3889
server.3=127.0.0.1:2890:3890
CFG
  if [[ -f "$d/pid" ]] && kill -0 "$(cat "$d/pid")" 2>/dev/null; then
    echo "zk$n already running (pid $(cat "$d/pid"))"; return
  fi
  nohup java -Xmx256m -cp "$(classpath)" -Dzookeeper.log.dir="$d" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$d/zoo.cfg" > "$d/out.log" 2>&1 &
  echo $! > "$d/pid"
  echo "zk$n started (pid $!, client port $((2180 + n)))"
}

mode() {
  # srvr answers with "Mode: leader|follower" once the server serves (ruok answers earlier)
  { exec 3<>/dev/tcp/127.0.0.1/$((2180 + $1)) && printf srvr >&3 && grep -m1 '^Mode:' <&3; } 2>/dev/null || echo "down"
}

wait_quorum() {
  for _ in $(seq 1 60); do
    local up=0
    for n in 1 2 3; do [[ "$(mode "$n")" == Mode:* ]] && up=$((up + 1)); done
    if (( up >= 2 )); then echo "quorum up: cluster.zookeeper=$CONNECT"; return 0; fi
    sleep 0.5
  done
  echo "no quorum after 30 s; see $DIR/zk*/out.log" >&2; return 1
}

edge_start() {
  local n=$1 d="$DIR/edge$1"
  mkdir -p "$d/www/app"
  if [[ -f "$d/pid" ]] && kill -0 "$(cat "$d/pid")" 2>/dev/null; then
    echo "edge$n already running (pid $(cat "$d/pid"))"; return
  fi
  local roles=edge
  (( n <= 2 )) && roles=edge,rendezvous
  cat > "$d/node.ini" <<INI
host=127.0.0.1
port=$((1934 + n))
publicAddress=127.0.0.1:$((1934 + n))
www=$d/www
logs.directory=$d/logs
[metrics]
port=$((9100 + n))
host=127.0.0.1
[cluster]
zookeeper=$CONNECT
name=local
[node]
id=edge$n
roles=$roles
[grpc]
host=127.0.0.1
port=$((7934 + n))
INI
  nohup "$ROOT/ops/bin/altocumulus-edge" --config "$d/node.ini" --pidfile "$d/pid" > "$d/out.log" 2>&1 &
  echo "edge$n starting (RTMFP 127.0.0.1:$((1934 + n)), gRPC $((7934 + n)), roles $roles; log $d/out.log)"
}

# Waits until the three edges answer /-/healthy on their metrics ports (at most 60 s).
edges_wait() {
  local deadline=$((SECONDS + 60)) up
  while (( SECONDS < deadline )); do
    up=0
    for n in 1 2 3; do
      ( exec 3<>/dev/tcp/127.0.0.1/$((9100 + n)) && printf 'GET /-/healthy HTTP/1.0\r\n\r\n' >&3 \
        && grep -q ' 200' <&3 ) 2>/dev/null && up=$((up + 1))
    done
    if (( up == 3 )); then echo "edges up: rtmfp://127.0.0.1:1935/ .. :1937/"; return 0; fi
    sleep 0.5
  done
  echo "edges not all up after 60 s ($up of 3); see $DIR/edge*/out.log" >&2; return 1
}

edges() {
  case "${1:-}" in
    start)
      # build once before three JVMs race to do it
      "$ROOT/ops/bin/altocumulus-edge" --version > /dev/null
      for n in 1 2 3; do edge_start "$n"; done
      edges_wait ;;
    status)
      "$ROOT/ops/bin/altocumulus-admin" --target 127.0.0.1:7935 nodes ;;
    kill)
      n=${2:?edge number 1..3}; kill -9 "$(cat "$DIR/edge$n/pid")" && rm -f "$DIR/edge$n/pid" && echo "edge$n killed" ;;
    stop)
      for n in 1 2 3; do
        if [[ -f "$DIR/edge$n/pid" ]]; then kill "$(cat "$DIR/edge$n/pid")" 2>/dev/null || true; fi
      done; echo "edges stopped" ;;
    *)
      sed -n '2,16p' "$0"; exit 2 ;;
  esac
}

case "${1:-}" in
  edges)
    shift; edges "$@" ;;
  start)
    classpath > /dev/null
    if [[ -n "${2:-}" ]]; then start_one "$2"; else for n in 1 2 3; do start_one "$n"; done; wait_quorum; fi ;;
  status)
    for n in 1 2 3; do echo "zk$n 127.0.0.1:$((2180 + n)) $(mode "$n")"; done ;;
  kill)
    n=${2:?server number 1..3}; kill -9 "$(cat "$DIR/zk$n/pid")" && rm -f "$DIR/zk$n/pid" && echo "zk$n killed" ;;
  stop)
    # edges first: they would otherwise outlive the ensemble (they keep serving without it)
    if compgen -G "$DIR/edge*/pid" > /dev/null; then edges stop; fi
    for n in 1 2 3; do
      if [[ -f "$DIR/zk$n/pid" ]]; then kill "$(cat "$DIR/zk$n/pid")" 2>/dev/null || true; rm -f "$DIR/zk$n/pid"; fi
    done; echo stopped ;;
  *)
    sed -n '2,16p' "$0"; exit 2 ;;
esac
