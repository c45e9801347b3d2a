// Browser test of the tickets console against a real server:
//   node --test tests/e2e/tickets.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// A customer is written into the server's database with SQL (the customers API is another branch's); the
// administrator opens a ticket for them from the new-ticket form (customer found by name), dispatches it to the
// inbound team's queue from the ticket page; agent 1002 of that team signs in, finds it in "my department's queue",
// claims, starts and resolves it; the history shows every step in order, and the queue no longer holds it; the
// board, SLA policy and statistics pages show it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, screenshot, byTest, poll, fill, click, chooseOption, chooseTreeNode, menuEntries, newSessionPage,
  signIn, apiCall,
} from './lib/browser.mjs';

const SUFFIX = Date.now().toString(36).slice(-5);
const CUSTOMER = `E2E客户${SUFFIX}`;
const SUBJECT = `E2E 空调漏水 ${SUFFIX}`;
// The suffix may be all letters; the password rule wants a digit too.
const AGENT_PASSWORD = `agent-pass-${SUFFIX}-7`;

describe('tickets console', { timeout: 240_000 }, () => {
  let server;
  let browser;
  let admin;
  let agent;
  let failed = false;
  let ticketUrl = null;
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
        for (const [who, page] of [['admin', admin], ['agent', agent]]) {
          const file = page ? await screenshot(page, `tickets-failed-${who}-${name}`) : null;
          if (file) err.message += `\n(${who} screenshot: ${file})`;
        }
        throw err;
      }
    });
  }

  async function historySteps(page) {
    return page.locator(`${byTest('ticket-history')} [data-test^="history-"]`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-test').replace('history-', '')));
  }

  before(async () => {
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
  });

  step('the administrator signs in and sees the ticket pages and the bell', async () => {
    await signIn(admin, server.url, 'admin', server.adminPassword);
    const entries = await menuEntries(admin);
    for (const name of ['tickets', 'ticket-board', 'ticket-sla', 'ticket-stats']) {
      assert.ok(entries.includes(`menu-${name}`), `admin sees menu-${name}`);
    }
    await admin.locator(byTest('notification-bell')).waitFor();
  });

  step('a customer is in the database and agent 1002 has a password', async () => {
    const db = path.join(server.dataDir, 'switchboard.db');
    const now = Date.now();
    execFileSync('sqlite3', [db, `INSERT INTO customers (name, created_at, updated_at) VALUES ('${CUSTOMER}', ${now}, ${now});`]);
    const staff = await apiCall(admin, 'GET', '/staff?q=1002');
    const li = staff.body.items.find((s) => s.employee_id === '1002');
    const reset = await apiCall(admin, 'POST', `/staff/${li.id}/password`, { password: AGENT_PASSWORD });
    assert.equal(reset.status, 204, JSON.stringify(reset.body));
  });

  step('the administrator opens a ticket for the customer', async () => {
    await click(admin, 'menu-tickets');
    await admin.locator(byTest('page-tickets')).waitFor();
    await click(admin, 'ticket-new');
    await admin.locator(byTest('ticket-create')).waitFor();
    await chooseOption(admin, 'ticket-type', '报修');
    await chooseOption(admin, 'ticket-subtype', '上门维修');
    await chooseOption(admin, 'ticket-priority', '高');
    await fill(admin, 'ticket-subject', SUBJECT);
    await fill(admin, 'ticket-content', '客厅空调滴水');
    const picker = admin.locator(byTest('ticket-customer')).locator('input').first();
    await picker.click();
    await picker.fill(CUSTOMER.slice(0, 6));
    const option = admin.locator('.el-select-dropdown__item:visible', { hasText: CUSTOMER }).first();
    await option.waitFor({ state: 'visible' });
    await option.click();
    await click(admin, 'ticket-create-submit');
    await admin.locator(byTest('page-ticket-detail')).waitFor();
    await poll(async () => (await admin.locator(byTest('ticket-customer-name')).innerText()).includes(CUSTOMER),
      { message: 'the customer on the ticket page' });
    assert.equal((await admin.locator(byTest('ticket-state')).innerText()).trim(), '新建');
    ticketUrl = admin.url();
  });

  step('the administrator dispatches it to the inbound team', async () => {
    await click(admin, 'ticket-action-dispatch');
    await admin.locator(byTest('ticket-step')).waitFor();
    await chooseTreeNode(admin, 'step-department', '001-01-01');
    await click(admin, 'step-submit');
    await admin.locator(byTest('ticket-step')).waitFor({ state: 'hidden' });
    await poll(async () => (await admin.locator(byTest('ticket-department')).innerText()).includes('呼入组'),
      { message: 'the department on the ticket page' });
  });

  step('agent 1002 of the inbound team claims it from the queue', async () => {
    agent = await newSessionPage(browser, pageErrors);
    await signIn(agent, server.url, '1002', AGENT_PASSWORD);
    await click(agent, 'menu-tickets');
    await agent.locator(byTest('page-tickets')).waitFor();
    await agent.locator(`${byTest('ticket-views')} #tab-queue`).click();
    const row = agent.locator(`${byTest('tickets-table')} tr`, { hasText: SUBJECT }).first();
    await row.waitFor();
    await row.click();
    await agent.locator(byTest('page-ticket-detail')).waitFor();
    await click(agent, 'ticket-action-claim');
    await poll(async () => (await agent.locator(byTest('ticket-state')).innerText()).trim() === '已分配',
      { message: 'the ticket to be assigned' });
    assert.ok((await agent.locator(byTest('ticket-assignee')).innerText()).includes('李娜'));
  });

  step('the agent starts and resolves it', async () => {
    await click(agent, 'ticket-action-start');
    await poll(async () => (await agent.locator(byTest('ticket-state')).innerText()).trim() === '处理中',
      { message: 'the ticket to be in progress' });
    await click(agent, 'ticket-action-resolve');
    await agent.locator(byTest('ticket-step')).waitFor();
    await fill(agent, 'step-note', '已上门更换排水管');
    await click(agent, 'step-submit');
    await poll(async () => (await agent.locator(byTest('ticket-state')).innerText()).trim() === '已解决',
      { message: 'the ticket to be resolved' });
  });

  step('the history shows every step in order and the queue is empty again', async () => {
    assert.deepEqual(await historySteps(agent), ['create', 'dispatch', 'claim', 'start', 'resolve']);
    assert.ok((await agent.locator(byTest('history-resolve')).innerText()).includes('已上门更换排水管'));
    await admin.goto(ticketUrl);
    await admin.reload();
    await poll(async () => (await historySteps(admin)).length === 5, { message: 'the admin sees five steps' });
    const queue = await apiCall(agent, 'GET', '/tickets?view=queue');
    assert.equal(queue.body.items.filter((x) => x.subject === SUBJECT).length, 0);
    const mine = await apiCall(agent, 'GET', '/tickets?view=mine');
    assert.equal(mine.body.items.filter((x) => x.subject === SUBJECT).length, 1);
  });

  step('the board, SLA policies and statistics pages show the ticket', async () => {
    await click(admin, 'menu-ticket-board');
    await admin.locator(byTest('page-ticket-board')).waitFor();
    await admin.locator(`${byTest('board-resolved')} [data-test^="board-card-"]`, { hasText: SUBJECT }).waitFor();
    await click(admin, 'menu-ticket-sla');
    await admin.locator(byTest('page-ticket-sla')).waitFor();
    await poll(async () => (await admin.locator(`${byTest('sla-table')} tbody tr`).count()) === 2,
      { message: 'the two demo SLA policies' });
    await admin.locator(byTest('ticket-fields')).waitFor();
    await click(admin, 'menu-ticket-stats');
    await admin.locator(byTest('page-ticket-stats')).waitFor();
    await poll(async () => (await admin.locator(`${byTest('stats-chart')} canvas`).count()) > 0,
      { message: 'the ranking chart' });
    await poll(async () => (await admin.locator(`${byTest('stats-backlog')} tbody tr`).count()) > 0,
      { message: 'the backlog rows' });
    assert.deepEqual(pageErrors, []);
  });
});
