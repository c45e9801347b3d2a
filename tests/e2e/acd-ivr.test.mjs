// Browser test of the ACD and IVR configuration pages against a real server:
//   node --test tests/e2e/acd-ivr.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// Signs in as the first administrator; creates a queue and gives it a member; creates a voice flow, types a
// document in the JSON tab whose menu leads to the queue but has a dangling branch, sees the server's refusal
// naming the node and the node highlighted, fixes the branch in the node form and publishes version 2, sees both
// versions in the history; previews a demo calendar; blocks a number; opens the voicemail and survey pages (a fresh
// server has no messages or answers there).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, screenshot, byTest, poll, fill, click, chooseOption, menuEntries } from './lib/browser.mjs';

const SUFFIX = Date.now().toString(36).slice(-5);
const QUEUE = `e2e-q-${SUFFIX}`;
const FLOW = `e2e-flow-${SUFFIX}`;
const FLOW_NUMBER = `47${Math.floor(Math.random() * 90) + 10}`;
const BLOCKED = `0${Math.floor(Math.random() * 900) + 100}*`;

/** The flow typed into the JSON tab: its menu's key 2 leads to "salse", a node that does not exist. */
function flowWithTypo(queue) {
  return {
    language: 'zh',
    start: 'greeting',
    nodes: {
      greeting: { type: 'play', prompts: [{ builtin: 'welcome' }], next: 'menu' },
      menu: {
        type: 'menu', prompts: [{ tts: '销售请按1，服务请按2' }], choices: { 1: 'sales', 2: 'salse' },
        on_failure: 'bye',
      },
      sales: { type: 'queue', queue, on_overflow: 'bye' },
      bye: { type: 'hangup', prompts: [{ builtin: 'goodbye' }] },
    },
  };
}

