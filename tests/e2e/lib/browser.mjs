// Headless Chromium (system package, never downloaded) and small page helpers.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from './server.mjs';

export const ARTIFACTS = path.join(REPO_ROOT, 'tests', 'e2e', 'artifacts');

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}

export async function screenshot(page, name) {
  if (!page || page.isClosed()) return null;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9_-]+/g, '_')}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } catch {
    return null;
  }
}

export const byTest = (id) => `[data-test="${id}"]`;

/** Poll `fn` until it returns a truthy value (or throw the last error / timeout). */
export async function poll(fn, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = null;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${message}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** The text input inside (or at) an element carrying data-test=id. */
export function inputOf(page, id) {
  return page
    .locator(byTest(id))
    .locator('xpath=self::input | self::textarea | .//input | .//textarea')
    .first();
}

export async function fill(page, id, value) {
  const input = inputOf(page, id);
  await input.waitFor({ state: 'visible' });
  await input.fill(value);
}

export async function click(page, id) {
  const el = page.locator(byTest(id)).first();
  await el.waitFor({ state: 'visible' });
  await el.click();
}

/** Open an Element Plus select inside the element data-test=id and pick the option with `text`. */
export async function chooseOption(page, id, text) {
  await page.locator(byTest(id)).locator('.el-select__wrapper').first().click();
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first();
  await option.waitFor({ state: 'visible' });
  await option.click();
}

/** Open an Element Plus tree select inside data-test=id and pick the node labelled `text`. */
export async function chooseTreeNode(page, id, text) {
  await page.locator(byTest(id)).locator('.el-select__wrapper').first().click();
  const node = page.locator('.el-select-dropdown .el-tree-node__content:visible', { hasText: text }).first();
  await node.waitFor({ state: 'visible' });
  await node.click();
}

/** Visible text of every side-menu entry, by data-test name. */
export async function menuEntries(page) {
  return page
    .locator(`${byTest('side-menu')} [data-test^="menu-"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-test')));
}

/** A page in a browser context of its own (its own session), in Chinese, its page errors pushed onto `errors`. */
export async function newSessionPage(browser, errors) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return page;
}

/** Signs in through the console's login page of the server at `baseUrl`. */
export async function signIn(page, baseUrl, employeeId, password) {
  await page.goto(`${baseUrl}/#/login`);
  await page.locator(byTest('login-form')).waitFor();
  await fill(page, 'login-employee-id', employeeId);
  await fill(page, 'login-password', password);
  await click(page, 'login-submit');
  await page.locator(byTest('side-menu')).waitFor();
}

/** A JSON API call from the page's session (with its CSRF token): { status, body }. */
export async function apiCall(page, method, path, body) {
  return page.evaluate(async ([m, url, b]) => {
    const me = await (await fetch('/api/v1/auth/me', { credentials: 'same-origin' })).json();
    const res = await fetch(`/api/v1${url}`, {
      method: m,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token || '' },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }, [method, path, body]);
}
