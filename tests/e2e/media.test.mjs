// Browser test of the media pages against a real server:
//   node --test tests/e2e/        (SWITCHBOARD_BIN overrides target/debug/switchboard)
// Signs in as the first administrator; uploads a WAV made here as a voice prompt, sees it listed with its
// duration and plays it; a text file named .wav is refused with the server's message; uploads music into a new
// class; opens the recordings page (a fresh server has none: the empty state, the filters and the storage card);
// turns call recording on for extension 1001 and sees it saved. Calls that produce recordings are tested in Rust.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, screenshot, byTest, poll, fill, click, chooseOption, menuEntries } from './lib/browser.mjs';
import { sineWav } from './lib/wav.mjs';

const SUFFIX = Date.now().toString(36).slice(-5);
const PROMPT = `e2e_prompt_${SUFFIX}`;
const BAD_PROMPT = `e2e_bad_${SUFFIX}`;
const MOH_CLASS = `e2e_${SUFFIX}`;
const MOH_FILE = 'tune';

describe('media console', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let context;
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
        const file = await screenshot(page, `media-failed-${name}`);
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

  /** Put a file into the <input type=file> inside the picker data-test=id. */
  async function chooseFile(id, name, buffer, mimeType = 'audio/wav') {
    await page.locator(`${byTest(id)} input[type=file]`).setInputFiles({ name, mimeType, buffer });
    await page.locator(`${byTest(id)} .el-upload-list__item`, { hasText: name }).waitFor();
  }

  /** Wait until the page's player has loaded the audio's metadata; resolves with its duration in seconds. */
  async function playerDuration() {
    const audio = page.locator(byTest('media-audio'));
    await audio.waitFor({ state: 'attached' });
    return poll(
      async () => audio.evaluate((el) => {
        if (el.error) throw new Error(`audio error ${el.error.code} for ${el.currentSrc}`);
        return el.readyState >= 1 && Number.isFinite(el.duration) ? el.duration : null;
      }),
      { message: 'the audio player to load the file' },
    );
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

  step('the administrator signs in and sees the media pages in the menu', async () => {
    await page.goto(`${server.url}/#/login`);
    await page.locator(byTest('login-form')).waitFor();
    await fill(page, 'login-employee-id', 'admin');
    await fill(page, 'login-password', server.adminPassword);
    await click(page, 'login-submit');
    await page.locator(byTest('side-menu')).waitFor();
    const entries = await menuEntries(page);
    for (const name of ['recordings', 'prompts', 'music-on-hold']) {
      assert.ok(entries.includes(`menu-${name}`), `admin sees menu-${name}`);
    }
  });

  step('a WAV is uploaded as a voice prompt, listed with its duration and played', async () => {
    await click(page, 'menu-prompts');
    await page.locator(byTest('page-prompts')).waitFor();
    await page.locator(byTest('prompts-table')).waitFor();
    await click(page, 'prompt-upload');
    await page.locator(byTest('prompt-form')).waitFor();
    await chooseFile('prompt-file', 'welcome.wav', sineWav({ seconds: 2 }));
    await fill(page, 'prompt-name', PROMPT);
    await fill(page, 'prompt-description', 'e2e welcome');
    await click(page, 'prompt-save');
    await page.locator(byTest('prompt-form')).waitFor({ state: 'hidden' });
    await page.locator(byTest(`prompt-row-${PROMPT}`)).waitFor();
    assert.equal((await page.locator(byTest(`prompt-duration-${PROMPT}`)).innerText()).trim(), '0:02');

    const list = await apiGet('/prompts');
    assert.equal(list.status, 200);
    const items = Array.isArray(list.body) ? list.body : list.body.items;
    const stored = items.find((p) => p.name === PROMPT);
    assert.ok(stored, 'prompt stored');
    assert.ok(Math.abs(stored.duration_ms - 2000) <= 50, `duration ${stored.duration_ms} ms`);

    await click(page, `prompt-play-${PROMPT}`);
    const seconds = await playerDuration();
    assert.ok(Math.abs(seconds - 2) < 0.1, `the player reads ${seconds} s`);
    await click(page, 'media-player-close');
    await page.locator(byTest('media-audio')).waitFor({ state: 'detached' });
  });

  step('a text file named .wav is refused with the server\'s message', async () => {
    await click(page, 'prompt-upload');
    await page.locator(byTest('prompt-form')).waitFor();
    await chooseFile('prompt-file', 'notes.wav', Buffer.from('these are not audio samples\n'.repeat(20)));
    await fill(page, 'prompt-name', BAD_PROMPT);
    await click(page, 'prompt-save');
    const alert = page.locator(byTest('prompt-upload-error'));
    await alert.waitFor({ state: 'visible' });
    const shown = (await alert.innerText()).trim();
    assert.ok(shown.length > 0, 'an error message is shown');
    assert.ok(await page.locator(byTest('prompt-form')).isVisible(), 'the dialog stays open');

    // the message is the server's own, word for word
    const direct = await page.evaluate(async (name) => {
      const me = await (await fetch('/api/v1/auth/me', { credentials: 'same-origin' })).json();
      const res = await fetch(`/api/v1/prompts?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'audio/wav', 'X-CSRF-Token': me.csrf_token },
        body: 'these are not audio samples\n'.repeat(20),
      });
      return { status: res.status, body: await res.json() };
    }, BAD_PROMPT);
    assert.equal(direct.status, 422);
    assert.equal(shown, direct.body.error.message);

    await click(page, 'prompt-cancel');
    await page.locator(byTest('prompt-form')).waitFor({ state: 'hidden' });
    assert.equal(await page.locator(byTest(`prompt-row-${BAD_PROMPT}`)).count(), 0, 'nothing was stored');
  });

  step('the voice prompt is deleted after confirmation', async () => {
    await click(page, `prompt-delete-${PROMPT}`);
    await page.locator('.sb-confirm .el-message-box__btns .el-button--danger').click();
    await page.locator(byTest(`prompt-row-${PROMPT}`)).waitFor({ state: 'detached' });
  });

  step('music is uploaded into a new class and played', async () => {
    await click(page, 'menu-music-on-hold');
    await page.locator(byTest('page-music-on-hold')).waitFor();
    await click(page, 'moh-class-create');
    await page.locator(byTest('moh-form')).waitFor();
    await fill(page, 'moh-class-name', MOH_CLASS);
    await chooseFile('moh-file', 'tune.wav', sineWav({ seconds: 3, freq: 523 }));
    await fill(page, 'moh-file-name', MOH_FILE);
    await click(page, 'moh-save');
    await page.locator(byTest('moh-form')).waitFor({ state: 'hidden' });
    await page.locator(byTest(`moh-class-${MOH_CLASS}`)).waitFor();
    await poll(async () => (await page.locator(byTest('moh-selected-class')).innerText()).trim() === MOH_CLASS, {
      message: 'the new class selected',
    });
    const file = page.locator(`${byTest('moh-files-table')} ${byTest(`moh-file-${MOH_FILE}`)}`);
    await file.waitFor();
    assert.equal((await page.locator(byTest(`moh-duration-${MOH_FILE}`)).innerText()).trim(), '0:03');

    const classes = await apiGet('/music-classes');
    assert.equal(classes.status, 200);
    const cls = classes.body.find((c) => c.name === MOH_CLASS);
    assert.ok(cls, 'class stored');
    assert.deepEqual(cls.files.map((f) => f.name), [MOH_FILE]);

    await click(page, `moh-play-${MOH_FILE}`);
    const seconds = await playerDuration();
    assert.ok(Math.abs(seconds - 3) < 0.1, `the player reads ${seconds} s`);
  });

  step('the recordings page: list or empty state, filters, storage card', async () => {
    await click(page, 'menu-recordings');
    await page.locator(byTest('page-recordings')).waitFor();
    const table = page.locator(byTest('recordings-table'));
    await table.waitFor();
    const list = await apiGet('/recordings');
    assert.equal(list.status, 200);
    assert.equal(typeof list.body.total, 'number');
    if (list.body.total === 0) {
      await table.locator('.el-table__empty-text', { hasText: '没有录音' }).waitFor();
    } else {
      const first = list.body.items[0];
      await page.locator(byTest(`recording-row-${first.id}`)).waitFor();
    }

    // the filters reach the server as query parameters, and the answer is shown
    await fill(page, 'recording-number', '1001');
    await fill(page, 'recording-agent', '1002');
    await chooseOption(page, 'recording-direction', '呼入');
    await fill(page, 'recording-duration-min', '5');
    const answered = page.waitForResponse((r) => {
      const u = new URL(r.url());
      return u.pathname === '/api/v1/recordings' && u.searchParams.get('number') === '1001';
    });
    await click(page, 'recording-search');
    const res = await answered;
    const q = new URL(res.url()).searchParams;
    assert.equal(res.status(), 200);
    assert.equal(q.get('agent'), '1002');
    assert.equal(q.get('direction'), 'inbound');
    assert.equal(q.get('min_duration_s'), '5');
    await table.locator('.el-table__empty-text').waitFor();
    assert.equal(await page.locator(byTest('recordings-error')).count(), 0, 'no error shown');
    const cleared = page.waitForResponse((r) => {
      const u = new URL(r.url());
      return u.pathname === '/api/v1/recordings' && !u.searchParams.has('number');
    });
    await click(page, 'recording-reset');
    await cleared;
    assert.equal(await page.locator(byTest('recording-export')).isDisabled(), true, 'export needs a selection');

    // storage card (recording.manage)
    const storage = await apiGet('/recordings/storage');
    assert.equal(storage.status, 200);
    await page.locator(byTest('recording-storage-details')).waitFor();
    assert.ok((await page.locator(byTest('recording-storage-used')).innerText()).trim().length > 0);
    assert.ok((await page.locator(byTest('recording-storage-free')).innerText()).trim().length > 0);
    assert.ok((await page.locator(byTest('recording-storage-retention')).innerText()).trim().length > 0);
    assert.equal(
      await page.locator(byTest('recording-storage-low')).count(),
      storage.body.low_space ? 1 : 0,
      'the low-space alert follows low_space',
    );
  });

  step('call recording is turned on for extension 1001', async () => {
    const isOn = (toggle) => toggle.evaluate((el) => el.classList.contains('is-checked'));
    /** Open 1001's form, set the switch to `on`, save, and wait for the table to show it. */
    async function setRecording(on) {
      await click(page, 'extension-edit-1001');
      await page.locator(byTest('extension-form')).waitFor();
      const toggle = page.locator(byTest('extension-record-calls'));
      if ((await isOn(toggle)) !== on) await toggle.click();
      await poll(async () => (await isOn(toggle)) === on, { message: `switch ${on ? 'on' : 'off'}` });
      await click(page, 'extension-save');
      await page.locator(byTest('extension-form')).waitFor({ state: 'hidden' });
      await page.locator(byTest('extension-recorded-1001')).waitFor({ state: on ? 'visible' : 'detached' });
      const list = await apiGet('/extensions?q=1001');
      const ext = list.body.items.find((e) => e.extension === '1001');
      assert.equal(ext.record_calls, on, `record_calls saved as ${on}`);
    }

    await click(page, 'menu-extensions');
    await page.locator(byTest('page-extensions')).waitFor();
    await page.locator(byTest('extension-row-1001')).waitFor();
    const before = await apiGet('/extensions?q=1001');
    // the demo data may already record 1001: then switch it off first, so that "on" is a change
    if (before.body.items.find((e) => e.extension === '1001').record_calls) await setRecording(false);
    await setRecording(true);

    // the form reads it back
    await click(page, 'extension-edit-1001');
    await page.locator(byTest('extension-form')).waitFor();
    await poll(() => isOn(page.locator(byTest('extension-record-calls'))), { message: 'switch reads on' });
    await click(page, 'extension-cancel');
    await page.locator(byTest('extension-form')).waitFor({ state: 'hidden' });
  });

  step('no script errors or CSP refusals happened', async () => {
    assert.deepEqual(pageErrors, []);
  });
});
