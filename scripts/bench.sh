#!/usr/bin/env bash
# bench.sh [SCENARIO...] — hload's own benchmark: runs the standard scenarios against a local
# nginx (started and stopped here, on 127.0.0.1 only) and prints, per scenario, the medians of
# REPS runs: requests, requests per second, client CPU per request (user + system of the hload
# process), peak RSS, hload's dials and nginx's accepted connections. It is a benchmark, not a
# test: figures depend on the machine; compare runs made on the same one.
#
#   scripts/bench.sh                    the peer table's scenarios, 3 runs each (about a minute)
#   REPS=5 scripts/bench.sh ka-c50 h2-c200
#   scripts/bench.sh flat               cost per request from 10 to 10,000 users
#
# Scenarios: ka-c50 ka-c200 (HTTP/1.1 keep-alive), kr100-c200 (nginx closes every 100th
# connection), tls-c50 tls-c200 (HTTP/1.1 over TLS), tls-nokeep-c50 (a handshake per request),
# h2-c200 (HTTP/2 over TLS), h2c-c200 (HTTP/2 prior knowledge), h2-goaway-c200 (GOAWAY after
# 100 streams), headline (200 users, 2 connections), c10k (10,000 users, 2 connections), c20k
# (C20K users, 20,000 by default, a connection each: needs an open-file limit above that),
# ka-cN (N users on keep-alive connections; `flat` stands for ka-c10 through ka-c10000: the
# cost per request should stay level), h2-cap2-cN (N users over at most 2 HTTP/2 connections of
# 100 streams each) and h2-sweep, which stands for h2-cap2-c10 through h2-cap2-c2000:
# throughput should level off, not fall. With no scenario named: ka-c50 ka-c200 kr100-c200
# tls-c50 h2-c200 h2c-c200 headline c10k. N (100,000; 500,000 with `flat`) requests per run
# unless the scenario fixes its own.
# The client is pinned to CLIENT_CPU (1), nginx to SERVER_CPU (0). HLOAD picks the binary.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
hload=${HLOAD:-$root/build/hload}
reps=${REPS:-3}
client_cpu=${CLIENT_CPU:-1}
server_cpu=${SERVER_CPU:-0}
n=${N:-100000}
work=$(mktemp -d)
trap 'stop_nginx; rm -rf "$work"' EXIT

for tool in nginx openssl taskset; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "bench: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
[[ -x $hload ]] || { echo "bench: no hload at $hload (scripts/build.sh normal)" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ka=$(free_port) kr=$(free_port) tls=$(free_port) tls_kr=$(free_port) h2c=$(free_port)
tls100=$(free_port)
status=$(free_port)

start_nginx() {
  mkdir -p "$work/logs" "$work/html"
  printf 'ok\n' >"$work/html/index.html"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
  local user=""
  ((EUID == 0)) && user="user nobody nogroup;"
  cat >"$work/nginx.conf" <<CONF
$user
worker_processes 1;
worker_rlimit_nofile 65536;
daemon off;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 32768; }
http {
  access_log off;
  client_body_temp_path $work/body;
  keepalive_timeout 300s;
  keepalive_requests 1000000000;
  ssl_certificate $work/cert.pem;
  ssl_certificate_key $work/key.pem;
  server { listen 127.0.0.1:$ka reuseport backlog=4096; location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:$kr backlog=4096; keepalive_requests 100;
           location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:$tls ssl http2 backlog=4096; location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:$tls_kr ssl http2 backlog=4096; keepalive_requests 100;
           location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:$h2c http2 backlog=4096; location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:$tls100 ssl http2 backlog=4096; http2_max_concurrent_streams 100;
           location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:$status; location / { stub_status; } }
}
CONF
  taskset -c "$server_cpu" setsid nginx -p "$work" -c "$work/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$status") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench: nginx did not start: $(cat "$work/logs/error.log")" >&2
  exit 1
}

