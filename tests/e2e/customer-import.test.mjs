// Browser test of the customer import wizard and the export against a real server:
//   node --test tests/e2e/customer-import.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// Signs in as the administrator, opens Customers and then Import; uploads a CSV whose headers are recognised
// (name, mobile, level) but for one column the user maps by hand (to notes); the preview marks the bad number on its
// cell; the import runs to the end with a progress bar, shows 2 added and 1 refused, and the refused rows' report
// downloads with the row, column, value and message. Back on Customers, the Export button downloads an .xlsx.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer } from './lib/server.mjs';
import { launchBrowser, screenshot, byTest, poll, fill, click, chooseOption } from './lib/browser.mjs';

const CSV = '客户姓名,手机号码,级别,附言\n周一,13512340001,VIP,第一位\n吴二,12ab,,\n郑三,13512340003,,老客户\n';

describe('customer import console', { timeout: 180_000 }, () => {
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
        const file = await screenshot(page, `customer-import-failed-${name}`);
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

  async function download(testId) {
    const [file] = await Promise.all([page.waitForEvent('download'), click(page, testId)]);
    return readFile(await file.path());
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  });

  after(async () => {
    if (failed && server) console.log(`--- server output ---\n${server.logs().split('\n').slice(-80).join('\n')}`);
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
  });

  step('the administrator opens the import from Customers', async () => {
    await page.goto(`${server.url}/#/login`);
    await fill(page, 'login-employee-id', 'admin');
    await fill(page, 'login-password', server.adminPassword);
    await click(page, 'login-submit');
    await page.locator(byTest('side-menu')).waitFor();
    await click(page, 'menu-customers');
    await page.locator(byTest('page-customers')).waitFor();
    await click(page, 'customers-import');
    await page.locator(byTest('page-customer-import')).waitFor();
  });

  step('a CSV is uploaded; its columns are suggested and the bad number is marked in the preview', async () => {
    const uploaded = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/v1/customer-imports?'));
    await page.locator(byTest('import-file')).setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    assert.equal((await uploaded).status(), 201);
    await page.locator(byTest('import-step-map')).waitFor();
    const suggested = await page.locator(byTest('import-map-0')).locator('.el-select__wrapper').first().innerText();
    assert.match(suggested, /姓名/);
    await page.locator(byTest('import-cell-error')).first().waitFor();
    const problems = await page.locator(byTest('import-problems')).innerText();
    assert.match(problems, /手机号码 \(B\)/);
    assert.match(problems, /3/);
  });

  step('the unknown column is mapped by hand to notes', async () => {
    const changed = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/settings'));
    await chooseOption(page, 'import-map-3', '备注');
    const reply = await changed;
    assert.equal(reply.status(), 200);
    const body = await reply.json();
    assert.deepEqual(body.settings.mapping, ['name', 'phone', 'level', 'notes']);
  });

  step('the import runs and shows the counts', async () => {
    await click(page, 'import-start');
    await page.locator(byTest('import-step-result')).waitFor({ timeout: 30_000 });
    assert.equal((await page.locator(byTest('import-inserted')).innerText()).trim(), '2');
    assert.equal((await page.locator(byTest('import-failed')).innerText()).trim(), '1');
    const zheng = await apiGet(`/customers?q=${encodeURIComponent('郑三')}`);
    assert.equal(zheng.body.items[0].notes, '老客户');
    const zhou = await apiGet('/customers?q=13512340001');
    assert.equal(zhou.body.items[0].level, 'vip');
  });

  step('the refused rows report downloads with row, column, value and message', async () => {
    const text = (await download('import-report-csv')).toString('utf8');
    assert.match(text, /^\uFEFF?row,column,value,message/);
    assert.match(text, /3,手机号码 \(B\),12ab,/);
    const xlsx = await download('import-report');
    assert.equal(xlsx.subarray(0, 2).toString(), 'PK');
  });

  step('the customer list exports to Excel', async () => {
    await page.goto(`${server.url}/#/customers`);
    await page.locator(byTest('page-customers')).waitFor();
    const book = await download('customers-export');
    assert.equal(book.subarray(0, 2).toString(), 'PK');
    await poll(async () => pageErrors.length === 0, { message: `no page errors: ${pageErrors.join('; ')}`, timeout: 1000 });
  });
});
