// Start a throw-away Switchboard server for the browser test and stop it afterwards.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const CONSOLE_RE = /console at (https?:\/\/[^\s"'<>]+?)\/?(?=[\s"'<>]|$)/;
const PASSWORD_RE = /administrator "?admin"? created with password[:=]?\s+"?([^\s"]+)"?/;
const SIP_RE = /SIP is listening on udp\+tcp (\S+)/;

/**
 * Spawn `switchboard serve` on ephemeral ports in a fresh data directory and wait until it
 * prints the console URL and the first administrator password.
 * Resolves with {url, adminPassword, sip (host:port), stop(), logs()}.
 */
export async function startServer({ timeoutMs = 60_000 } = {}) {
  const bin = path.resolve(REPO_ROOT, process.env.SWITCHBOARD_BIN || 'target/debug/switchboard');
  if (!fs.existsSync(bin)) {
    throw new Error(`server binary not found: ${bin} (build it first, or set SWITCHBOARD_BIN)`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-e2e-'));
  const child = spawn(
    bin,
    ['serve', '--data-dir', dataDir, '--http', '127.0.0.1:0', '--sip', '127.0.0.1:0'],
    { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines = [];
  let url = null;
  let adminPassword = null;
  let sip = null;
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });

  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not report its console URL and admin password within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onLine = (line) => {
      const clean = line.replace(ANSI, '');
      lines.push(clean);
      const u = clean.match(CONSOLE_RE);
      if (u && !url) url = u[1].replace(/\/+$/, '');
      const a = clean.match(SIP_RE);
      if (a && !sip) sip = a[1];
      const p = clean.match(PASSWORD_RE);
      if (p && !adminPassword) adminPassword = p[1];
      if (url && adminPassword) {
        clearTimeout(timer);
        resolve();
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
    }
    exitPromise.then((e) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${JSON.stringify(e)}):\n${lines.join('\n')}`));
    });
  });

  async function stop() {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => !exited && child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(t);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  try {
    await ready;
  } catch (err) {
    await stop();
    err.message += `\n--- server output ---\n${lines.join('\n')}`;
    throw err;
  }
  return { url, adminPassword, sip, dataDir, stop, logs: () => lines.join('\n') };
}
