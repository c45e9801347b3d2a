#!/usr/bin/env bash
# End-to-end figures for voice flows and the ACD (issue 5): calls per second
# through IVR -> queue -> agent, SIPp on both sides.
#
#   bench/ivr-queue.sh        (AGENTS=1000, HOLD_SECS=1 (may be fractional),
#                              RATES="100 200 300 400 500",
#                              SECONDS_PER_RATE=20; TOTAL=N calls per rate
#                              instead of rate x seconds; MAX_CPS, MAX_CALLS:
#                              the switch's admission limits, 0 = none;
#                              KEEP=1 keeps the work directory with the logs)
#
# A carrier (SIPp UAC, bench/sip/uac-ivr-dtmf.xml, a trunk trusting
# 127.0.0.1 on its port) calls a DID routed to the flow `bench-ivr`:
# greeting (built-in "welcome", 1.2 s, key barges in) -> menu, key 1 ->
# queue `bench` (longest idle, ring timeout 15 s, wrap-up 0, waiting at most
# MAX_WAIT_SECS, overflow -> hang up). The caller presses 1 as RFC 4733
# events replayed from a pcap 500 ms after the IVR answers, stays HOLD_SECS
# on the call, then hangs up. AGENTS extensions 7000.. (staff bench7000..,
# members of the queue, signed in) are all registered from one port, where
# one SIPp UAS (bench/sip/uas-agent.xml) answers whatever the ACD offers.
#
# Per rate: calls attempted / answered by the IVR / reaching an agent (CDRs
# with callee_extension); failed calls as each SIPp counts them, and calls
# that never reached an agent (the caller hangs up on schedule, so a caller
# still waiting then gave up); time from the INVITE to the IVR's answer,
# from the key to the agent's phone ringing and from the INVITE to the
# agent answering (SIPp wall-clock logs joined on the calling number); CPU
# of the switch and of each SIPp from 2 s in until the last call is offered
# (the load average after each run goes to stderr); the switch's peak of
# calls in progress, open files and RSS; agents not back to ready
# afterwards; warnings in the switch log.
# Needs root (SIPp's play_pcap_audio sends through a raw socket), sipp with
# pcap play (Debian `sip-tester`), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
AGENTS="${AGENTS:-1000}"
HOLD="${HOLD_SECS:-1}"
hold_ms=$(awk -v h="$HOLD" 'BEGIN { printf "%d", h * 1000 }')
RATES="${RATES:-100 200 300 400 500}"
SECS="${SECONDS_PER_RATE:-20}"
MAX_WAIT="${MAX_WAIT_SECS:-30}"
DID=4008005000
PCAP=/usr/share/sip-tester/dtmf_2833_1.pcap
command -v sipp >/dev/null || apt-get install -y -qq sip-tester >/dev/null
[ "$(id -u)" = 0 ] || { echo "needs root: SIPp plays the DTMF pcap through a raw socket" >&2; exit 1; }
sipp_version=$(sipp -v 2>&1 || true)
grep -q PCAP <<<"$sipp_version" || { echo "this sipp has no pcap play" >&2; exit 1; }
[ -r "$PCAP" ] || { echo "no $PCAP (Debian sip-tester ships it)" >&2; exit 1; }
[ "$AGENTS" -le 1000 ] || { echo "AGENTS: at most 1000 (one queue's members)" >&2; exit 1; }
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  cargo build --release -p switchboard --locked >&2
  target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  SWITCHBOARD_BIN="$target_dir/release/switchboard"
