// Browser test of follow-me to the agent's own mobile (MISSION G8) against a real server:
//   node --test tests/e2e/follow-me.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// Demo agent 1004 has no mobile: turning follow-me on in the agent desktop is refused on the mode. The administrator
// gives 1004 a mobile; the agent sets "when not answered" after 20 s on the desktop, which the API reads back; the
// administrator's staff dialog shows it, and switching it to "always" there is saved with the record.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, screenshot, byTest, poll, click, newSessionPage, signIn, apiCall, chooseOption, inputOf,
} from './lib/browser.mjs';

const SUFFIX = Date.now().toString(36).slice(-5);
const AGENT_PASSWORD = `Agent-${SUFFIX}-Pw9`;

describe('follow-me in the console', { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  let agentPage;
  let failed = false;
  const pageErrors = [];
  let agent;

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
        const file = await screenshot(agentPage || page, `follow-me-failed-${name}`);
        if (file) err.message += `\n(screenshot: ${file})`;
        throw err;
      }
    });
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await newSessionPage(browser, pageErrors);
  });

  after(async () => {
    if (failed && server) {
      console.log(`--- server output ---\n${server.logs().split('\n').slice(-60).join('\n')}`);
    }
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
  });

  step('without a mobile, the desktop refuses to turn follow-me on', async () => {
    await signIn(page, server.url, 'admin', server.adminPassword);
    const staff = await apiCall(page, 'GET', '/staff?q=1004');
    agent = staff.body.items.find((s) => s.employee_id === '1004');
    assert.equal(agent.follow_me_mode, 'off');
    const reset = await apiCall(page, 'POST', `/staff/${agent.id}/password`, { password: AGENT_PASSWORD });
    assert.equal(reset.status, 204);
    agentPage = await newSessionPage(browser, pageErrors);
    await signIn(agentPage, server.url, '1004', AGENT_PASSWORD);
    await agentPage.goto(`${server.url}/#/agent-desktop`);
    await agentPage.locator(byTest('desk-follow-me')).waitFor();
    await click(agentPage, 'follow-me-mode-always');
    await click(agentPage, 'follow-me-save');
    await agentPage.locator('[data-test="desk-follow-me"] .el-form-item.is-error').first().waitFor();
    const mine = await apiCall(agentPage, 'GET', '/agents/me/follow-me');
    assert.equal(mine.body.mode, 'off');
  });

  step('with a mobile, the agent sets "when not answered" after 20 s', async () => {
    const record = {
      employee_id: agent.employee_id, name: agent.name, department_id: agent.department_id, work_group: agent.work_group,
      mobile: '13800138004', extension: agent.extension, enabled: true, role_ids: agent.roles.map((r) => r.id),
    };
    const saved = await apiCall(page, 'PUT', `/staff/${agent.id}`, record);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    await agentPage.reload();
    await agentPage.locator(byTest('follow-me-mobile')).filter({ hasText: '13800138004' }).waitFor();
    await click(agentPage, 'follow-me-mode-no_answer');
    const delay = inputOf(agentPage, 'follow-me-delay');
    await delay.fill('20');
    await delay.blur();
    await click(agentPage, 'follow-me-save');
    await poll(async () => {
      const mine = await apiCall(agentPage, 'GET', '/agents/me/follow-me');
      return mine.body.mode === 'no_answer' && mine.body.delay_s === 20;
    }, { message: 'the follow-me to be saved' });
  });

  step('the administrator sees it in the staff dialog and sets "always"', async () => {
    await page.goto(`${server.url}/#/staff`);
    await click(page, 'staff-edit-1004');
    await page.locator(byTest('staff-follow-me-delay')).waitFor();
    assert.equal(await inputOf(page, 'staff-follow-me-delay').inputValue(), '20');
    await chooseOption(page, 'staff-follow-me-mode', '始终');
    await click(page, 'staff-save');
    await poll(async () => (await apiCall(page, 'GET', `/staff/${agent.id}`)).body.follow_me_mode === 'always', {
      message: 'the staff record to carry follow-me always',
    });
    const audit = await apiCall(page, 'GET', '/audit?action=staff.follow_me');
    assert.equal(audit.body.total, 1, "the agent's own change is audited");
    assert.deepEqual(pageErrors, []);
  });
});
