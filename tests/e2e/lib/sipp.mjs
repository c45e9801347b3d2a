// SIPp peers for browser tests (Debian's sip-tester), with the scenarios the Rust SIP tests use
// (tests/sip/scenarios): a phone registers as an extension and answers on the same port, a carrier calls a DID
// from an address of its own on 127/8. Every process is killed by stopAll(); every wait has a deadline.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './server.mjs';

const SCENARIOS = path.join(REPO_ROOT, 'tests', 'sip', 'scenarios');
const children = new Set();

export function sippAvailable() {
  return spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;
}

/** A UDP port free on `ip` now. */
export async function freePort(ip = '127.0.0.1') {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, ip, resolve));
  const { port } = socket.address();
  await new Promise((resolve) => socket.close(resolve));
  return port;
}

function usersCsv(dir, user, password) {
  const file = path.join(dir, `user-${user}.csv`);
  fs.writeFileSync(file, `SEQUENTIAL\n${user};${password};[authentication username=${user} password=${password}]\n`);
  return file;
}

function run(dir, name, args) {
  const out = fs.openSync(path.join(dir, `${name}.out`), 'w');
  const child = spawn('sipp', args, { stdio: ['ignore', out, out] });
  children.add(child);
  const exited = new Promise((resolve) => child.on('exit', (code) => {
    children.delete(child);
    resolve(code);
  }));
  return { child, exited, log: () => fs.readFileSync(path.join(dir, `${name}.out`), 'utf8') };
}

async function common(dir, name, scenario, csv, ip, port, keys, extra) {
  const args = ['-sf', path.join(SCENARIOS, scenario), '-inf', csv, '-t', 'u1', '-i', ip, '-p', String(port),
    '-mp', String(await freePort(ip)), '-m', '1', '-timeout', '90s', '-timeout_error', '-nostdin', '-aa',
    '-trace_err', '-error_file', path.join(dir, `${name}.errors.log`)];
  for (const [k, v] of Object.entries(keys)) args.push('-key', k, String(v));
  return args.concat(extra);
}

/** Registers `extension` (demo password demo<extension>) from a fresh port; resolves with the port. */
export async function register(sip, extension, dir) {
  const port = await freePort();
  const csv = usersCsv(dir, extension, `demo${extension}`);
  const args = [sip, ...(await common(dir, `register-${extension}`, 'register.xml', csv, '127.0.0.1', port, {}, []))];
  const r = run(dir, `register-${extension}`, args);
  const code = await r.exited;
  if (code !== 0) throw new Error(`SIPp could not register ${extension} (exit ${code}):\n${r.log()}`);
  return port;
}

/** A phone answering calls to `extension` on `port` (after register); keeps the call until the other side hangs up. */
export async function answering(extension, port, dir, scenario = 'uas_answer_long.xml') {
  const csv = usersCsv(dir, extension, `demo${extension}`);
  const keys = { rtp_port: await freePort(), relay_file: path.join(dir, `relay-${extension}`) };
  const r = run(dir, `phone-${extension}`, await common(dir, `phone-${extension}`, scenario, csv, '127.0.0.1', port, keys, []));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return r;
}

/** A carrier on `ip` calls `did` at the switch as `caller`, stays `holdMs` after the answer, then hangs up. */
export async function carrierCall(sip, { caller, did, ip = '127.0.0.3', holdMs = 30_000, dir }) {
  const csv = path.join(dir, `carrier-${caller}.csv`);
  fs.writeFileSync(csv, `SEQUENTIAL\n${caller};\n`);
  const keys = { callee: did, rtp_port: await freePort(ip), relay_file: path.join(dir, `relay-carrier-${caller}`) };
  const args = [sip, ...(await common(dir, `carrier-${caller}`, 'carrier_call.xml', csv, ip, await freePort(ip), keys,
    ['-d', String(holdMs)]))];
  return run(dir, `carrier-${caller}`, args);
}

export function stopAll() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
