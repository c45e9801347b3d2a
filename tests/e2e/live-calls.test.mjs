// Browser test of the live calls page against a real server:
//   node --test tests/e2e/        (SWITCHBOARD_BIN overrides target/debug/switchboard)
// Signs in as the first administrator, opens the live calls page from the menu: a fresh server has no calls, so
// the table shows its header and the empty state; the page polls GET /calls by itself while open.
// Calls and the commands on them are tested in Rust.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, screenshot, byTest, fill, click, menuEntries } from './lib/browser.mjs';

const isCallsList = (r) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/api/v1/calls';

describe('live calls console', { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  let failed = false;
  const pageErrors = [];

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
        const file = await screenshot(page, `live-calls-failed-${name}`);
        if (file) err.message += `\n(screenshot: ${file})`;
        throw err;
      }
    });
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
  });

  after(async () => {
    if (failed && server) {
      console.log(`--- server output ---\n${server.logs().split('\n').slice(-80).join('\n')}`);
    }
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
  });

  step('the administrator signs in and sees live calls in the menu', async () => {
    await page.goto(`${server.url}/#/login`);
    await page.locator(byTest('login-form')).waitFor();
    await fill(page, 'login-employee-id', 'admin');
    await fill(page, 'login-password', server.adminPassword);
    await click(page, 'login-submit');
    await page.locator(byTest('side-menu')).waitFor();
    const entries = await menuEntries(page);
    assert.ok(entries.includes('menu-live-calls'), 'admin sees menu-live-calls');
    assert.equal((await page.locator(byTest('menu-live-calls')).innerText()).trim(), '实时通话');
    // after the recordings entry, in the telephony group
    assert.ok(entries.indexOf('menu-live-calls') > entries.indexOf('menu-recordings'), 'after recordings');
  });

  step('the live calls page shows the table header and the empty state', async () => {
    const first = page.waitForResponse(isCallsList);
    await click(page, 'menu-live-calls');
    await page.locator(byTest('page-live-calls')).waitFor();
    const res = await first;
    assert.equal(res.status(), 200);
    assert.deepEqual((await res.json()).items, [], 'a fresh server has no calls');

    const table = page.locator(byTest('live-calls-table'));
    await table.waitFor();
    await table.locator('.el-table__empty-text', { hasText: '当前没有通话' }).waitFor();
    const headers = (await table.locator('.el-table__header-wrapper th').allInnerTexts()).map((s) => s.trim());
    for (const h of ['方向', '主叫', '被叫', '通话时长', '按键']) {
      assert.ok(headers.includes(h), `header "${h}" in ${JSON.stringify(headers)}`);
    }
    // the administrator holds call.control / call.monitor: the actions column is there
    assert.ok(headers.includes('操作'), `actions column in ${JSON.stringify(headers)}`);
    assert.equal(await page.locator(byTest('live-calls-error')).count(), 0, 'no error shown');
  });

  step('the page refreshes itself while open', async () => {
    // the next poll comes by itself (every 2 s); waitForResponse fails after its timeout if it never does
    const again = await page.waitForResponse(isCallsList, { timeout: 10_000 });
    assert.equal(again.status(), 200);
    await page.locator(byTest('live-calls-table')).locator('.el-table__empty-text', { hasText: '当前没有通话' }).waitFor();
  });

  step('no script errors or CSP refusals happened', async () => {
    assert.deepEqual(pageErrors, []);
  });
});
