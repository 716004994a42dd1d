#!/usr/bin/env bash
# bench/egress/run.sh — HTTPS to nginx on loopback, side by side in one run:
#   direct | squid CONNECT tunnel (no inspection) | mitmproxy + regex addon | bot-bottle egress (every check on)
# Scenarios: small GET keep-alive, small GET new TLS connection each, 100 KB POST keep-alive, 1 MB GET
# keep-alive; at 1 and 16 clients. Prints requests/s and p50/p99 latency, and ratios to squid/mitmproxy.
# Usage: bench/egress/run.sh [seconds-per-cell (default 5)] [rounds (default 1; median reported)]
# Environment (for quick loops and profiling): SETUPS="direct squid egress" picks setups, CELLS="small:1 post100k:16"
# picks cells, PERF=FILE profiles our proxy with perf during the cells, WARMUP_ROUNDS (default 4) sets how often our proxy runs every scenario before recording, EGRESS_JAVA_OPTS adds JVM options to our proxy (e.g. -XX:StartFlightRecording=...), KEEP=1 keeps the
# work directory (egress.log, nginx logs).
# Installs nginx, squid and mitmproxy with apt-get when missing (Debian). Everything is on 127.0.0.1.
set -euo pipefail
SECS=${1:-5}
ROUNDS=${2:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
W=$(mktemp -d /tmp/egress-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
[[ -n "${KEEP:-}" ]] && echo "work directory: $W" >&2

need=()
command -v nginx >/dev/null || need+=(nginx)
command -v squid >/dev/null || need+=(squid)
command -v mitmdump >/dev/null || need+=(mitmproxy)
if ((${#need[@]})); then
  echo "installing ${need[*]} ..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- upstream: nginx with a self-signed cert for bench.example.test -----------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" \
  -days 7 -subj /CN=bench.example.test -addext subjectAltName=DNS:bench.example.test 2>/dev/null
head -c 1048576 /dev/zero | tr '\0' 'a' > "$W/1m"
mkdir -p "$W/nginx/logs"
cat > "$W/nginx.conf" <<CONF
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $W/nginx; proxy_temp_path $W/nginx; fastcgi_temp_path $W/nginx;
  uwsgi_temp_path $W/nginx; scgi_temp_path $W/nginx;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:8443 ssl;
    ssl_certificate $W/cert.pem; ssl_certificate_key $W/key.pem;
    location = /small { default_type text/plain; return 200 "hello from nginx on loopback, a small response body of about one hundred bytes.\n"; }
    location = /1m { default_type application/octet-stream; alias $W/1m; }
    location = /post { client_max_body_size 2m; client_body_buffer_size 256k; default_type text/plain; return 200 "ok\n"; }
  }
}
CONF
nginx -p "$W/nginx" -c "$W/nginx.conf" -g 'daemon off;' & PIDS+=($!)

# --- squid: plain CONNECT tunnel --------------------------------------------------------------------
echo "127.0.0.1 bench.example.test" > "$W/hosts"
chmod 755 "$W"; mkdir -p "$W/squid"; chmod 777 "$W/squid"
cat > "$W/squid.conf" <<CONF
http_port 127.0.0.1:3128
hosts_file $W/hosts
acl bench_port port 8443
acl CONNECT method CONNECT
http_access allow localhost CONNECT bench_port
http_access deny all
cache deny all
cache_mem 8 MB
access_log none
cache_log $W/squid/cache.log
pid_filename $W/squid/squid.pid
coredump_dir $W/squid
shutdown_lifetime 0 seconds
CONF
squid -N -f "$W/squid.conf" & PIDS+=($!); declare -A PID_OF=([squid]=$!)

# --- mitmproxy with the regex addon -----------------------------------------------------------------
mitmdump -q --listen-host 127.0.0.1 --listen-port 8081 --ssl-insecure --set confdir="$W/mitm" \
  -s "$HERE/addon.py" & PIDS+=($!); PID_OF[mitm]=$!

# --- bot-bottle egress ------------------------------------------------------------------------------
(cd "$ROOT" && mvn -q -pl bundles/bot.bottle.egress compile \
  && mvn -q -pl bundles/bot.bottle.egress dependency:build-classpath -Dmdep.outputFile="$W/cp.txt" >/dev/null)
CP="$ROOT/bundles/bot.bottle.egress/target/classes:$(cat "$W/cp.txt")"
cat > "$W/routes.yaml" <<CONF
log: off
routes:
  - host: bench.example.test
    auth_scheme: Bearer
    token_env: BENCH_TOKEN
CONF
# The sidecar's launcher runs the proxy on the serial collector with the Vector API module (launcher/bot-bottle,
# for LiteralSet): so does the bench.
# PERF=FILE records a perf profile of the proxy while the cells run (JIT frames named through a perf map);
# JFR cannot sample inside the JIT's string intrinsics, where the scanning time goes.
PERF_OPTS=""
[[ -n "${PERF:-}" ]] && PERF_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer"
JVM=(-Xms256m -Xmx1g -XX:+UseSerialGC --add-modules jdk.incubator.vector)
java "${JVM[@]}" $PERF_OPTS ${EGRESS_JAVA_OPTS:-} -cp "$CP" "$HERE/RunEgress.java" "$W/routes.yaml" "$W/state" 9199 "$W/cert.pem" \
  bench.example.test:8443:127.0.0.1 2>"$W/egress.log" & PIDS+=($!); PID_OF[egress]=$!
# Optional A/B in the same run: EGRESS_BASE_CLASSES=<classes dir of another build> adds setup "base" (port 9198),
# the same launcher on the same class path but with those classes first (e.g. an earlier commit, compiled apart).
if [[ -n "${EGRESS_BASE_CLASSES:-}" ]]; then
  java "${JVM[@]}" ${EGRESS_JAVA_OPTS:-} -cp "$EGRESS_BASE_CLASSES:$(cat "$W/cp.txt")" "$HERE/RunEgress.java" \
    "$W/routes.yaml" "$W/state-base" 9198 "$W/cert.pem" bench.example.test:8443:127.0.0.1 2>"$W/egress-base.log" &
  PIDS+=($!); PID_OF[base]=$!
fi

# wait (bounded) for every listener
for port in 8443 3128 8081 9199 ${EGRESS_BASE_CLASSES:+9198}; do
  for _ in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
done

javac -d "$W/lg" "$HERE/LoadGen.java"
run() { java -cp "$W/lg" LoadGen "$1" "$2" "$3" "${4:-$SECS}"; }
WSECS=$((SECS < 4 ? SECS : 4)) # a warm-up run lasts at most 4 s, however long the cells are
read -r -a SETUPS <<< "${SETUPS:-direct squid mitm egress}"
via() { case $1 in direct) echo direct;; squid) echo 127.0.0.1:3128;; mitm) echo 127.0.0.1:8081;; egress) echo 127.0.0.1:9199;; base) echo 127.0.0.1:9198;; esac; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm-up, not recorded: every setup runs each scenario once; our proxy (a JVM) then runs them
# WARMUP_ROUNDS-1 more times (default 4 in all), because its JIT compilers are busy for about 40 s of mixed
# load on this 2-core machine (C1+C2 CPU per 12 s round of the four scenarios measured 6.5 s, 4.3 s, 1.7 s,
# then 0.1-0.7 s) and a sidecar's proxy runs for a whole session: steady state is what the cells compare.
for s in "${SETUPS[@]}"; do
  for sc in small small-new post100k get1m; do run "$(via "$s")" "$sc" 4 "$WSECS" >/dev/null 2>&1 || true; done
