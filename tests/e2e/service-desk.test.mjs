// The service desk's whole journey in one browser run against a real server (issue 6):
//   node --test tests/e2e/service-desk.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// The administrator adds a customer on the customers page and opens a ticket for them from the customer's 360
// view (with an admin-defined choice field, shown by its label); dispatches it to the inbound team's queue; agent 1002 of that team signs in, claims it from the queue,
// starts and resolves it; the agent then finds a knowledge article by a word inside a Chinese phrase and opens it;
// the ticket shows on the customer's contact timeline.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, screenshot, byTest, poll, fill, click, chooseOption, chooseTreeNode, newSessionPage, signIn,
  apiCall,
} from './lib/browser.mjs';

const SUFFIX = Date.now().toString(36).slice(-5);
const CUSTOMER = `旅程客户${SUFFIX}`;
const SUBJECT = `E2E 发动机异响 ${SUFFIX}`;
// The suffix may be all letters; the password rule wants a digit too.
const AGENT_PASSWORD = `agent-pass-${SUFFIX}-7`;

describe('service desk journey', { timeout: 240_000 }, () => {
  let server;
  let browser;
  let admin;
  let agent;
  let failed = false;
  let ticketUrl = null;
  let customerUrl = null;
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
          const file = page ? await screenshot(page, `service-desk-failed-${who}-${name}`) : null;
          if (file) err.message += `\n(${who} screenshot: ${file})`;
        }
        throw err;
      }
    });
  }

  async function stateIs(page, label) {
    return (await page.locator(byTest('ticket-state')).innerText()).trim() === label;
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

  step('the administrator adds a customer on the customers page', async () => {
    await signIn(admin, server.url, 'admin', server.adminPassword);
    await click(admin, 'menu-customers');
    await admin.locator(byTest('page-customers')).waitFor();
    await click(admin, 'customers-create');
    await admin.locator(byTest('customer-form')).waitFor();
    await fill(admin, 'customer-name', CUSTOMER);
    await fill(admin, 'customer-phone-0', '136 0013 6000');
    await click(admin, 'customer-save');
    await admin.locator(byTest('page-customer-detail')).waitFor();
    await admin.locator(byTest('customer-phone-+8613600136000')).waitFor();
    customerUrl = admin.url();
  });

  step('a ticket is opened for them from the 360 view', async () => {
    const field = await apiCall(admin, 'POST', '/ticket-fields',
      { field_key: 'reply_by', label: '回复方式', kind: 'choice', dictionary_type: 'ticket_channel' });
    assert.equal(field.status, 201, JSON.stringify(field.body));
    await click(admin, 'customer-new-ticket');
    await admin.locator(byTest('ticket-create')).waitFor();
    await chooseOption(admin, 'ticket-type', '报修');
    await chooseOption(admin, 'ticket-subtype', '上门维修');
    await chooseOption(admin, 'ticket-priority', '高');
    await fill(admin, 'ticket-subject', SUBJECT);
    await fill(admin, 'ticket-content', '冷启动时发动机有异响');
    await chooseOption(admin, 'ticket-field-reply_by', '邮件');
    await click(admin, 'ticket-create-submit');
    await admin.locator(byTest('page-ticket-detail')).waitFor();
    await poll(async () => (await admin.locator(byTest('ticket-customer-name')).innerText()).includes(CUSTOMER),
      { message: 'the customer on the ticket page' });
    assert.ok(await stateIs(admin, '新建'));
    assert.match(await admin.locator(byTest('page-ticket-detail')).innerText(), /回复方式\s*邮件 E-mail/);
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

  step('agent 1002 claims it from the team queue, starts and resolves it', async () => {
    const staff = await apiCall(admin, 'GET', '/staff?q=1002');
    const li = staff.body.items.find((s) => s.employee_id === '1002');
    const reset = await apiCall(admin, 'POST', `/staff/${li.id}/password`, { password: AGENT_PASSWORD });
    assert.equal(reset.status, 204, JSON.stringify(reset.body));

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
    await poll(async () => stateIs(agent, '已分配'), { message: 'the ticket to be assigned' });
    await click(agent, 'ticket-action-start');
    await poll(async () => stateIs(agent, '处理中'), { message: 'the ticket to be in progress' });
    await click(agent, 'ticket-action-resolve');
    await agent.locator(byTest('ticket-step')).waitFor();
    await fill(agent, 'step-note', '更换正时皮带后异响消失');
    await click(agent, 'step-submit');
    await poll(async () => stateIs(agent, '已解决'), { message: 'the ticket to be resolved' });
  });

  step('the agent finds the engine-care article by a word inside 发动机保养 and opens it', async () => {
    await click(agent, 'menu-knowledge');
    await agent.locator(byTest('page-knowledge')).waitFor();
    await fill(agent, 'kb-search-input', '保养');
    await click(agent, 'kb-search-button');
    const hit = agent.locator(byTest('kb-hit'), { hasText: '发动机保养指南' }).first();
    await hit.waitFor();
    assert.ok((await hit.locator(`${byTest('kb-snippet')} b`).first().innerText()).includes('保养'));
    await hit.click();
    await agent.locator(byTest('page-knowledge-article')).waitFor();
    await poll(async () => (await agent.locator(byTest('kb-article-body')).innerText()).includes('机油'),
      { message: 'the article body' });
  });

  step('the administrator sees it resolved, and on the customer timeline', async () => {
    await admin.goto(ticketUrl);
    await admin.reload();
    await poll(async () => stateIs(admin, '已解决'), { message: 'the admin sees it resolved' });
    await admin.goto(customerUrl);
    await admin.reload();
    await admin.locator(byTest('timeline-ticket')).first().waitFor();
    assert.match(await admin.locator(byTest('customer-timeline')).innerText(), /发动机异响/);
    assert.deepEqual(pageErrors, []);
  });
});
