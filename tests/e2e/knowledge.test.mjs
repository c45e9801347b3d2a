// Browser test of the knowledge base console against a real server:
//   node --test tests/e2e/knowledge.test.mjs    (SWITCHBOARD_BIN overrides target/debug/switchboard)
// Agent 1002 (who may write) writes an article in the rich-text editor, with an uploaded image, saves and submits
// it; supervisor 1001 (who may review) finds it in the review queue and publishes it; agent 1003 (who may only
// read) searches for one of its Chinese words, sees the word highlighted, and opens the article with its image.
// Before publication the draft is not found by the agent's search.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, screenshot, byTest, poll, fill, click, chooseTreeNode, menuEntries, newSessionPage, signIn,
  apiCall,
} from './lib/browser.mjs';

const SUFFIX = Date.now().toString(36).slice(-5);
const TITLE = `冷却液更换指南 ${SUFFIX}`;
// The suffix may be all letters; the password rule wants a digit too.
const PASSWORD = `kb-pass-${SUFFIX}-7`;
// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('knowledge console', { timeout: 240_000 }, () => {
  let server;
  let browser;
  let admin;
  let writer;
  let reviewer;
  let agent;
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
        for (const [who, page] of [['admin', admin], ['writer', writer], ['reviewer', reviewer], ['agent', agent]]) {
          const file = page ? await screenshot(page, `knowledge-failed-${who}-${name}`) : null;
          if (file) err.message += `\n(${who} screenshot: ${file})`;
        }
        throw err;
      }
    });
  }

  const stateText = async (page) => (await page.locator(byTest('kb-state')).innerText()).trim();

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

  step('the administrator sees the knowledge pages and gives the demo people passwords', async () => {
    await signIn(admin, server.url, 'admin', server.adminPassword);
    const entries = await menuEntries(admin);
    for (const name of ['knowledge', 'knowledge-study', 'knowledge-drafts', 'knowledge-review',
      'knowledge-categories', 'knowledge-stats']) {
      assert.ok(entries.includes(`menu-${name}`), `admin sees menu-${name}`);
    }
    const staff = await apiCall(admin, 'GET', '/staff?per_page=100');
    for (const employeeId of ['1001', '1002', '1003']) {
      const person = staff.body.items.find((s) => s.employee_id === employeeId);
      const reset = await apiCall(admin, 'POST', `/staff/${person.id}/password`, { password: PASSWORD });
      assert.equal(reset.status, 204, JSON.stringify(reset.body));
    }
  });

  step('agent 1002 writes an article with an image and submits it', async () => {
    writer = await newSessionPage(browser, pageErrors);
    await signIn(writer, server.url, '1002', PASSWORD);
    const entries = await menuEntries(writer);
    assert.ok(entries.includes('menu-knowledge-drafts'));
    assert.ok(!entries.includes('menu-knowledge-review'), 'an agent does not review');
    await click(writer, 'menu-knowledge-drafts');
    await writer.locator(byTest('page-knowledge-drafts')).waitFor();
    await click(writer, 'kb-new');
    await writer.locator(byTest('page-knowledge-editor')).waitFor();
    await fill(writer, 'kb-title', TITLE);
    await chooseTreeNode(writer, 'kb-category-select', '汽车保养');
    const editor = writer.locator(byTest('kb-editor'));
    await editor.click();
    await writer.keyboard.type('发动机冷却液每两年更换一次，请使用原厂冷却液。');
    await writer.keyboard.press('Enter');
    await writer.locator(byTest('kb-image-input')).setInputFiles({ name: 'coolant.png', mimeType: 'image/png',
      buffer: PNG });
    await poll(async () => (await editor.locator('img').count()) === 1, { message: 'the uploaded image in the body' });
    await click(writer, 'kb-save');
    await poll(async () => (await stateText(writer)) === '草稿', { message: 'the article saved as a draft' });
    await click(writer, 'kb-submit');
    await poll(async () => (await stateText(writer)) === '待审核', { message: 'the article in review' });
  });

  step('the draft is not found by an agent before it is published', async () => {
    agent = await newSessionPage(browser, pageErrors);
    await signIn(agent, server.url, '1003', PASSWORD);
    const found = await apiCall(agent, 'GET', `/knowledge/search?q=${encodeURIComponent('冷却液')}`);
    assert.equal(found.status, 200);
    assert.equal(found.body.total, 0, JSON.stringify(found.body));
  });

  step('supervisor 1001 publishes it from the review queue', async () => {
    reviewer = await newSessionPage(browser, pageErrors);
    await signIn(reviewer, server.url, '1001', PASSWORD);
    await click(reviewer, 'menu-knowledge-review');
    await reviewer.locator(byTest('page-knowledge-review')).waitFor();
    const row = reviewer.locator(`${byTest('kb-drafts')} tr`, { hasText: TITLE }).first();
    await row.waitFor();
    await row.click();
    await reviewer.locator(byTest('page-knowledge-editor')).waitFor();
    await click(reviewer, 'kb-publish');
    await poll(async () => (await stateText(reviewer)) === '已发布', { message: 'the article published' });
  });

  step('agent 1003 searches for it, sees the highlight and opens it with its image', async () => {
    await click(agent, 'menu-knowledge');
    await agent.locator(byTest('page-knowledge')).waitFor();
    await fill(agent, 'kb-search-input', '冷却液');
    await click(agent, 'kb-search-button');
    const hit = agent.locator(byTest('kb-hit'), { hasText: SUFFIX }).first();
    await hit.waitFor();
    assert.ok((await hit.locator(`${byTest('kb-snippet')} b`).first().innerText()).includes('冷却液'));
    await hit.click();
    await agent.locator(byTest('page-knowledge-article')).waitFor();
    const body = agent.locator(byTest('kb-article-body'));
    await poll(async () => (await body.innerText()).includes('原厂冷却液'), { message: 'the article body' });
    const image = body.locator('img').first();
    await image.waitFor();
    await poll(async () => image.evaluate((img) => img.complete && img.naturalWidth === 1),
      { message: 'the image loaded with the agent\'s session' });
    assert.deepEqual(pageErrors, []);
  });
});
