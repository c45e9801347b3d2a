#!/usr/bin/env bash
# CTI event fan-out (issue 7): CLIENTS WebSocket clients (default 500) read the whole event stream
# (/api/v1/events, unfiltered: every event reaches every client, the wallboard's worst case) while SIPp drives calls
# through the switch. Prints the delay from the switch handling the SIP message (the event's `at`) to the client's
# receipt, p50/p95/p99/max, events lost, and the server's CPU and memory.
#
#   bench/cti-events.sh            (CLIENTS=500 RATE=10 calls/s SECONDS=60 HOLD_MS=3000)
#
# The UAC plays a carrier (a trunk trusts its address), the DID routes to extension 1001, registered by a SIPp UAS.
# Each call yields call.created, call.ringing, call.answered and call.ended. Needs sipp, curl, python3, node + npm.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS="${CLIENTS:-500}"; RATE="${RATE:-10}"; SECS="${SECONDS_OF_CALLS:-60}"; HOLD_MS="${HOLD_MS:-3000}"
command -v sipp >/dev/null || apt-get install -y -qq sip-tester >/dev/null
[ -d bench/cti/node_modules/ws ] || npm ci --silent --no-audit --no-fund --prefix bench/cti >/dev/null
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  cargo build --release -p switchboard --locked >&2
  target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  SWITCHBOARD_BIN="$target_dir/release/switchboard"
fi
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pkill -f "sipp.*$work" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http="127.0.0.1:$(free_port)"; sip_port=$(free_port); uas_port=$(free_port); uac_port=$(free_port)
sip="127.0.0.1:$sip_port"

"$SWITCHBOARD_BIN" serve --data-dir "$work/data" --http "$http" --sip "$sip" --max-cps 0 --max-calls 0 \
  --rtp-ports 20000-59999 --log warn >"$work/out.txt" 2>"$work/err.txt" &
server=$!; pids+=("$server")
until grep -q "SIP is listening" "$work/out.txt" 2>/dev/null; do kill -0 "$server" || { cat "$work/err.txt"; exit 1; }; sleep 0.05; done
until curl -sf "http://$http/healthz" >/dev/null; do sleep 0.05; done
token=$("$SWITCHBOARD_BIN" token create --data-dir "$work/data" --employee-id admin --name bench --log warn)
api() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
api -X POST "http://$http/api/v1/trunks" -d "{\"name\":\"bench-carrier\",\"host\":\"127.0.0.1\",\"port\":$uac_port,\"enabled\":true}" >/dev/null
sed "s/@USER@/1001/g; s/@PASS@/demo1001/g" bench/sip/register.xml >"$work/register.xml"
(cd "$work" && sipp "$sip" -sf register.xml -i 127.0.0.1 -p "$uas_port" -m 1 -timeout 10s >/dev/null 2>&1) || { echo "UAS registration failed" >&2; exit 1; }
(cd "$work" && sipp -sn uas -i 127.0.0.1 -p "$uas_port" -bg >/dev/null 2>&1) || true

node bench/cti/clients.mjs --url "ws://$http/api/v1/events" --token "$token" --clients "$CLIENTS" \
  --seconds $(( SECS + HOLD_MS / 1000 + 60 )) >"$work/clients.json" 2>"$work/clients.err" &
clients=$!; pids+=("$clients")
until grep -q "connected $CLIENTS" "$work/clients.err" 2>/dev/null; do kill -0 "$clients" || { cat "$work/clients.err"; exit 1; }; sleep 0.2; done

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
rss_idle=$(rss_kb "$server")
t0=$(date +%s%N); c0=$(cpu_ticks "$server")
(cd "$work" && sipp "$sip" -sn uac -s 4008001000 -i 127.0.0.1 -p "$uac_port" -r "$RATE" -rate_max "$RATE" \
   -m $(( RATE * SECS )) -d "$HOLD_MS" -l 100000 -timeout $(( SECS * 3 + 30 ))s -trace_stat -stf stat.csv \
   >/dev/null 2>&1) || true
c1=$(cpu_ticks "$server"); t1=$(date +%s%N); rss_busy=$(rss_kb "$server")
sleep 2
kill -TERM "$clients"; wait "$clients" 2>/dev/null || true
hz=$(getconf CLK_TCK)
python3 - "$work" "$RATE" "$CLIENTS" "$(( c1 - c0 ))" "$hz" "$(( (t1 - t0) / 1000000 ))" "$rss_idle" "$rss_busy" <<'PY'
import csv, json, sys
work, rate, clients, ticks, hz, wall_ms, rss_idle, rss_busy = sys.argv[1], *map(int, sys.argv[2:])
rows = list(csv.DictReader(open(work + "/stat.csv"), delimiter=";"))
ok, failed = int(rows[-1]["SuccessfulCall(C)"]), int(rows[-1]["FailedCall(C)"])
figures = json.loads(open(work + "/clients.json").read().strip().splitlines()[-1])
cpu = 100.0 * ticks / hz / (wall_ms / 1000.0)
print(f"Machine: {__import__('os').cpu_count()} cores; {clients} WebSocket clients, every event to every client")
print("| calls/s | calls ok | failed | events received | lost | lagged | p50 ms | p95 ms | p99 ms | max ms | switch CPU | RSS idle -> busy |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
print(f"| {rate} | {ok} | {failed} | {figures['received']} | {figures['lost']} | {figures['lagged']} | {figures['p50_ms']} | "
      f"{figures['p95_ms']} | {figures['p99_ms']} | {figures['max_ms']} | {cpu:.0f}% | {rss_idle // 1024} MB -> {rss_busy // 1024} MB |")
PY
