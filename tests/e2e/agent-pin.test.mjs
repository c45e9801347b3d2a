// Browser test of the agent PIN (phone sign-in, MISSION G10) against a real server:
//   node --test tests/e2e/agent-pin.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// The administrator opens demo agent 1004 in the staff dialog: a 3-digit PIN is refused on the field, a 6-digit one
// is saved (the staff row then reports has_agent_pin). Agent 1004 signs in, opens the profile page and changes the
// PIN: a wrong current password is named on its field, the right one saves.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, screenshot, byTest, poll, fill, click, newSessionPage, signIn, apiCall, inputOf,
} from './lib/browser.mjs';

const SUFFIX = Date.now().toString(36).slice(-5);
const AGENT_PASSWORD = `Agent-${SUFFIX}-Pw9`;

describe('agent PIN in the console', { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  let agentPage;
  let failed = false;
  const pageErrors = [];
  let agentId;

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
        const file = await screenshot(agentPage || page, `agent-pin-failed-${name}`);
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

  step('the administrator sets 1004 a PIN in the staff dialog', async () => {
    await signIn(page, server.url, 'admin', server.adminPassword);
    const staff = await apiCall(page, 'GET', '/staff?q=1004');
    agentId = staff.body.items.find((s) => s.employee_id === '1004').id;
    const reset = await apiCall(page, 'POST', `/staff/${agentId}/password`, { password: AGENT_PASSWORD });
    assert.equal(reset.status, 204);
    await page.goto(`${server.url}/#/staff`);
    await click(page, 'staff-edit-1004');
    await fill(page, 'staff-agent-pin', '123');
    await click(page, 'staff-save');
    await page.locator('[data-test="staff-form"] .el-form-item.is-error').first().waitFor();
    assert.equal((await apiCall(page, 'GET', `/staff/${agentId}`)).body.has_agent_pin, false);
    await fill(page, 'staff-agent-pin', '246810');
    await click(page, 'staff-save');
    await poll(async () => (await apiCall(page, 'GET', `/staff/${agentId}`)).body.has_agent_pin === true, {
      message: 'the PIN to be saved',
    });
  });

  step('agent 1004 changes their own PIN on the profile page', async () => {
    agentPage = await newSessionPage(browser, pageErrors);
    await signIn(agentPage, server.url, '1004', AGENT_PASSWORD);
    await agentPage.goto(`${server.url}/#/profile`);
    await agentPage.locator(byTest('pin-card')).waitFor();
    await fill(agentPage, 'pin-new', '13579');
    await fill(agentPage, 'pin-current-password', 'not-my-password-1');
    await click(agentPage, 'pin-save');
    await agentPage.locator('[data-test="pin-form"] .el-form-item.is-error').first().waitFor();
    await fill(agentPage, 'pin-current-password', AGENT_PASSWORD);
    await click(agentPage, 'pin-save');
    await poll(async () => (await inputOf(agentPage, 'pin-new').inputValue()) === '', {
      message: 'the PIN form to clear after saving',
    });
    const audit = await apiCall(page, 'GET', '/audit?action=staff.agent_pin');
    assert.equal(audit.body.total, 2, 'the admin and the agent each set a PIN, audited');
    assert.deepEqual(pageErrors, []);
  });
});