stop_nginx() {
  [[ -n ${nginx_pid:-} ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  nginx_pid=
}

# accepts prints nginx's count of accepted connections.
accepts() {
  local resp
  exec 3<>"/dev/tcp/127.0.0.1/$status"
  printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
  resp=$(cat <&3)
  exec 3<&-
  awk 'f {print $1; exit} /server accepts handled requests/ {f=1}' <<<"${resp//$'\r'/}"
}

# args SCENARIO prints hload's arguments for a scenario.
args() {
  case $1 in
    kr100-c200) echo "-c 200 -n $n http://127.0.0.1:$kr/" ;;
    tls-c50) echo "-c 50 -n $n -insecure https://127.0.0.1:$tls/" ;;
    tls-c200) echo "-c 200 -n $n -insecure https://127.0.0.1:$tls/" ;;
    tls-nokeep-c50) echo "-c 50 -n $((n / 20)) -insecure -disable-keepalive https://127.0.0.1:$tls/" ;;
    h2-c200) echo "-c 200 -n $n -insecure -h2 https://127.0.0.1:$tls/" ;;
    h2c-c200) echo "-c 200 -n $n -h2c http://127.0.0.1:$h2c/" ;;
    h2-goaway-c200) echo "-c 200 -n $n -max-conns-per-host 2 -insecure -h2 https://127.0.0.1:$tls_kr/" ;;
    headline) echo "-c 200 -max-conns-per-host 2 -n 20000 http://127.0.0.1:$ka/" ;;
    c10k) echo "-c 10000 -max-conns-per-host 2 -n 50000 http://127.0.0.1:$ka/" ;;
    c20k) echo "-c ${C20K:-20000} -n $((2 * ${C20K:-20000})) -max-conns-per-host 0 http://127.0.0.1:$ka/" ;;
    ka-c[0-9]*) echo "-c ${1#ka-c} -n $n -max-conns-per-host 0 http://127.0.0.1:$ka/" ;;
    h2-cap2-c[0-9]*)
      echo "-c ${1#h2-cap2-c} -max-conns-per-host 2 -n $n -insecure -h2 https://127.0.0.1:$tls100/" ;;
    *) echo "bench: unknown scenario $1" >&2; exit 2 ;;
  esac
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

scenarios=()
for s in "$@"; do
  if [[ $s == flat ]]; then
    scenarios+=(ka-c10 ka-c100 ka-c1000 ka-c10000)
    # 50 requests a user at 10,000 users, so that what is compared is the cost of a request,
    # not of 10,000 dials spread over 10 requests each.
    n=${N:-500000}
  elif [[ $s == h2-sweep ]]; then
    scenarios+=(h2-cap2-c10 h2-cap2-c50 h2-cap2-c100 h2-cap2-c200 h2-cap2-c500 h2-cap2-c1000
                h2-cap2-c2000)
  else
    scenarios+=("$s")
  fi
done
((${#scenarios[@]})) || scenarios=(ka-c50 ka-c200 kr100-c200 tls-c50 h2-c200 h2c-c200 headline c10k)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
start_nginx

printf '| scenario | requests | req/s | CPU µs/req | peak RSS MB | dials | nginx accepts | errors |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
for s in "${scenarios[@]}"; do
  read -r -a a <<<"$(args "$s")"
  : >"$work/rows"
  for _ in $(seq "$reps"); do
    before=$(accepts)
    start=$(date +%s.%N)
    taskset -c "$client_cpu" /usr/bin/time -f "%U %S %M" -o "$work/time" \
      "$hload" -no-progress -o json -output "$work/report.json" "${a[@]}" 2>/dev/null || true
    wall=$(echo "$(date +%s.%N) - $start" | bc -l)
    sleep 0.2
    after=$(accepts)
    read -r user sys rss <"$work/time"
    python3 - "$work/report.json" "$user" "$sys" "$rss" "$wall" "$((after - before - 1))" \
      >>"$work/rows" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
user, sys_, rss, wall, accepts = map(float, sys.argv[2:7])
s = r["summary"]
dials = sum(h["dials"] for h in r["hosts"].values())
req = max(s["requests"], 1)
print(s["requests"], s["requests"] / wall, (user + sys_) * 1e6 / req, rss / 1024, dials,
      int(accepts), s["failed"])
PY
  done
  row="| $s"
  for col in 1 2 3 4 5 6 7; do
    v=$(awk -v c="$col" '{print $c}' "$work/rows" | median)
    case $col in 2) v=$(printf '%.0f' "$v") ;; 3) v=$(printf '%.2f' "$v") ;; 4) v=$(printf '%.1f' "$v") ;; esac
    row+=" | $v"
  done
  echo "$row |"
done
