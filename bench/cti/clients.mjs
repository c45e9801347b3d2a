// CTI event fan-out load client (bench/cti-events.sh): N WebSocket clients on /api/v1/events, each measuring, for
// every event it receives, the delay from the event's `at` (set when the switch handled the SIP message) to its
// arrival here. Prints one JSON line of figures on SIGTERM/SIGINT or after --seconds.
//   node bench/cti/clients.mjs --url ws://127.0.0.1:8080/api/v1/events --token sbt_... --clients 500 --seconds 60
import WebSocket from 'ws';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => {
  if (a.startsWith('--')) pairs.push([a.slice(2), all[i + 1]]);
  return pairs;
}, []));
const url = args.url;
const clients = Number(args.clients || 500);
const seconds = Number(args.seconds || 120);
const latencies = [];
let connected = 0;
let lost = 0;
let lagged = 0;
let closed = 0;
let received = 0;

for (let i = 0; i < clients; i += 1) {
  const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${args.token}` }, perMessageDeflate: false });
  let last = 0;
  socket.on('open', () => {
    connected += 1;
    if (connected === clients) console.error(`connected ${connected}`);
  });
  socket.on('message', (data) => {
    const now = Date.now();
    const event = JSON.parse(data.toString());
    if (event.type === 'hello') {
      last = event.seq;
      return;
    }
    if (event.type === 'lagged') {
      lagged += 1;
      return;
    }
    if (typeof event.seq !== 'number') return;
    if (last && event.seq > last + 1) lost += event.seq - last - 1;
    last = event.seq;
    received += 1;
    latencies.push(now - event.at);
  });
  socket.on('close', () => { closed += 1; });
  socket.on('error', (err) => console.error(`client ${i}: ${err.message}`));
}

function report() {
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] : null);
  console.log(JSON.stringify({
    clients, connected, closed, received, lost, lagged,
    p50_ms: pct(0.5), p95_ms: pct(0.95), p99_ms: pct(0.99), max_ms: latencies.length ? latencies[latencies.length - 1] : null,
  }));
  process.exit(0);
}
process.on('SIGTERM', report);
process.on('SIGINT', report);
setTimeout(report, seconds * 1000);
