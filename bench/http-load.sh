#!/usr/bin/env bash
# HTTP figures for the foundation (issue 2): start-to-serving time, staff list
# and search latency with 10,000 staff, and sign-in throughput.
#
#   bench/http-load.sh            (SWITCHBOARD_BIN, STAFF=10000, DURATION=15s to change)
#
# Needs wrk (Debian package `wrk`; installed when missing), python3 and curl.
# Results go to stdout as Markdown; copy them into docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
STAFF="${STAFF:-10000}"
DURATION="${DURATION:-15s}"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  cargo build --release -p switchboard --locked >&2
  target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  SWITCHBOARD_BIN="$target_dir/release/switchboard"
fi
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="127.0.0.1:$port"

now_ns() { date +%s%N; }
# Sets pid, and started_ms: milliseconds from spawning the process to the
# first 200 from /healthz.
start_server() {
  local t0; t0=$(now_ns)
  "$SWITCHBOARD_BIN" serve --data-dir "$work/data" --http "$base" --sip 127.0.0.1:0 --log warn >"$work/out.txt" 2>"$work/err.txt" &
  pid=$!
  until curl -sf "http://$base/healthz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/err.txt" >&2; exit 1; }
    sleep 0.002
  done
  started_ms=$(( ($(now_ns) - t0) / 1000000 ))
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

start_server; first_ms=$started_ms
password=$(grep -o 'with password [^ ]*' "$work/out.txt" | cut -d' ' -f3)
stop_server
restart_ms=()
for _ in 1 2 3 4 5; do start_server; restart_ms+=("$started_ms"); stop_server; done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

start_server
token=$("$SWITCHBOARD_BIN" token create --data-dir "$work/data" --employee-id admin --name bench --log warn)
python3 bench/seed_staff.py "$base" "$token" "$STAFF"

run_wrk() { # label, connections, wrk args...
  local label=$1 conns=$2; shift 2
  local out; out=$(wrk -t1 -c"$conns" -d"$DURATION" --latency "$@")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local errors; errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$conns" "$rps" "$p50" "$p99" "${errors:-none}"
}

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); staff rows: $STAFF; wrk $DURATION per line"
echo
echo "| start to serving | ms |"
echo "|---|---|"
echo "| first start (migrations, demo data, admin password hash) | $first_ms |"
echo "| restart, median of 5 | $(median "${restart_ms[@]}") |"
echo
echo "| load | connections | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
auth=(-H "Authorization: Bearer $token")
run_wrk "list staff, first page of 50" 4 "${auth[@]}" "http://$base/api/v1/staff?per_page=50"
run_wrk "list staff, page 150 of 50" 4 "${auth[@]}" "http://$base/api/v1/staff?per_page=50&page=150"
run_wrk "search staff (10 rotating queries)" 4 "${auth[@]}" -s bench/search.lua "http://$base"
run_wrk "list staff, first page, 1 connection" 1 "${auth[@]}" "http://$base/api/v1/staff?per_page=50"
run_wrk "search staff, 1 connection" 1 "${auth[@]}" -s bench/search.lua "http://$base"
BENCH_PASSWORD="$password" run_wrk "sign-in (Argon2id, POST /api/v1/auth/login)" 4 -s bench/login.lua "http://$base/api/v1/auth/login"