done
for _ in $(seq 2 "${WARMUP_ROUNDS:-4}"); do
  for s in "${SETUPS[@]}"; do
    [[ $s == egress || $s == base ]] || continue
    for sc in small small-new post100k get1m; do run "$(via "$s")" "$sc" 3 "$WSECS" >/dev/null 2>&1 || true; done
  done
done

# CPU time the proxy process itself spends per request (utime+stime from /proc, 10 ms ticks): unlike
# requests/s this hardly depends on what else the machine runs, so it shows the proxy's own cost.
ticks() { [[ -n "${PID_OF[$1]:-}" ]] && awk '{print $14+$15}' "/proc/${PID_OF[$1]}/stat" || echo 0; }
declare -A R P50 P99 CPU
if [[ -n "${PERF:-}" ]]; then
  if command -v perf >/dev/null; then
    perf record -q -F 999 -g -p "${PID_OF[egress]}" -o "$PERF" 2>/dev/null & PERF_PID=$!
  else
    echo "PERF: perf is not installed (apt-get install linux-perf); no profile" >&2
  fi
fi
read -r -a CELLS <<< "${CELLS:-small:1 small:16 small-new:1 small-new:16 post100k:1 post100k:16 get1m:1 get1m:16}"
for cell in "${CELLS[@]}"; do
  set -- ${cell/:/ }
  declare -A rs=() p5=() p9=() cu=()
  # rounds interleave the setups, so a change in machine load hits all of them alike
  for _ in $(seq 1 "$ROUNDS"); do
    for s in "${SETUPS[@]}"; do
      t0=$(ticks "$s")
      read -r rps p50 p99 err < <(run "$(via "$s")" "$1" "$2")
      t1=$(ticks "$s")
      rs[$s]+="$rps "; p5[$s]+="$p50 "; p9[$s]+="$p99 "
      cu[$s]+="$(awk -v d=$((t1 - t0)) -v r="$rps" -v s="$SECS" 'BEGIN { printf "%d", (r > 0 ? d * 10000 / (r * (s + 1)) : 0) }') "
      ((err == 0)) || echo "warning: $s $cell: $err errors" >&2
    done
  done
  for s in "${SETUPS[@]}"; do
    R[$s,$1,$2]=$(printf '%s\n' ${rs[$s]} | median)
    P50[$s,$1,$2]=$(printf '%s\n' ${p5[$s]} | median)
    P99[$s,$1,$2]=$(printf '%s\n' ${p9[$s]} | median)
    CPU[$s,$1,$2]=$(printf '%s\n' ${cu[$s]} | median)
  done
  unset rs p5 p9 cu
