#!/usr/bin/env bash
# Signalling figures for the SIP switch (issue 3): calls per second through
# the B2BUA, SIPp UAC -> Switchboard -> SIPp UAS, with CDRs written, and
# setup time (INVITE sent -> 200 received at the UAC) at 200 calls/s.
#
#   bench/sip-cps.sh                 (RATES="500 1000 2000", SECONDS_PER_RATE=10)
#   REFERENCE=1 bench/sip-cps.sh     also measures a plain rsipstack UAS
#
# The UAC plays a carrier: a trunk trusts its address, so INVITEs need no
# digest round trip, and the DID routes to extension 1001, registered by the
# UAS. Needs sipp (Debian `sip-tester`), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
RATES="${RATES:-500 1000 2000}"
SECS="${SECONDS_PER_RATE:-10}"
command -v sipp >/dev/null || apt-get install -y -qq sip-tester >/dev/null
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

"$SWITCHBOARD_BIN" serve --data-dir "$work/data" --http "$http" --sip "$sip" --max-cps "${MAX_CPS:-0}" --max-calls 0 \
  --rtp-ports 20000-59999 --log warn >"$work/out.txt" 2>"$work/err.txt" &
server=$!; pids+=("$server")
until grep -q "SIP is listening" "$work/out.txt" 2>/dev/null; do kill -0 "$server" || { cat "$work/err.txt"; exit 1; }; sleep 0.05; done
until curl -sf "http://$http/healthz" >/dev/null; do sleep 0.05; done
token=$("$SWITCHBOARD_BIN" token create --data-dir "$work/data" --employee-id admin --name bench --log warn)
api() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
api -X POST "http://$http/api/v1/trunks" -d "{\"name\":\"bench-carrier\",\"host\":\"127.0.0.1\",\"port\":$uac_port,\"enabled\":true}" >/dev/null

sed "s/@USER@/1001/g; s/@PASS@/demo1001/g" bench/sip/register.xml >"$work/register.xml"
(cd "$work" && sipp "$sip" -sf register.xml -i 127.0.0.1 -p "$uas_port" -m 1 -timeout 10s >/dev/null 2>&1) || { echo "UAS registration failed" >&2; exit 1; }

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
refused() { curl -s "http://$http/metrics" | awk '/^switchboard_sip_calls_refused_overload_total/ {print $2}'; }
# run_rate TARGET RATE -> prints "rate ok failed p50 p99 cpu%"
run_rate() {
  local target=$1 rate=$2 calls=$(( $2 * SECS )) dir="$work/run-$1-$2"
  mkdir -p "$dir"
  (cd "$dir" && sipp -sn uas -i 127.0.0.1 -p "$uas_port" -bg >/dev/null 2>&1) || true
  sleep 0.3
  local t0 c0; t0=$(date +%s%N); c0=$(cpu_ticks "$target_pid")
  (cd "$dir" && sipp "$target" -sn uac -s 4008001000 -i 127.0.0.1 -p "$uac_port" -r "$rate" -rate_max "$rate" \
     -m "$calls" -l 100000 -timeout $(( SECS * 3 + 20 ))s -trace_stat -stf stat.csv -trace_rtt -rtt_freq 1 \
     -max_socket 100000 >/dev/null 2>&1) || true
  local c1 t1; c1=$(cpu_ticks "$target_pid"); t1=$(date +%s%N)
  pkill -f "sipp -sn uas -i 127.0.0.1 -p $uas_port" 2>/dev/null || true
  local hz; hz=$(getconf CLK_TCK)
  python3 - "$dir" "$rate" "$calls" "$(( c1 - c0 ))" "$hz" "$(( (t1 - t0) / 1000000 ))" <<'PY'
import csv, glob, sys
d, rate, calls, ticks, hz, wall_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
rows = list(csv.DictReader(open(d + "/stat.csv"), delimiter=";"))
last = rows[-1]
ok, failed = int(last["SuccessfulCall(C)"]), int(last["FailedCall(C)"])
rtts = []
for f in glob.glob(d + "/*_rtt.csv"):
    for r in csv.reader(open(f), delimiter=";"):
        try: rtts.append(float(r[1]))
        except (ValueError, IndexError): pass
rtts.sort()
pct = lambda p: rtts[min(len(rtts) - 1, int(len(rtts) * p))] if rtts else float("nan")
cpu = 100.0 * ticks / hz / (wall_ms / 1000.0)
print(f"| {rate} | {calls} | {ok} | {failed} | {pct(0.5):.2f} | {pct(0.99):.2f} | {cpu:.0f}% |")
PY
}

echo "Machine: $(nproc) cores, $(uname -r); sipp $(sipp -v 2>/dev/null | grep -o 'v[0-9.]*' | head -1)"
echo
echo "### Switchboard (SIPp UAC -> B2BUA -> SIPp UAS, UDP, calls without media)"
echo "| calls/s | attempted | successful | failed | setup p50 ms | setup p99 ms | switch CPU |"
echo "|---|---|---|---|---|---|---|"
echo "(admission limit: --max-cps ${MAX_CPS:-0}, 0 = none)"
target_pid=$server
for rate in 200 $RATES; do run_rate "$sip" "$rate"; done
sleep 2
cdrs=$(api "http://$http/api/v1/cdrs?page_size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("total"))')
echo
echo "INVITEs refused with 503 by admission control: $(refused)"
echo "CDRs written: $cdrs; switch RSS right after the runs: $(awk '/VmRSS/ {print $2" "$3}' /proc/$server/status)"
sleep "${SETTLE:-45}"
echo "switch RSS ${SETTLE:-45} s later (transaction timers expired): $(awk '/VmRSS/ {print $2" "$3}' /proc/$server/status)"

if [ "${REFERENCE:-0}" = 1 ]; then
  ref_src="$(ls -d ~/.cargo/registry/src/*/rsipstack-0.7.14 | head -1)"
  cp -r "$ref_src" "$work/rsipstack" && (cd "$work/rsipstack" && cargo build --release --features bench --bin bench_ua >&2)
  ref_port=$(free_port)
  "$work/rsipstack/target/release/bench_ua" --mode server --port "$ref_port" >/dev/null 2>&1 &
  ref=$!; pids+=("$ref"); sleep 1
  echo
  echo "### Reference: rsipstack 0.7.14 bench_ua answering directly (no B2BUA, no second leg)"
  echo "| calls/s | attempted | successful | failed | setup p50 ms | setup p99 ms | UAS CPU |"
  echo "|---|---|---|---|---|---|---|"
  target_pid=$ref
  for rate in 200 $RATES; do run_rate "127.0.0.1:$ref_port" "$rate"; done
fi
