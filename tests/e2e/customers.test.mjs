// Browser test of the customer pages against a real server:
//   node --test tests/e2e/customers.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// Signs in as the administrator, opens Customers from the service-desk menu, adds a customer with a mobile written
// with spaces and a landline with its area code in brackets; a bad second number is refused naming the field and
// nothing is saved until it is fixed. The 360 view shows the numbers in E.164 with the region taken from the mobile,
// a vehicle is added (a short VIN refused), a note lands on the contact history. Back in the list the customer is
// found by the mobile written another way (+86 ...) and by the plate; the screen-pop lookup answers "one".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, screenshot, byTest, poll, fill, click, menuEntries, inputOf } from './lib/browser.mjs';

describe('customers console', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  let failed = false;
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
        const file = await screenshot(page, `customers-failed-${name}`);
        if (file) err.message += `\n(screenshot: ${file})`;
        throw err;
      }
    });
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
  });

  after(async () => {
    if (failed && server) console.log(`--- server output ---\n${server.logs().split('\n').slice(-80).join('\n')}`);
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
  });

  step('the administrator opens Customers from the service-desk menu', async () => {
    await page.goto(`${server.url}/#/login`);
    await fill(page, 'login-employee-id', 'admin');
    await fill(page, 'login-password', server.adminPassword);
    await click(page, 'login-submit');
    await page.locator(byTest('side-menu')).waitFor();
    const entries = await menuEntries(page);
    assert.ok(entries.includes('menu-customers'), 'admin sees menu-customers');
    assert.equal((await page.locator(byTest('menu-customers')).innerText()).trim(), '客户');
    await click(page, 'menu-customers');
    await page.locator(byTest('page-customers')).waitFor();
  });

  step('a bad number is refused naming the field, then the customer is saved', async () => {
    await click(page, 'customers-create');
    await page.locator(byTest('customer-form')).waitFor();
    await fill(page, 'customer-name', '林浩然');
    await fill(page, 'customer-phone-0', '135 0013 5000');
    await click(page, 'customer-add-phone');
    await fill(page, 'customer-phone-1', '8888-88A8');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/customers'));
    await click(page, 'customer-save');
    const res = await refused;
    assert.equal(res.status(), 422);
    assert.equal((await res.json()).error.field, 'phones[1].number');
    await poll(async () => (await page.locator('.el-form-item.is-error').count()) > 0, { message: 'the phones item marked' });
    const list = await apiGet('/customers?q=%E6%9E%97');
    assert.equal(list.body.total, 0, 'nothing saved');

    await fill(page, 'customer-phone-1', '(0571) 8888-8888');
    await click(page, 'customer-save');
    await page.locator(byTest('page-customer-detail')).waitFor();
    await page.locator(byTest('customer-phone-+8613500135000')).waitFor();
    await page.locator(byTest('customer-phone-+8657188888888')).waitFor();
  });

  step('a vehicle and a note land on the 360 view', async () => {
    await click(page, 'customer-add-asset');
    await page.locator(byTest('asset-form')).waitFor();
    await fill(page, 'asset-model', '大众 朗逸');
    await fill(page, 'asset-serial', 'LSV123');
    await fill(page, 'asset-plate', '浙A12345');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/assets'));
    await click(page, 'asset-save');
    assert.equal((await refused).status(), 422);
    await fill(page, 'asset-serial', 'LSVAA4180E2123456');
    await click(page, 'asset-save');
    await poll(async () => (await page.locator(byTest('customer-assets')).innerText()).includes('LSVAA4180E2123456'),
      { message: 'the asset listed' });
    await fill(page, 'customer-note', '客户希望周末联系');
    await click(page, 'customer-add-note');
    await page.locator(byTest('timeline-note')).waitFor();
    assert.match(await page.locator(byTest('customer-timeline')).innerText(), /客户希望周末联系/);
  });

  step('the list finds the customer by another form of the number and by plate', async () => {
    await click(page, 'menu-customers');
    await page.locator(byTest('page-customers')).waitFor();
    await fill(page, 'customers-search', '+86 135-0013-5000');
    await click(page, 'customers-search-button');
    await page.locator(byTest('customer-row-林浩然')).waitFor();
    const lookup = await apiGet('/customers/lookup?number=0086%2013500135000');
    assert.equal(lookup.status, 200);
    assert.equal(lookup.body.outcome, 'one');
    const byPlate = await apiGet('/customers?asset=%E6%B5%99A12345');
    assert.equal(byPlate.body.items[0].name, '林浩然');
    await click(page, 'customer-row-林浩然');
    await page.locator(byTest('page-customer-detail')).waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
