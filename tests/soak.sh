#!/usr/bin/env bash
# Soak (issue 8 item 5, by hand, bounded): a node on loopback under churn (connects, setPeerInfo,
# publishes, plays, NetGroups, P2P introductions, calls; 10 % vanish without closing) at a steady
# rate, while the node's heap after a full GC, threads, fds, RSS, direct memory and session count
# are sampled every 30 s into a CSV. Ends with first-window vs last-window averages, least-squares
# slopes per hour and a FLAT/GROWING verdict per resource. See tests/SOAK.md.
#
# Usage: tests/soak.sh [minutes (default 60)] [actors per second (default 20)]
# Env:   SOAK_PORT (19935) SOAK_METRICS_PORT (19936) SOAK_INTERVAL (30 s) SOAK_DRAIN (100 s after
#        the load, > the 90 s idle timeout) SOAK_NODE_OPTS (-Xmx512m) SOAK_LOAD_ARGS (extra load
#        tool options, e.g. "--hold 5 --mix call=1,p2p=1")
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
minutes="${1:-60}"
rate="${2:-20}"
port="${SOAK_PORT:-19935}"
mport="${SOAK_METRICS_PORT:-19936}"
interval="${SOAK_INTERVAL:-30}"
drain="${SOAK_DRAIN:-100}"
for t in java jcmd curl awk; do
  command -v "$t" >/dev/null 2>&1 || { echo "soak: $t is needed" >&2; exit 1; }
done

# Build as ops/bin/altocumulus-bench does: when the jar is missing or older than the code.
jar="$root/tests/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/edge" "$root/control-plane" "$root/rendezvous" "$root/proto" "$root/tests/src/main" "$root/pom.xml" -path '*/target' -prune -o -newer "$jar" \( -name '*.java' -o -name '*.proto' -o -name 'pom.xml' -o -path '*/resources/*' \) -print -quit)" ]; then
  echo "soak: building (mvn package)..." >&2
  mvn -B -q -DskipTests -pl tests -am package
fi

out="$root/tests/target/soak-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out/www/live"
# The app: a Lua method for the churn's calls, so every connection also runs the Lua host.
cat >"$out/www/live/main.lua" <<'EOF'
function onConnection(client)
  function client:echo(x) return x end
end
EOF
csv="$out/samples.csv"
echo "t_s,phase,heap_after_gc_kb,threads,fds,rss_kb,direct_bytes,sessions,publications,netgroups,rdv_peers,tool_fds,tool_threads" >"$csv"

node_pid=""
load_pid=""
cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

(cd "$out" && exec java ${SOAK_NODE_OPTS:--Xmx512m} -cp "$jar" io.altocumulus.edge.cli.Main \
  --host 127.0.0.1 --port "$port" --www "$out/www" --metrics-port "$mport" --threads 2 --log 4 >"$out/node.log" 2>&1) &
node_pid=$!
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$mport/metrics" >/dev/null 2>&1 && break
  kill -0 "$node_pid" 2>/dev/null || { echo "soak: the node did not start:" >&2; cat "$out/node.log" >&2; exit 1; }
  sleep 0.5
done
echo "soak: node pid $node_pid udp $port metrics $mport; $minutes min at $rate actors/s; output $out" >&2