fi
work="$(mktemp -d)"
server=""; uas=""
cleanup() {
  for p in $uas $server; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http="127.0.0.1:$(free_port)"; sip="127.0.0.1:$(free_port)"
uas_port=$(free_port); uac_port=$(free_port); uas_media=$(free_port); uac_media=$(free_port)

"$SWITCHBOARD_BIN" serve --data-dir "$work/data" --http "$http" --sip "$sip" --max-cps "${MAX_CPS:-0}" --max-calls "${MAX_CALLS:-0}" \
  --rtp-ports 20000-59999 --log warn >"$work/out.txt" 2>"$work/err.txt" &
server=$!
until grep -q "SIP is listening" "$work/out.txt" 2>/dev/null; do kill -0 "$server" || { cat "$work/err.txt"; exit 1; }; sleep 0.05; done
until curl -sf "http://$http/healthz" >/dev/null; do sleep 0.05; done
token=$("$SWITCHBOARD_BIN" token create --data-dir "$work/data" --employee-id admin --name bench --log warn)

# Configuration through the API: trunk, queue, flow, route, agents.
python3 - "http://$http" "$token" "$uac_port" "$AGENTS" "$MAX_WAIT" "$DID" "$work/users.csv" <<'PY'
import json, sys, urllib.request
base, token, uac_port, agents, max_wait, did, csv_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
def api(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")
trunk = api("POST", "/api/v1/trunks", {"name": "bench-carrier", "host": "127.0.0.1", "port": uac_port, "enabled": True})
queue = api("POST", "/api/v1/queues", {"name": "bench", "display_name": "Bench", "strategy": "longest_idle",
    "ring_timeout_s": 15, "wrap_up_s": 0, "max_wait_s": max_wait, "no_answer_limit": 0, "overflow_action": "none"})
flow = {"language": "en", "start": "greeting", "nodes": {
    "greeting": {"type": "play", "prompts": [{"builtin": "welcome"}], "next": "menu", "barge_in": True},
    "menu": {"type": "menu", "prompts": [{"builtin": "please-hold"}], "choices": {"1": "queue"},
             "timeout_ms": 5000, "retries": 1, "on_failure": "bye"},
    "queue": {"type": "queue", "queue": "bench", "on_overflow": "bye"},
    "bye": {"type": "hangup"}}}
api("POST", "/api/v1/ivr/flows", {"name": "bench-ivr", "number": None, "description": "bench/ivr-queue.sh",
    "enabled": True, "document": flow})
api("POST", "/api/v1/inbound-routes", {"did": did, "trunk_id": trunk["id"], "target_kind": "flow", "target": "bench-ivr"})
members = []
with open(csv_path, "w") as csv:
    csv.write("SEQUENTIAL\n")
    for i in range(agents):
        ext = str(7000 + i)
        password = f"Bench-{ext}-x9"
        api("POST", "/api/v1/extensions", {"extension": ext, "display_name": f"Bench agent {ext}", "password": password})
        staff = api("POST", "/api/v1/staff", {"employee_id": f"bench{ext}", "name": f"Bench agent {ext}", "extension": ext})
        members.append({"staff_id": staff["id"], "skill": 5})
        csv.write(f"{ext};{password};[authentication username={ext} password={password}]\n")
api("PUT", f"/api/v1/queues/{queue['id']}/members", members)
PY
# Every agent's phone registers from the port the answering SIPp then takes.
(cd "$work" && sipp "$sip" -sf "$repo/bench/sip/register-users.xml" -inf users.csv -i 127.0.0.1 -p "$uas_port" \
   -r 100 -m "$AGENTS" -timeout 60s -trace_stat -stf register.csv >/dev/null 2>&1) || {
  echo "agent registration failed: $(tail -1 "$work/register.csv")" >&2; exit 1; }
bg=$(cd "$work" && sipp -sf "$repo/bench/sip/uas-agent.xml" -i 127.0.0.1 -p "$uas_port" -mp "$uas_media" -aa \
   -trace_logs -log_file agents.log -trace_err -error_file agents-errors.log -trace_stat -fd 1 -stf agents.csv -bg 2>&1 || true)
uas=$(grep -o 'PID=\[[0-9]*\]' <<<"$bg" | tr -dc 0-9)
[ -n "$uas" ] || { echo "agents' SIPp did not start: $bg" >&2; exit 1; }
python3 - "http://$http" "$token" "$AGENTS" <<'PY'
import json, sys, urllib.request
base, token, agents = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(agents):
    req = urllib.request.Request(f"{base}/api/v1/agents/bench{7000 + i}/state", method="POST",
        data=b'{"state":"signed_in"}', headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        state = json.load(r)["state"]
        assert state == "ready", state
PY

active_calls() { curl -s "http://$http/metrics" | awk '$1=="switchboard_sip_calls_active" {print $2}'; }
open_files() { ls "/proc/$server/fd" | wc -l; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
cpu_ticks() { awk '{print $14+$15}' "/proc/${1:-$server}/stat" 2>/dev/null || echo 0; }
log_lines() { cat "$work/out.txt" "$work/err.txt" | grep -cE ' (WARN|ERROR) ' || true; }
# The agents' SIPp: successful and failed calls so far.
agents_failed() { python3 -c 'import csv,sys; print(list(csv.DictReader(open(sys.argv[1]),delimiter=";"))[-1]["FailedCall(C)"])' "$work/agents.csv"; }
# Agents not ready, by state.
busy_agents() {
  curl -s -H "Authorization: Bearer $token" "http://$http/api/v1/acd/state" | python3 -c '
import json, sys, collections
s = json.load(sys.stdin)
c = collections.Counter(a["state"] for a in s["agents"] if a["employee_id"].startswith("bench") and a["state"] != "ready")
print(", ".join(f"{n} {k}" for k, n in sorted(c.items())) or "none")'
}

echo "Machine: $(nproc) cores, $(uname -r); $(grep -o 'v[0-9][^ ]*' <<<"$sipp_version" | head -1); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Agents: $AGENTS; a caller presses 1 0.5 s after the IVR answers and hangs up ${HOLD} s later (agents talk ~${HOLD} s); queue wait limit ${MAX_WAIT} s"
echo "Admission limits: --max-cps ${MAX_CPS:-0} --max-calls ${MAX_CALLS:-0} (0 = none); open files allowed: $(awk '/open files/ {print $4}' "/proc/$server/limits")"
echo "switch RSS idle with the agents registered and signed in: $(( $(rss_kb) / 1024 )) MB"
echo
echo "| calls/s | attempted | IVR answered | reached an agent | failed: callers' SIPp / agents' SIPp / not reaching an agent | INVITE -> IVR answers p50 / p99 ms | key -> agent rings p50 / p99 ms | INVITE -> agent answers p50 / p99 ms | switch CPU | callers' SIPp CPU | agents' SIPp CPU | switch peak calls / open files | switch RSS peak | agents not ready after | switch warnings |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
run=00
for rate in $RATES; do
  run=$(printf %02d $(( 10#$run + 1 )))
  calls=${TOTAL:-$(( rate * SECS ))}
  if [ $(( rate * hold_ms / 1000 )) -gt "$AGENTS" ]; then
    echo "(rate $rate x ~$HOLD s per agent call needs more than $AGENTS agents: callers will wait)" >&2
  fi
  dir="$work/run-$run"; mkdir -p "$dir"
  warn0=$(log_lines); a_fail0=$(agents_failed)
  c0=$(cpu_ticks); a0=$(cpu_ticks "$uas"); start=$(date +%s%N); t0=$start; u0=0
  (cd "$dir" && sipp "$sip" -sf "$repo/bench/sip/uac-ivr-dtmf.xml" -s "$DID" -key run "$run" -i 127.0.0.1 \
     -p "$uac_port" -mp "$uac_media" -r "$rate" -m "$calls" -l 15000 -d "$hold_ms" \
     -timeout $(( calls / rate + hold_ms / 1000 + MAX_WAIT + 60 ))s -trace_logs -log_file caller.log -trace_err -error_file "$work/callers-errors.log" -trace_stat -stf stat.csv \
     >/dev/null 2>&1) &
  uac=$!
  sleep 0.2; uac_sipp=$(pgrep -f -- "-p $uac_port -mp $uac_media" | head -1 || true)
  # CPU over the steady part: from 2 s in until the last call is offered.
  peak=0; peak_calls=0; peak_fds=0; moved=""; t1=""; window_end=$(( calls / rate > 3 ? calls / rate : 3 ))
  while kill -0 "$uac" 2>/dev/null; do
    r=$(rss_kb); [ "$r" -gt "$peak" ] && peak=$r
    r=$(active_calls); [ "${r:-0}" -gt "$peak_calls" ] && peak_calls=$r
    r=$(open_files); [ "$r" -gt "$peak_fds" ] && peak_fds=$r
    elapsed=$(( ($(date +%s%N) - start) / 1000000000 ))
    if [ -z "$moved" ] && [ "$elapsed" -ge 2 ]; then
      c0=$(cpu_ticks); a0=$(cpu_ticks "$uas"); u0=$(cpu_ticks "${uac_sipp:-0}"); t0=$(date +%s%N); moved=1
    elif [ -n "$moved" ] && [ -z "$t1" ] && [ "$elapsed" -ge "$window_end" ]; then
      c1=$(cpu_ticks); a1=$(cpu_ticks "$uas"); u1=$(cpu_ticks "${uac_sipp:-0}"); t1=$(date +%s%N)
    fi
    sleep 0.25
  done
  wait "$uac" || true
  [ -n "$t1" ] || { c1=$(cpu_ticks); a1=$(cpu_ticks "$uas"); u1=$u0; t1=$(date +%s%N); }
  # Agents go back to ready once the callers' BYEs are through (40 s covers
  # a BYE that is never answered: its transaction gives up after 32 s).
  for _ in $(seq 80); do [ "$(busy_agents)" = none ] && break; sleep 0.5; done
  stuck=$(busy_agents)
  sleep 2
  a_fail1=$(agents_failed)
  echo "(load average after run $run: $(cut -d' ' -f1 /proc/loadavg))" >&2
  warn=$(( $(log_lines) - warn0 ))
  cdrs="$dir/cdrs.json"
  python3 - "http://$http" "$token" "139$run" >"$cdrs" <<'PY'
import json, sys, urllib.request
base, token, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
rows, page = [], 1
while True:
    req = urllib.request.Request(f"{base}/api/v1/cdrs?number={prefix}&per_page=1000&page={page}",
                                 headers={"Authorization": "Bearer " + token})
    items = json.load(urllib.request.urlopen(req))["items"]
    rows += [c for c in items if c["caller"].startswith(prefix)]
    if len(items) < 1000:
        break
    page += 1
json.dump(rows, sys.stdout)
PY
  python3 - "$dir" "$work/agents.log" "$run" "$rate" "$calls" "$(( c1 - c0 ))" "$(getconf CLK_TCK)" \
    "$(( (t1 - t0) / 1000000 ))" "$peak" "$stuck" "$warn" "$(( a_fail1 - a_fail0 ))" "$(( a1 - a0 ))" "$(( u1 - u0 ))" "$peak_calls / $peak_fds" <<'PY'
import csv, json, sys
d, agents_log, run, rate, calls, ticks, hz, wall_ms, peak, stuck, warn, agent_failed, agent_ticks, caller_ticks, peaks = sys.argv[1:]
prefix = "139" + run
rows = list(csv.DictReader(open(d + "/stat.csv"), delimiter=";"))
failed = int(rows[-1]["FailedCall(C)"])
def events(path):
    out = {}
    for line in open(path, errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 5 and f[4].startswith(prefix):
            out.setdefault((f[3], f[4]), float(f[2]))
    return out
caller, agent = events(d + "/caller.log"), events(agents_log)
answered = sum(1 for (kind, _) in caller if kind == "answered")
def pct(xs):
    xs = sorted(xs)
    if not xs:
        return "-"
    at = lambda p: xs[min(len(xs) - 1, int(len(xs) * p))] * 1000
    return f"{at(0.5):.0f} / {at(0.99):.0f}"
ivr = [caller[("answered", n)] - t for (kind, n), t in caller.items() if kind == "invite" and ("answered", n) in caller]
rings = [agent[("offer", n)] - t for (kind, n), t in caller.items() if kind == "key" and ("offer", n) in agent]
setup = [agent[("answered", n)] - t for (kind, n), t in caller.items() if kind == "invite" and ("answered", n) in agent]
cdrs = json.load(open(d + "/cdrs.json"))
reached = sum(1 for c in cdrs if c.get("callee_extension"))
share = lambda t: 100.0 * int(t) / int(hz) / (int(wall_ms) / 1000.0)
cpu = share(ticks)
calls_n = int(calls)
print(f"| {rate} | {calls} | {answered} | {reached} (CDRs: {len(cdrs)}) | {failed} / {agent_failed} / {calls_n - reached} "
      f"| {pct(ivr)} | {pct(rings)} | {pct(setup)} | {cpu:.0f}% | {share(caller_ticks):.0f}% | {share(agent_ticks):.0f}% | {peaks} | {int(peak) // 1024} MB | {stuck} | {warn} |")
PY
done
echo
echo "switch RSS at the end: $(( $(rss_kb) / 1024 )) MB"
for side in callers agents; do
  [ -s "$work/$side-errors.log" ] || continue
  python3 - "$work/$side-errors.log" "$side" <<'PY'
import collections, re, sys
text = open(sys.argv[1], errors="replace").read()
seen = collections.Counter()
for m in re.finditer(r"\d{10}\.\d{6}: (.*?)(?=\d{4}-\d\d-\d\d\t|\Z)", text, re.S):
    event = m.group(1)
    if event.startswith(("Automatic response mode", "Failed to delete FD from epoll")):
        continue  # the switch's keep-alive OPTIONS (answered by -aa); SIPp's own noise
    short = re.sub(r"(for call:|Call-Id|Dead call) '?\S+", r"\1 …", event.split("\n")[0])
    received = re.search(r"received '(\S+ \S+|SIP/2.0 \d+)", event)
    short = re.sub(r"received '.*", "received " + (received.group(1).split(" sip:")[0] if received else "?"), short)
    seen[short[:160]] += 1
if seen:
    print(f"\nWhat the {sys.argv[2]}' SIPp logged as unexpected (all runs):")
for event, n in seen.most_common(8):
    print(f"  {n} x {event}")
PY
done
if [ "$(log_lines)" -gt 0 ]; then
  echo; echo "Switch warnings and errors (the 20 most frequent, values elided):"
  cat "$work/out.txt" "$work/err.txt" | grep -E ' (WARN|ERROR) ' | sed -E 's/^[^ ]+ +//; s/=("[^"]*"|[^ ]*[0-9][^ ]*)/=…/g' |
    sort | uniq -c | sort -rn | head -20 | cut -c1-240
fi
