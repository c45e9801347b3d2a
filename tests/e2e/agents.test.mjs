// Browser test of the agents page (the ACD live) against a real server:
//   node --test tests/e2e/agents.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// Signs in as the first administrator and opens the agents page from the menu: the demo queues sales and service
// and the demo agents 1003 and 1004, signed out. Signs 1003 in (an unknown extension is refused, naming the field;
// no phone is needed to sign in), sees it ready and the sales queue with one agent ready; makes it not ready with a
// reason, filters the table, forces it ready and signs it out. Agent 1004 (the demo agent role: agent.work only)
// signs in in a second browser and sees only their own state bar; a supervisor's sign-in of 1004 that comes after
// 1004's own is refused with the ACD's reason; 1004 goes not ready, ready and signs out from the bar. The page
// polls while open and stops when left.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, screenshot, byTest, poll, fill, click, chooseOption, menuEntries, inputOf,
} from './lib/browser.mjs';

const isAcdState = (r) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/api/v1/acd/state';
const SUFFIX = Date.now().toString(36).slice(-5);
const AGENT_PASSWORD = `Agent-${SUFFIX}-Pw9`;

describe('agents console', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  let agentPage;
  let failed = false;
  const pageErrors = [];
  const polls = [];
  const agentAcdPolls = [];

  /** One step of the scenario; later steps are skipped once one fails. */
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
        const file = await screenshot(page, `agents-failed-${name}`);
        if (file) err.message += `\n(screenshot: ${file})`;
        const agentFile = await screenshot(agentPage, `agents-failed-agent-${name}`);
        if (agentFile) err.message += `\n(agent's screenshot: ${agentFile})`;
        throw err;
      }
    });
  }

  const text = async (id) => (await page.locator(byTest(id)).innerText()).trim();
  const stateOf = (id) => page.locator(byTest(`agent-state-${id}`)).getAttribute('data-state');
  async function waitState(id, state) {
    await poll(async () => (await stateOf(id)) === state, { message: `agent ${id} to be ${state}` });
  }
  async function waitText(id, expected) {
    await poll(async () => (await text(id)) === expected, { message: `${id} to read ${expected}` });
  }

  const agentText = async (id) => (await agentPage.locator(byTest(id)).innerText()).trim();
  const myState = () => agentPage.locator(byTest('my-state')).getAttribute('data-state');
  async function waitMyState(state) {
    await poll(async () => (await myState()) === state, { message: `my state to be ${state}` });
  }

  async function apiPost(path, body) {
    return page.evaluate(async ([p, b]) => {
      const me = await (await fetch('/api/v1/auth/me', { credentials: 'same-origin' })).json();
      const res = await fetch(`/api/v1${p}`, {
        method: 'POST', credentials: 'same-origin', body: JSON.stringify(b),
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
      });
      return { status: res.status };
    }, [path, body]);
  }

  async function apiGet(path) {
    return page.evaluate(async (p) => {
      const res = await fetch(`/api/v1${p}`, { credentials: 'same-origin' });
      return { status: res.status, body: await res.json() };
    }, path);
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) {
        pageErrors.push(`csp: ${msg.text()}`);
      }
    });
    const agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    agentPage = await agentContext.newPage();
    agentPage.setDefaultTimeout(15_000);
    agentPage.on('pageerror', (err) => pageErrors.push(`agent pageerror: ${err.message}`));
    agentPage.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) {
        pageErrors.push(`agent csp: ${msg.text()}`);
      }
    });
    agentPage.on('request', (req) => {
      if (new URL(req.url()).pathname === '/api/v1/acd/state') agentAcdPolls.push(req.url());
    });
    page.on('request', (req) => {
      if (req.method() === 'GET' && new URL(req.url()).pathname === '/api/v1/acd/state') polls.push(Date.now());
    });
  });

  after(async () => {
    if (failed && server) {
      console.log(`--- server output ---\n${server.logs().split('\n').slice(-80).join('\n')}`);
    }
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
  });

  step('the administrator signs in and sees agents in the contact-center menu', async () => {
    await page.goto(`${server.url}/#/login`);
    await page.locator(byTest('login-form')).waitFor();
    await fill(page, 'login-employee-id', 'admin');
    await fill(page, 'login-password', server.adminPassword);
    await click(page, 'login-submit');
    await page.locator(byTest('side-menu')).waitFor();
    const entries = await menuEntries(page);
    assert.ok(entries.includes('menu-agents'), 'admin sees menu-agents');
    assert.equal((await page.locator(byTest('menu-agents')).innerText()).trim(), '坐席状态');
    assert.ok(entries.indexOf('menu-agents') > entries.indexOf('menu-queues'), 'after queues');
  });

  step('the agents page shows the demo queues and the demo agents signed out', async () => {
    const first = page.waitForResponse(isAcdState);
    await click(page, 'menu-agents');
    await page.locator(byTest('page-agents')).waitFor();
    const res = await first;
    assert.equal(res.status(), 200);
    for (const queue of ['sales', 'service']) {
      await page.locator(byTest(`acd-queue-${queue}`)).waitFor();
      assert.equal(await text(`acd-queue-waiting-${queue}`), '0');
      assert.equal(await text(`acd-queue-longest-${queue}`), '—');
      assert.equal(await text(`acd-queue-signed-in-${queue}`), '0');
      assert.equal(await text(`acd-queue-ready-${queue}`), '0');
    }
    for (const agent of ['1003', '1004']) {
      await page.locator(byTest(`agent-row-${agent}`)).waitFor();
      assert.equal(await stateOf(agent), 'logged_out');
      assert.equal(await text(`agent-state-${agent}`), '未签入');
      // signed out: only "sign in" is offered
      await page.locator(byTest(`agent-sign-in-${agent}`)).waitFor();
      assert.equal(await page.locator(byTest(`agent-ready-${agent}`)).count(), 0);
      assert.equal(await page.locator(byTest(`agent-sign-out-${agent}`)).count(), 0);
    }
    assert.match(await text('agent-queues-1003'), /sales · 5/);
    assert.match(await text('agent-queues-1003'), /service · 2/);
    assert.match(await text('agent-time-1003'), /^\d{2}:\d{2}$/);
    // the administrator is no agent: no "my state" bar
    assert.equal((await apiGet('/agents/me')).status, 404);
    assert.equal(await page.locator(byTest('my-agent-state')).count(), 0);
  });

  step('an unknown extension is refused in the sign-in dialog, naming the field', async () => {
    await click(page, 'agent-sign-in-1003');
    const form = page.locator(byTest('agent-sign-in-form'));
    await form.waitFor();
    await fill(page, 'agent-sign-in-extension', '9999');
    await click(page, 'agent-dialog-submit');
    const fieldError = form.locator('.el-form-item__error');
    await fieldError.waitFor();
    assert.match(await fieldError.innerText(), /9999/);
    assert.equal(await stateOf('1003'), 'logged_out');
  });

  step('1003 is signed in at their own extension and is ready; sales has one agent ready', async () => {
    await fill(page, 'agent-sign-in-extension', '');
    await click(page, 'agent-dialog-submit');
    await page.locator(byTest('agent-sign-in-form')).waitFor({ state: 'hidden' });
    await waitState('1003', 'ready');
    assert.equal(await text('agent-state-1003'), '空闲');
    assert.equal(await text('agent-extension-1003'), '1003');
    await waitText('acd-queue-ready-sales', '1');
    assert.equal(await text('acd-queue-signed-in-sales'), '1');
    await waitText('acd-queue-ready-service', '1');
    assert.equal(await stateOf('1004'), 'logged_out');
    await page.locator(byTest('agent-not-ready-1003')).waitFor();
    assert.equal(await page.locator(byTest('agent-sign-in-1003')).count(), 0);
    // time in state ticks between refreshes
    const before = await text('agent-time-1003');
    await poll(async () => (await text('agent-time-1003')) !== before, { message: 'time in state to tick' });
  });

  step('1003 is made not ready with a reason, which the table shows', async () => {
    await click(page, 'agent-not-ready-1003');
    await page.locator(byTest('agent-not-ready-form')).waitFor();
    await chooseOption(page, 'agent-not-ready-reason', '小休');
    await click(page, 'agent-dialog-submit');
    await page.locator(byTest('agent-not-ready-form')).waitFor({ state: 'hidden' });
    await waitState('1003', 'not_ready');
    assert.equal(await text('agent-state-1003'), '示忙');
    assert.match(await text('agent-reason-1003'), /小休/);
    await waitText('acd-queue-ready-sales', '0');
    assert.equal(await text('acd-queue-signed-in-sales'), '1');
    const acd = await apiGet('/acd/state');
    assert.equal(acd.body.agents.find((a) => a.employee_id === '1003').reason, 'break');
  });

  step('the table filters by state and by queue', async () => {
    await chooseOption(page, 'agents-filter-state', '示忙');
    await poll(async () => (await page.locator(byTest('agent-row-1004')).count()) === 0, { message: '1004 hidden' });
    await page.locator(byTest('agent-row-1003')).waitFor();
    await page.locator(byTest('agents-filter-state')).hover();
    await page.locator(`${byTest('agents-filter-state')} .el-select__clear`).click();
    await page.locator(byTest('agent-row-1004')).waitFor();
    await chooseOption(page, 'agents-filter-queue', 'sales');
    await poll(async () => (await page.locator(byTest('agent-row-1004')).count()) === 0, { message: '1004 hidden' });
    await page.locator(byTest('agent-row-1003')).waitFor();
    await page.locator(byTest('agents-filter-queue')).hover();
    await page.locator(`${byTest('agents-filter-queue')} .el-select__clear`).click();
    await page.locator(byTest('agent-row-1004')).waitFor();
  });

  step('the supervisor forces 1003 ready, then signs it out', async () => {
    await click(page, 'agent-ready-1003');
    await waitState('1003', 'ready');
    assert.equal(await text('agent-reason-1003'), '');
    await waitText('acd-queue-ready-sales', '1');

    await click(page, 'agent-sign-out-1003');
    await page.locator('.sb-confirm .el-message-box__btns .el-button--danger').click();
    await waitState('1003', 'logged_out');
    assert.equal(await text('agent-extension-1003'), '');
    await waitText('acd-queue-signed-in-sales', '0');
    assert.equal(await text('acd-queue-ready-sales'), '0');
    await page.locator(byTest('agent-sign-in-1003')).waitFor();

    const audit = await apiGet('/audit?action=agent.&per_page=50');
    const actions = (audit.body.items || []).map((e) => e.action);
    for (const action of ['agent.force.sign_in', 'agent.force.not_ready', 'agent.force.ready', 'agent.force.sign_out']) {
      assert.ok(actions.includes(action), `audited ${action}: ${actions.join(', ')}`);
    }
  });

  step('agent 1004 signs in to the console and sees only their own state bar', async () => {
    const staff = await apiGet('/staff?q=1004&per_page=50');
    const agent = staff.body.items.find((s) => s.employee_id === '1004');
    assert.equal((await apiPost(`/staff/${agent.id}/password`, { password: AGENT_PASSWORD })).status, 204);
    await agentPage.goto(`${server.url}/#/login`);
    await agentPage.locator(byTest('login-form')).waitFor();
    await fill(agentPage, 'login-employee-id', '1004');
    await fill(agentPage, 'login-password', AGENT_PASSWORD);
    await click(agentPage, 'login-submit');
    await agentPage.locator(byTest('side-menu')).waitFor();
    const entries = await menuEntries(agentPage);
    assert.ok(entries.includes('menu-agents'), 'an agent sees menu-agents');
    assert.ok(!entries.includes('menu-queues'), 'but not the queue configuration');
    await click(agentPage, 'menu-agents');
    await agentPage.locator(byTest('my-agent-state')).waitFor();
    assert.equal(await myState(), 'logged_out');
    assert.equal(await agentText('my-state'), '未签入');
    await agentPage.locator(byTest('my-sign-in')).waitFor();
    assert.equal(await agentPage.locator(byTest('my-sign-out')).count(), 0);
    assert.equal(await agentPage.locator(byTest('agents-table')).count(), 0, 'no supervisor table');
    assert.equal(await agentPage.locator(byTest('acd-queues')).count(), 0, 'no queue cards');
    assert.deepEqual(agentAcdPolls, [], 'the agent page never asks for the whole ACD');
  });

  step("a supervisor's sign-in after the agent's own is refused with the ACD's reason", async () => {
    // the supervisor opens the dialog while 1004 is still signed out ...
    await click(page, 'agent-sign-in-1004');
    await page.locator(byTest('agent-sign-in-form')).waitFor();
    // ... and 1004 signs in from their own bar at their own extension
    await click(agentPage, 'my-sign-in');
    await agentPage.locator(byTest('agent-sign-in-form')).waitFor();
    assert.equal(await inputOf(agentPage, 'agent-sign-in-extension').inputValue(), '1004');
    await click(agentPage, 'agent-dialog-submit');
    await agentPage.locator(byTest('agent-sign-in-form')).waitFor({ state: 'hidden' });
    await waitMyState('ready');
    assert.equal(await agentText('my-extension'), '1004');
    await agentPage.locator(byTest('my-sign-out')).waitFor();
    assert.equal(await agentPage.locator(byTest('my-sign-in')).count(), 0);

    await click(page, 'agent-dialog-submit');
    const alert = page.locator(byTest('agent-dialog-error'));
    await alert.waitFor();
    assert.match(await alert.innerText(), /already logged in/);
    await click(page, 'agent-dialog-cancel');
    await page.locator(byTest('agent-sign-in-form')).waitFor({ state: 'hidden' });
    await waitState('1004', 'ready');
    await waitText('acd-queue-ready-service', '1');
    assert.equal(await text('acd-queue-ready-sales'), '0');
  });

  step('agent 1004 goes not ready with a reason, ready again, and signs out from the bar', async () => {
    await click(agentPage, 'my-not-ready');
    await agentPage.locator(byTest('agent-not-ready-form')).waitFor();
    await chooseOption(agentPage, 'agent-not-ready-reason', '会议');
    await click(agentPage, 'agent-dialog-submit');
    await agentPage.locator(byTest('agent-not-ready-form')).waitFor({ state: 'hidden' });
    await waitMyState('not_ready');
    assert.match(await agentText('my-reason'), /会议/);
    assert.match(await agentText('my-time'), /^\d{2}:\d{2}$/);
    // the supervisor's table follows
    await waitState('1004', 'not_ready');
    assert.match(await text('agent-reason-1004'), /会议/);

    await click(agentPage, 'my-ready');
    await waitMyState('ready');
    assert.equal(await agentPage.locator(byTest('my-reason')).count(), 0);
    await click(agentPage, 'my-sign-out');
    await waitMyState('logged_out');
    await waitState('1004', 'logged_out');
    await waitText('acd-queue-signed-in-service', '0');
  });

  step('the page polls every 3 seconds while open and stops when left', async () => {
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 7_000));
    const during = polls.filter((at) => at >= start).length;
    assert.ok(during >= 2 && during <= 4, `polled ${during} times in 7 s`);
    await click(page, 'menu-queues');
    await page.locator(byTest('page-queues')).waitFor();
    const left = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    assert.equal(polls.filter((at) => at > left + 200).length, 0, 'no polling after leaving the page');
  });

  step('no page or CSP errors', async () => {
    assert.deepEqual(pageErrors, []);
  });
});
