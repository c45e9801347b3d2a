// Browser test of webhooks against a real server:
//   node --test tests/e2e/webhooks.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// The administrator opens 事件推送, is told an https URL is refused (the field named), creates a webhook for
// call.answered pointing at a receiver in this test, copies the secret shown once, sends a test ping (the
// receiver checks X-Switchboard-Signature with that secret, as docs/WEBHOOKS.md shows) and sees the ping
// delivered in the delivery log; then a supervisor signs agent 1004 in and the receiver gets the agent.state event.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, screenshot, byTest, poll, fill, click, chooseOption, menuEntries, inputOf, newSessionPage,
  signIn, apiCall,
} from './lib/browser.mjs';

const SUFFIX = Date.now().toString(36).slice(-5);
const NAME = `E2E推送${SUFFIX}`;

/** The docs' check: HMAC-SHA256(secret, "<t>.<body>") in constant time. */
function verified(secret, header, body) {
  const parts = Object.fromEntries(String(header).split(',').map((kv) => kv.split('=')));
  const expected = crypto.createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  const given = Buffer.from(parts.v1 || '', 'utf8');
  return given.length === expected.length && crypto.timingSafeEqual(given, Buffer.from(expected, 'utf8'));
}

describe('webhooks console', { timeout: 120_000 }, () => {
  let server;
  let browser;
  let admin;
  let receiver;
  let receiverUrl;
  let failed = false;
  let secret = '';
  let hookId = null;
  const received = [];
  const pageErrors = [];

  function step(name, fn) {
    it(name, async (t) => {
      if (failed) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn();
      } catch (err) {
        failed = true;
        const file = admin ? await screenshot(admin, `webhooks-failed-${name}`) : null;
        if (file) err.message += `\n(screenshot: ${file})`;
        throw err;
      }
    });
  }

  before(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${receiver.address().port}/switchboard`;
    server = await startServer();
    browser = await launchBrowser();
    admin = await newSessionPage(browser, pageErrors);
  });

  after(async () => {
    if (failed && server) {
      console.log(`--- server output ---\n${server.logs().split('\n').slice(-80).join('\n')}`);
    }
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
    if (receiver) receiver.close();
  });

  step('the administrator finds 事件推送 next to API tokens', async () => {
    await signIn(admin, server.url, 'admin', server.adminPassword);
    const entries = await menuEntries(admin);
    const tokens = entries.indexOf('menu-api-tokens');
    assert.ok(tokens >= 0, 'menu-api-tokens');
    assert.equal(entries[tokens + 1], 'menu-webhooks');
    await admin.goto(`${server.url}/#/webhooks`);
    await admin.locator(byTest('page-webhooks')).waitFor();
    assert.ok((await admin.locator(byTest('page-webhooks')).innerText()).includes('事件推送'));
  });

  step('an https URL is refused with the field named; an http one is created and its secret shown once', async () => {
    await click(admin, 'webhook-create');
    await admin.locator(byTest('webhook-form')).waitFor();
    await fill(admin, 'webhook-name', NAME);
    await fill(admin, 'webhook-url', 'https://crm.example/hooks');
    await chooseOption(admin, 'webhook-event-types', 'call.answered');
    await chooseOption(admin, 'webhook-event-types', 'agent.state');
    await inputOf(admin, 'webhook-name').click(); // closes the multi-select's dropdown
    await click(admin, 'webhook-save');
    await poll(async () => (await admin.locator(`${byTest('webhook-form')} .el-form-item__error`).allInnerTexts())
      .some((text) => text.includes('https')), { message: 'the url field error' });
    await fill(admin, 'webhook-url', receiverUrl);
    await click(admin, 'webhook-save');
    await admin.locator(byTest('webhook-secret')).waitFor();
    secret = await inputOf(admin, 'webhook-secret').inputValue();
    assert.match(secret, /^whsec_[0-9a-f]{64}$/);
    await click(admin, 'webhook-secret-done');
    await admin.locator(byTest('webhook-secret')).waitFor({ state: 'hidden' });
    const list = await apiCall(admin, 'GET', '/webhooks');
    const hook = list.body.find((w) => w.name === NAME);
    assert.ok(hook, 'the webhook is listed');
    assert.deepEqual(hook.event_types, ['call.answered', 'agent.state']);
    assert.ok(!JSON.stringify(list.body).includes(secret), 'the secret is masked afterwards');
    hookId = hook.id;
    await poll(async () => (await admin.locator(byTest('webhooks-table')).innerText()).includes(NAME),
      { message: 'the new row' });
  });

  step('a test ping reaches the receiver, signed, and shows in the delivery log', async () => {
    await click(admin, `webhook-test-${hookId}`);
    await poll(async () => received.length === 1, { message: 'the ping at the receiver' });
    const ping = received[0];
    assert.equal(ping.headers['x-switchboard-event'], 'ping');
    assert.ok(verified(secret, ping.headers['x-switchboard-signature'], ping.body), 'the signature checks out');
    assert.equal(JSON.parse(ping.body).type, 'ping');
    await click(admin, `webhook-log-${hookId}`);
    await admin.locator(byTest('webhook-deliveries')).waitFor();
    const delivery = ping.headers['x-switchboard-delivery'];
    await poll(async () => {
      const text = await admin.locator(byTest('webhook-deliveries-table')).innerText();
      return text.includes('ping') && text.includes('已送达') && text.includes('204');
    }, { message: 'the delivered ping in the log' });
    await admin.locator(byTest(`webhook-delivery-state-${delivery}`)).waitFor();
  });

  step('a real CTI event follows: a supervisor signs agent 1004 in and the receiver gets agent.state', async () => {
    const forced = await apiCall(admin, 'POST', '/agents/1004/state', { state: 'signed_in' });
    assert.equal(forced.status, 200, JSON.stringify(forced.body));
    const event = await poll(() => received.find((r) => r.headers['x-switchboard-event'] === 'agent.state'),
      { message: 'agent.state at the receiver' });
    assert.ok(verified(secret, event.headers['x-switchboard-signature'], event.body), 'signed');
    const body = JSON.parse(event.body);
    assert.equal(body.agent.employee_id, '1004');
    assert.ok(body.seq > 0);
    await click(admin, 'webhook-log-refresh');
    await poll(async () => (await admin.locator(byTest('webhook-deliveries-table')).innerText()).includes('agent.state'),
      { message: 'agent.state in the log' });
    assert.deepEqual(pageErrors, []);
  });
});