done

if [[ -n "${PERF_PID:-}" ]]; then
  kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true
  kill "${PID_OF[egress]}"; wait "${PID_OF[egress]}" 2>/dev/null || true # writes the perf map at exit
  echo "perf profile of the proxy during the cells: $PERF (perf report -i $PERF --no-children --sort sym)" >&2
  perf report -i "$PERF" --no-children --sort sym --stdio -g none 2>/dev/null | grep '%' | sed -n 1,15p >&2 || true
fi

declare -A NAME=([direct]="direct rps (p50/p99 us)" [squid]="squid tunnel" [mitm]="mitmproxy+addon" \
  [egress]="bot-bottle egress" [base]="egress (base build)")
hdr=$(printf '\n%-22s' "scenario (c=clients)")
for s in "${SETUPS[@]}"; do hdr+=$(printf ' | %-27s' "${NAME[$s]}"); done
printf '%s | %-8s | %-8s%s\n' "$hdr" "egr/sq" "egr/mitm" "${EGRESS_BASE_CLASSES:+ | base/sq}"
for cell in "${CELLS[@]}"; do
  set -- ${cell/:/ }
  row=$(printf '%-22s' "$1 c$2")
  for s in "${SETUPS[@]}"; do
    cpu=""; [[ $s != direct ]] && cpu=" ${CPU[$s,$1,$2]}c"
    row+=$(printf ' | %-27s' "${R[$s,$1,$2]} (${P50[$s,$1,$2]}/${P99[$s,$1,$2]})$cpu")
  done
  e=${R[egress,$1,$2]:-0}; q=${R[squid,$1,$2]:-0}; m=${R[mitm,$1,$2]:-0}
  row+=$(awk -v e="$e" -v q="$q" -v m="$m" 'BEGIN { printf " | %-8s | %-8s", (q>0? sprintf("%.2f", e/q):"-"), (m>0? sprintf("%.1fx", e/m):"-") }')
  if [[ -n "${EGRESS_BASE_CLASSES:-}" ]]; then
    row+=$(awk -v b="${R[base,$1,$2]:-0}" -v q="$q" 'BEGIN { printf " | %s", (q>0? sprintf("%.2f", b/q):"-") }')
  fi
  echo "$row"
done
echo
echo "rps (p50/p99 latency us) Nc = CPU us of the proxy process per request"
echo "seconds per cell: $SECS, rounds: $ROUNDS (median), machine: $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