describe('ACD and IVR console', { timeout: 240_000 }, () => {
  let server;
  let browser;
  let context;
  let page;
  let failed = false;
  let flowId = null;
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
        const file = await screenshot(page, `acd-ivr-failed-${name}`);
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
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
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

  step('the administrator signs in and sees the contact-center pages', async () => {
    await page.goto(`${server.url}/#/login`);
    await page.locator(byTest('login-form')).waitFor();
    await fill(page, 'login-employee-id', 'admin');
    await fill(page, 'login-password', server.adminPassword);
    await click(page, 'login-submit');
    await page.locator(byTest('side-menu')).waitFor();
    const entries = await menuEntries(page);
    for (const name of ['ivr-flows', 'calendars', 'queues', 'blacklist', 'voicemail', 'surveys']) {
      assert.ok(entries.includes(`menu-${name}`), `admin sees menu-${name}`);
    }
  });

  step('a queue is created and given a member with a skill', async () => {
    await click(page, 'menu-queues');
    await page.locator(byTest('page-queues')).waitFor();
    await click(page, 'queue-create');
    await page.locator(byTest('queue-form')).waitFor();
    await fill(page, 'queue-name', QUEUE);
    await fill(page, 'queue-display-name', 'E2E 销售');
    await click(page, 'queue-save');
    await page.locator(byTest('queue-form')).waitFor({ state: 'hidden' });
    await page.locator(byTest(`queue-row-${QUEUE}`)).waitFor();

    await click(page, `queue-members-${QUEUE}`);
    await page.locator(byTest('queue-members')).waitFor();
    await chooseOption(page, 'queue-member-pick', '1003');
    await click(page, 'queue-member-add');
    const skill = page.locator(`${byTest('queue-members-table')} [data-test^="queue-member-skill-"] input`).first();
    await skill.fill('8');
    await skill.blur();
    await click(page, 'queue-members-save');
    await page.locator(byTest('queue-members')).waitFor({ state: 'hidden' });
    await poll(async () => (await page.locator(byTest(`queue-member-count-${QUEUE}`)).innerText()).trim() === '1',
      { message: 'the member count to read 1' });

    const queues = await apiGet(`/queues?q=${QUEUE}`);
    const queue = queues.body.items.find((q) => q.name === QUEUE);
    const members = await apiGet(`/queues/${queue.id}/members`);
    assert.equal(members.body.length, 1);
    assert.equal(members.body[0].extension, '1003');
    assert.equal(members.body[0].skill, 8);
  });

  step('a voice flow is created and its editor opens', async () => {
    await click(page, 'menu-ivr-flows');
    await page.locator(byTest('page-ivr-flows')).waitFor();
    await click(page, 'flow-create');
    await page.locator(byTest('flow-form')).waitFor();
    await fill(page, 'flow-name', FLOW);
    await fill(page, 'flow-number', FLOW_NUMBER);
    await fill(page, 'flow-description', 'E2E 热线');
    await click(page, 'flow-save');
    await page.locator(byTest('page-ivr-flow-editor')).waitFor();
    await page.locator(byTest('flow-node-greeting')).waitFor();
    flowId = Number(page.url().split('/').pop());
    assert.ok(flowId > 0, `editor URL names the flow: ${page.url()}`);
  });

  step('a document with a dangling branch is refused and the node is highlighted', async () => {
    await page.locator('.el-tabs__item', { hasText: 'JSON' }).click();
    await fill(page, 'flow-json', JSON.stringify(flowWithTypo(QUEUE), null, 2));
    await click(page, 'flow-publish');
    await page.locator(byTest('flow-publish-form')).waitFor();
    await fill(page, 'flow-publish-note', 'menu to the queue');
    await click(page, 'flow-publish-confirm');
    const alert = page.locator(byTest('flow-publish-error'));
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /node "menu"/);
    assert.match(text, /salse/);
    // the editor went back to the nodes and marks the menu
    const menu = page.locator(byTest('flow-node-menu'));
    await menu.waitFor();
    assert.equal(await menu.getAttribute('data-error'), 'true');
    assert.equal(await page.locator(byTest('flow-node-sales')).getAttribute('data-error'), 'false');
    await page.locator(byTest('flow-node-menu-error')).waitFor();
    const versions = await apiGet(`/ivr/flows/${flowId}/versions`);
    assert.equal(versions.body.length, 1, 'nothing was published');
  });

  step('the branch is fixed in the node form and version 2 is published', async () => {
    await chooseOption(page, 'flow-node-menu-choice-2-target', 'sales');
    await page.locator(byTest('flow-dirty')).waitFor();
    await click(page, 'flow-publish');
    await page.locator(byTest('flow-publish-form')).waitFor();
    await fill(page, 'flow-publish-note', 'fixed the typo');
    await click(page, 'flow-publish-confirm');
    await page.locator(byTest('flow-publish-error')).waitFor({ state: 'detached' });
    await page.locator(byTest('flow-dirty')).waitFor({ state: 'detached' });
    const flow = await apiGet(`/ivr/flows/${flowId}`);
    assert.equal(flow.body.current_version, 2);
    assert.equal(flow.body.document.nodes.menu.choices['2'], 'sales');
    assert.equal(flow.body.document.nodes.sales.queue, QUEUE);
    assert.equal(await page.locator(byTest('flow-node-menu')).getAttribute('data-error'), 'false');
  });

  step('the version history lists both versions and shows version 1', async () => {
    await page.locator('.el-tabs__item', { hasText: /版本历史|Version history/ }).click();
    await page.locator(byTest('flow-version-2')).waitFor();
    await page.locator(byTest('flow-version-1')).waitFor();
    const rows = await page.locator(`${byTest('flow-versions')} .el-table__body tr`).count();
    assert.equal(rows, 2);
    await click(page, 'flow-version-view-1');
    const dialog = page.locator(byTest('flow-version-dialog'));
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /"greeting"/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await click(page, 'flow-back');
    await page.locator(byTest(`flow-row-${FLOW}`)).waitFor();
    assert.equal((await page.locator(byTest(`flow-version-of-${FLOW}`)).innerText()).trim(), 'v2');
  });

  step('a demo calendar is previewed day by day', async () => {
    await click(page, 'menu-calendars');
    await page.locator(byTest('page-calendars')).waitFor();
    await page.locator(byTest('calendar-row-standard')).waitFor();
    await click(page, 'calendar-preview-standard');
    const table = page.locator(byTest('calendar-preview'));
    await table.waitFor();
    await poll(async () => (await table.locator('.el-table__body tr').count()) === 7, { message: '7 days' });
    await page.keyboard.press('Escape');
    await table.waitFor({ state: 'hidden' });
  });

  step('a number prefix is blacklisted', async () => {
    await click(page, 'menu-blacklist');
    await page.locator(byTest('page-blacklist')).waitFor();
    await click(page, 'blacklist-create');
    await page.locator(byTest('blacklist-form')).waitFor();
    await fill(page, 'blacklist-number', BLOCKED);
    await fill(page, 'blacklist-reason', 'E2E 骚扰号段');
    await click(page, 'blacklist-save');
    await page.locator(byTest('blacklist-form')).waitFor({ state: 'hidden' });
    await page.locator(byTest(`blacklist-row-${BLOCKED}`)).waitFor();
    const list = await apiGet(`/blacklist?q=${encodeURIComponent(BLOCKED.slice(0, -1))}`);
    assert.equal(list.body.items[0].number, BLOCKED);
    assert.equal(list.body.items[0].action, 'busy');
  });

  step('the voicemail and survey pages open', async () => {
    await click(page, 'menu-voicemail');
    await page.locator(byTest('page-voicemail')).waitFor();
    await page.locator(byTest('voicemail-table')).waitFor();
    assert.equal(await page.locator(byTest('voicemail-error')).count(), 0);
    await click(page, 'menu-surveys');
    await page.locator(byTest('page-surveys')).waitFor();
    await page.locator(byTest('surveys-summary')).waitFor();
    await page.locator(byTest('surveys-table')).waitFor();
  });

  step('no script errors or CSP refusals happened', async () => {
    assert.deepEqual(pageErrors, []);
  });
});