metric() { # name -> value of the unlabelled (or first) sample, 0 if absent
  awk -v n="$1" '$1 == n || index($1, n "{") == 1 { printf "%d", $2; found = 1; exit } END { if (!found) print 0 }' "$out/.metrics"
}
proc_status() { # pid field -> value
  awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/status" 2>/dev/null || echo 0
}
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
start_s=$(date +%s)
sample() { # phase
  local t heap direct
  t=$(( $(date +%s) - start_s ))
  # Heap used right after a full GC: what is still referenced. Anything else is noise.
  jcmd "$node_pid" GC.run >/dev/null 2>&1 || true
  heap=$(jcmd "$node_pid" GC.heap_info 2>/dev/null | awk '/heap/ && /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); print v; exit } }')
  curl -sf "http://127.0.0.1:$mport/metrics" >"$out/.metrics" 2>/dev/null || : >"$out/.metrics"
  direct=$(awk '$1 == "jvm_buffer_pool_used_bytes{pool=\"direct\"}" { printf "%d", $2 }' "$out/.metrics")
  local tf=0 tt=0
  if [ -n "$load_pid" ] && kill -0 "$load_pid" 2>/dev/null; then
    tf=$(fds "$load_pid"); tt=$(proc_status "$load_pid" Threads)
  fi
  echo "$t,$1,${heap:-0},$(proc_status "$node_pid" Threads),$(fds "$node_pid"),$(proc_status "$node_pid" VmRSS),${direct:-0},$(metric rtmfp_sessions),$(metric rtmfp_publications),$(metric rtmfp_netgroups),$(metric rtmfp_rendezvous_peers),$tf,$tt" >>"$csv"
}

# The metrics endpoint's HTTP pool starts a thread per request up to 10: fill it before the
# baseline, or the first five minutes of scrapes read as a thread leak.
for _ in $(seq 1 12); do curl -sf "http://127.0.0.1:$mport/metrics" >/dev/null 2>&1 || true; done
sample baseline
# The load tool's own JVM; its pid is the java process (exec), for its fds and threads.
(exec java ${SOAK_LOAD_OPTS:--Xmx256m} -cp "$jar" io.altocumulus.tests.load.LoadTool \
  --url "rtmfp://127.0.0.1:$port/live" --mode churn --rate "$rate" --duration $((minutes * 60)) \
  --json "$out/churn.json" ${SOAK_LOAD_ARGS:-} >"$out/load.log" 2>&1) &
load_pid=$!
start_s=$(date +%s)
next=$interval
while kill -0 "$load_pid" 2>/dev/null; do
  if [ $(( $(date +%s) - start_s )) -ge "$next" ]; then
    sample load
    tail -n 1 "$out/load.log" | cut -c1-200 >&2
    next=$((next + interval))
  fi
  sleep 1
done
wait "$load_pid" || echo "soak: the load tool exited with $?" >&2
load_pid=""
echo "soak: load over; waiting ${drain}s for vanished sessions to time out" >&2
sleep "$drain"
sample drained
kill "$node_pid" 2>/dev/null || true
wait "$node_pid" 2>/dev/null || true
node_pid=""

