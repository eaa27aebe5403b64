#!/usr/bin/env bash
# Issue 4, whole node: CPU per connect of a node serving an app with and without main.lua.
# For each variant a node starts (2 loops), then ROUNDS rounds of 3,000 connects at 400/s from the
# load tool; after each round, the CPU each node thread used in it (/proc ticks of 10 ms, summed by
# thread name). Compare rounds after the JIT has settled (C2 below ~30 ticks): the loops and the
# crypto threads are the protocol work, "lua" the queued Lua tasks and the manage tick.
#   tests/lua-node-cpu.sh [rounds, default 10]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/tests/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests -pl tests -am package)
rounds=${1:-10}
port=${PORT:-29935}

threads() { # "name ticks" per thread name of pid $1
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr ' ' '_' <"$t/comm")" "$(cut -d')' -f2 "$t/stat" | awk '{print $12 + $13}')"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}

for v in plain lua; do
  d=$(mktemp -d)
  mkdir -p "$d/www/live"
  if [ "$v" = lua ]; then
    cat >"$d/www/live/main.lua" <<'LUA'
function onConnection(client, ...)
  client.joined = cumulus.epochTime
  function client:hello(name) return 'hello ' .. name end
  return {greeting = 'hi', n = 1}
end
LUA
  fi
  java -Xmx512m -cp "$jar" io.altocumulus.edge.cli.Main --host 127.0.0.1 --port "$port" --www "$d/www" --threads 2 --log 3 >"$d/node.log" 2>&1 &
  pid=$!
  sleep 3
  for r in $(seq 1 "$rounds"); do
    threads "$pid" >"$d/before"
    java -cp "$jar" io.altocumulus.tests.load.LoadTool --url "rtmfp://127.0.0.1:$port/live" --mode connect \
      --sessions 3000 --rate 400 --duration 12 >/dev/null 2>&1
    threads "$pid" >"$d/after"
    echo "$v round $r: $(join -a2 "$d/before" "$d/after" | awk 'NF==3 {d=$3-$2} NF==2 {d=$2} d>3 {printf "%s %d  ", $1, d}')"
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$d"
done
