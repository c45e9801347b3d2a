#!/usr/bin/env bash
# Media figures for the SIP switch (issues 3 and 4): CALLS concurrent calls,
# each with G.711 RTP both ways at 50 packets/s through the media engine:
# SIPp UAC (rtp_stream) -> switch -> SIPp UAS (-rtp_echo) -> switch -> UAC.
# With RECORD=1 every call is also recorded to a stereo WAV (extension 1001,
# which the calls reach, gets record_calls on). Reports the switch's CPU and
# memory per call, packets relayed and lost, and the recorder's figures.
#
#   bench/sip-media.sh              (CALLS=1000, HOLD_SECS=20, RECORD=0,
#                                    MEDIA_THREADS=0 = one per core,
#                                    INBAND_DTMF=false)
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS="${CALLS:-1000}"
HOLD="${HOLD_SECS:-20}"
RECORD="${RECORD:-0}"
MEDIA_THREADS="${MEDIA_THREADS:-0}"
INBAND_DTMF="${INBAND_DTMF:-false}"
RAMP=50  # new calls per second
command -v sipp >/dev/null || apt-get install -y -qq sip-tester >/dev/null
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  cargo build --release -p switchboard --locked >&2
  target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  SWITCHBOARD_BIN="$target_dir/release/switchboard"
fi
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; pkill -f "sipp.*-p ($uas_port|$uac_port)" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http="127.0.0.1:$(free_port)"; sip="127.0.0.1:$(free_port)"; uas_port=$(free_port); uac_port=$(free_port)

"$SWITCHBOARD_BIN" serve --data-dir "$work/data" --http "$http" --sip "$sip" --max-cps 0 --max-calls 0 \
  --rtp-ports 20000-29999 --media-threads "$MEDIA_THREADS" --inband-dtmf "$INBAND_DTMF" --log warn >"$work/out.txt" 2>"$work/err.txt" &
server=$!
until grep -q "SIP is listening" "$work/out.txt" 2>/dev/null; do kill -0 "$server" || { cat "$work/err.txt"; exit 1; }; sleep 0.05; done
until curl -sf "http://$http/healthz" >/dev/null; do sleep 0.05; done
token=$("$SWITCHBOARD_BIN" token create --data-dir "$work/data" --employee-id admin --name bench --log warn)
curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -X POST "http://$http/api/v1/trunks" \
  -d "{\"name\":\"bench-carrier\",\"host\":\"127.0.0.1\",\"port\":$uac_port,\"enabled\":true}" >/dev/null
# Extension 1001 (which the DID reaches) records or not as RECORD says
# (the demo data records it).
ext=$(curl -sf -H "Authorization: Bearer $token" "http://$http/api/v1/extensions?q=1001" |
  python3 -c 'import json,sys; print(json.dumps(next(e for e in json.load(sys.stdin)["items"] if e["extension"]=="1001")))')
body=$(python3 -c 'import json,sys; e=json.loads(sys.argv[1]); print(json.dumps({"extension":e["extension"],"display_name":e["display_name"],"call_class":e["call_class"],"max_contacts":e["max_contacts"],"enabled":e["enabled"],"record_calls":sys.argv[2]=="1"}))' "$ext" "$RECORD")
ext_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$ext")
curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -X PUT "http://$http/api/v1/extensions/$ext_id" -d "$body" >/dev/null
sed "s/@USER@/1001/g; s/@PASS@/demo1001/g" bench/sip/register.xml >"$work/register.xml"
python3 bench/sip/make_tone.py "$work/tone-pcmu.wav"
cp bench/sip/uac-rtp.xml "$work/"
(cd "$work" && sipp "$sip" -sf register.xml -i 127.0.0.1 -p "$uas_port" -m 1 -timeout 10s >/dev/null 2>&1)
metric() { curl -s "http://$http/metrics" | awk -v m="switchboard_$1" '$1==m {print $2}'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$server/stat"; }

idle_rss=$(rss_kb)
(cd "$work" && sipp -sn uas -i 127.0.0.1 -p "$uas_port" -mp "$(free_port)" -rtp_echo -bg >/dev/null 2>&1) || true
duration_ms=$(( (CALLS / RAMP + HOLD + 5) * 1000 ))
(cd "$work" && sipp "$sip" -sf uac-rtp.xml -s 4008001000 -i 127.0.0.1 -p "$uac_port" -r "$RAMP" -m "$CALLS" -l "$CALLS" \
   -d "$duration_ms" -timeout $(( duration_ms / 1000 + 60 ))s -trace_stat -stf stat.csv >/dev/null 2>&1) &
uac=$!
# Wait until every call is up, then measure a steady window.
until [ "$(metric sip_calls_active)" -ge "$CALLS" ] 2>/dev/null; do kill -0 "$uac" 2>/dev/null || break; sleep 0.5; done
sleep 3
active=$(metric sip_calls_active)
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks); p0=$(metric rtp_packets_relayed_total); t0=$(date +%s%N)
backlog_max=0
for _ in $(seq 20); do
  sleep 0.5
  b=$(metric recorder_backlog); [ "${b:-0}" -gt "$backlog_max" ] && backlog_max=$b
done
c1=$(cpu_ticks); p1=$(metric rtp_packets_relayed_total); t1=$(date +%s%N)
busy_rss=$(rss_kb)
wait "$uac" || true
sleep 3
received=$(metric rtp_packets_received_total); relayed=$(metric rtp_packets_relayed_total)
dropped=$(( $(metric rtp_packets_dropped_source_total) + $(metric rtp_packets_dropped_ssrc_total) + $(metric rtp_packets_malformed_total) ))
python3 - "$active" "$(( c1 - c0 ))" "$hz" "$(( (t1 - t0) / 1000000 ))" "$(( p1 - p0 ))" "$idle_rss" "$busy_rss" "$received" "$relayed" "$dropped" \
  "$(metric recordings_finished_total)" "$(metric recording_failures_total)" "$backlog_max" "$(metric media_late_ticks_total)" "$(metric rtp_send_errors_total)" <<'PY'
import sys
active, ticks, hz, wall_ms, packets, idle, busy, received, relayed, dropped, rec_done, rec_failed, backlog, late, send_errors = map(int, sys.argv[1:])
secs = wall_ms / 1000
cpu = ticks / hz / secs
print(f"| concurrent calls | {active} |")
print(f"|---|---|")
print(f"| packets relayed per second (both ways) | {packets / secs:,.0f} |")
print(f"| switch CPU | {cpu * 100:.0f}% of one core ({cpu * 100 / max(active, 1):.3f}% per call) |")
print(f"| forwards per core-second | {packets / secs / max(cpu, 1e-9):,.0f} |")
print(f"| memory | {(busy - idle) / max(active, 1):.0f} KB per call ({idle // 1024} MB idle, {busy // 1024} MB busy) |")
print(f"| packets received / relayed (whole run) | {received:,} / {relayed:,} |")
print(f"| received but not relayed | {received - relayed:,} ({(received - relayed) / max(received, 1) * 100:.3f}%), of which dropped as unexpected/malformed {dropped:,} |")
print(f"| sends refused by the kernel | {send_errors:,} |")
print(f"| recordings finished / failed | {rec_done:,} / {rec_failed:,} (writer backlog peak {backlog} chunks) |")
print(f"| media ticks more than 20 ms late | {late:,} |")
PY