# ---- summary ----
window=$(( minutes * 60 / 3 < 600 ? minutes * 60 / 3 : 600 ))   # 10 min, or a third of a short run
warmup=$(( minutes * 60 / 6 < 300 ? minutes * 60 / 6 : 300 ))   # slopes after 5 min (a sixth of a short run)
end_s=$((minutes * 60))
{
echo "==== soak summary: $minutes min at $rate actors/s ($out) ===="
echo "windows: first = [0, ${window}s), last = [$((end_s - window))s, ${end_s}s]; slopes over t >= ${warmup}s"
tool_fds=$(awk '/"fds"/ { f = 1 } f && /"start"/ { gsub(/,/, ""); s = $2 } f && /"end"/ { gsub(/,/, ""); print s, $2; exit }' "$out/churn.json" 2>/dev/null || true)
tool_fds=${tool_fds:-"0 999"}  # no JSON: the tool did not finish, fail the check
awk -F, -v W="$window" -v WU="$warmup" -v E="$end_s" -v TF0="${tool_fds% *}" -v TF1="${tool_fds#* }" '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $2 == "baseline" { for (i = 3; i <= NF; i++) base[i] = $i; next }
  $2 == "drained" { for (i = 3; i <= NF; i++) drained[i] = $i; next }
  {
    t = $1
    for (i = 3; i <= NF; i++) {
      if (t < W) { fs[i] += $i; fn[i]++ }
      if (t >= E - W) { ls[i] += $i; ln[i]++ }
      if (t >= WU) { n[i]++; sx[i] += t; sy[i] += $i; sxx[i] += t * t; sxy[i] += t * $i }
    }
  }
  function avg(s, k) { return k ? s / k : 0 }
  function slope(i,   d) { d = n[i] * sxx[i] - sx[i] * sx[i]; return d > 0 ? (n[i] * sxy[i] - sx[i] * sy[i]) / d * 3600 : 0 }
  function line(name, i, scale, unit, fmt) {
    printf "%-16s first %10" fmt "  last %10" fmt "  slope %+10.2f %s/h   baseline %10" fmt "  drained %10" fmt "\n", \
      name, avg(fs[i], fn[i]) / scale, avg(ls[i], ln[i]) / scale, slope(i) / scale, unit, base[i] / scale, drained[i] / scale
  }
  function verdict(name, ok, why) { printf "%-16s %s  (%s)\n", name, ok ? "FLAT" : "GROWING", why; if (!ok) bad++ }
  END {
    h = col["heap_after_gc_kb"]; th = col["threads"]; fd = col["fds"]; rss = col["rss_kb"]; dm = col["direct_bytes"]
    se = col["sessions"]; pu = col["publications"]; ng = col["netgroups"]; rp = col["rdv_peers"]
    tfd = col["tool_fds"]; tth = col["tool_threads"]
    line("heap after GC", h, 1024, "MB", ".1f"); line("threads", th, 1, "", ".1f"); line("fds", fd, 1, "", ".1f")
    line("RSS", rss, 1024, "MB", ".1f"); line("direct memory", dm, 1048576, "MB", ".2f")
    line("sessions", se, 1, "", ".1f"); line("publications", pu, 1, "", ".1f"); line("netgroups", ng, 1, "", ".1f")
    line("rendezvous peers", rp, 1, "", ".1f"); line("tool fds", tfd, 1, "", ".1f"); line("tool threads", tth, 1, "", ".1f")
    print "---- verdict (thresholds in tests/SOAK.md) ----"
    hs = slope(h) / 1024
    verdict("heap after GC", hs < 2, sprintf("slope %+.2f MB/h, limit 2 MB/h", hs))
    dt = avg(ls[th], ln[th]) - avg(fs[th], fn[th])
    verdict("threads", dt <= 2 && dt >= -2, sprintf("last - first %+.1f, limit +-2", dt))
    df = avg(ls[fd], ln[fd]) - avg(fs[fd], fn[fd])
    verdict("fds", df <= 4 && df >= -4, sprintf("last - first %+.1f, limit +-4", df))
    dd = (avg(ls[dm], ln[dm]) - avg(fs[dm], fn[dm])) / 1048576
    verdict("direct memory", dd <= 4, sprintf("last - first %+.2f MB, limit 4 MB", dd))
    fsn = avg(fs[se], fn[se]); lsn = avg(ls[se], ln[se])
    verdict("sessions", lsn <= fsn * 1.2 + 10, sprintf("last %.0f vs first %.0f, limit first x1.2 + 10", lsn, fsn))
    verdict("drained", drained[se] <= 5 && drained[pu] == 0 && drained[ng] == 0 && drained[rp] <= 5, \
      sprintf("after the load: %d sessions, %d publications, %d netgroups, %d rendezvous peers; limit 5/0/0/5", \
      drained[se], drained[pu], drained[ng], drained[rp]))
    # The tool: its own count at start (fixed clients open) and at its end (every actor over);
    # in between the short-lived sockets of vanishing actors make it swing.
    verdict("tool fds", TF1 - TF0 <= 4, sprintf("load tool at its end %d vs start %d, limit +4", TF1, TF0))
    print bad ? "VERDICT: GROWING (" bad " above)" : "VERDICT: FLAT"
  }' "$csv"
echo "---- load tool (failures by kind) ----"
sed -n '/^---- altocumulus-bench churn/,$p' "$out/load.log"
echo "CSV: $csv   JSON: $out/churn.json   node log: $out/node.log"
} | tee "$out/summary.txt"
