// Browser test of the console against a real server:
//   node --test tests/e2e/        (SWITCHBOARD_BIN overrides target/debug/switchboard)
// Signs in as the first administrator, builds a department, a role through the permission
// matrix and a staff member, switches language, sees the demo SIP password warning, creates a
// SIP extension, opens the call records and bans and unbans an address, then signs in as the
// new staff member and checks that the menu and the staff list follow the role.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, screenshot, byTest, poll, fill, click, chooseOption, chooseTreeNode, menuEntries,
} from './lib/browser.mjs';

const SUFFIX = Date.now().toString(36).slice(-5);
const DEPT = { number: `E2E${SUFFIX}`, name: `E2E部门${SUFFIX}` };
const ROLE = { code: `e2e_viewer_${SUFFIX}`, name: `E2E查看员${SUFFIX}` };
const STAFF = { employee_id: `e2e${SUFFIX}`, name: `测试坐席${SUFFIX}`, password: `Pw-${SUFFIX}-Secret9` };
const RAND = Math.floor(Math.random() * 9000) + 1000;
const EXTENSION = { number: `7${RAND}`, name: `E2E话机${SUFFIX}`, password: `Sip-${SUFFIX}-Pass7` };
const BANNED = `203.0.113.${(RAND % 250) + 1}`;

describe('console', { timeout: 180_000 }, () => {
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
        const file = await screenshot(page, `failed-${name}`);
        if (file) err.message += `\n(screenshot: ${file})`;
        throw err;
      }
    });
  }

  async function gotoHash(hash) {
    await page.goto(`${server.url}/#${hash}`);
  }

  async function signIn(employeeId, password) {
    await gotoHash('/login');
    await page.locator(byTest('login-form')).waitFor();
    await fill(page, 'login-employee-id', employeeId);
    await fill(page, 'login-password', password);
    await click(page, 'login-submit');
  }

  async function switchLanguage(code) {
    await click(page, 'lang-switch');
    await click(page, `lang-${code}`);
  }

  async function menuText(name) {
    return (await page.locator(byTest(`menu-${name}`)).innerText()).trim();
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
      // a refused inline script / eval would show up here as a CSP report
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

  step('the console loads and a wrong password shows the error', async () => {
    await signIn('admin', `${server.adminPassword}-wrong`);
    const alert = page.locator(byTest('login-error'));
    await alert.waitFor({ state: 'visible' });
    const text = (await alert.innerText()).trim();
    assert.ok(text.length > 0, 'the login error shows a message');
    assert.equal(await page.locator(byTest('side-menu')).count(), 0, 'still signed out');
  });

  step('the administrator signs in', async () => {
    await signIn('admin', server.adminPassword);
    await page.locator(byTest('side-menu')).waitFor();
    const entries = await menuEntries(page);
    for (const name of ['home', 'profile', 'departments', 'staff', 'roles', 'extension-groups', 'dictionary',
      'announcements', 'audit', 'api-tokens', 'extensions', 'trunks', 'inbound-routes', 'outbound-routes', 'cdrs',
      'sip-bans']) {
      assert.ok(entries.includes(`menu-${name}`), `admin sees menu-${name}`);
    }
  });

  step('the language switches to English and back to Chinese', async () => {
    if ((await menuText('departments')) === 'Departments') {
      // the profile already says English: start from Chinese
      await switchLanguage('zh-CN');
      await poll(async () => (await menuText('departments')) === '部门管理', { message: 'Chinese menu' });
    }
    await switchLanguage('en');
    await poll(async () => (await menuText('departments')) === 'Departments', { message: 'English menu' });
    assert.equal(await menuText('staff'), 'Staff');
    // the choice is stored on the profile (PUT /auth/me): it survives a reload
    await page.reload();
    await page.locator(byTest('side-menu')).waitFor();
    await poll(async () => (await menuText('departments')) === 'Departments', { message: 'English after reload' });
    const me = await apiGet('/auth/me');
    assert.equal(me.body.locale, 'en', 'locale saved on the profile');

    await switchLanguage('zh-CN');
    await poll(async () => (await menuText('departments')) === '部门管理', { message: 'Chinese menu' });
    assert.equal(await menuText('staff'), '员工管理');
  });

  step('a department is created', async () => {
    await click(page, 'menu-departments');
    await page.locator(byTest('page-departments')).waitFor();
    await click(page, 'department-create');
    await fill(page, 'department-number', DEPT.number);
    await fill(page, 'department-name', DEPT.name);
    await click(page, 'department-save');
    await page.locator(byTest(`department-row-${DEPT.name}`)).waitFor();
    await page.locator(byTest('department-form')).waitFor({ state: 'hidden' });
  });

  step('a role with department.read and staff.read is created through the matrix', async () => {
    await click(page, 'menu-roles');
    await page.locator(byTest('page-roles')).waitFor();
    await click(page, 'role-create');
    await page.locator(byTest('permission-matrix')).waitFor();
    await fill(page, 'role-code', ROLE.code);
    await fill(page, 'role-name', ROLE.name);
    await chooseOption(page, 'role-data-scope', '本部门');
    await page.locator(byTest('perm-department.read')).click();
    await page.locator(byTest('perm-staff.read')).click();
    const checked = await page
      .locator(`${byTest('permission-matrix')} td.sb-matrix-cell .el-checkbox.is-checked`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-test')));
    assert.deepEqual(checked.sort(), ['perm-department.read', 'perm-staff.read']);
    await click(page, 'role-save');
    await page.locator(byTest(`role-row-${ROLE.code}`)).waitFor();

    const roles = await apiGet('/roles?per_page=1000');
    assert.equal(roles.status, 200);
    const role = roles.body.items.find((r) => r.code === ROLE.code);
    assert.ok(role, 'role stored');
    assert.deepEqual([...role.permissions].sort(), ['department.read', 'staff.read']);
    assert.equal(role.data_scope, 'department');
  });

  step('a staff member is created in the department with the role', async () => {
    await click(page, 'menu-staff');
    await page.locator(byTest('page-staff')).waitFor();
    await click(page, 'staff-create');
    await page.locator(byTest('staff-form')).waitFor();
    await fill(page, 'staff-employee-id', STAFF.employee_id);
    await fill(page, 'staff-name', STAFF.name);
    await chooseTreeNode(page, 'staff-department', DEPT.name);
    await chooseOption(page, 'staff-roles', ROLE.name);
    await page.locator(byTest('staff-form')).locator('.el-form-item__label').first().click(); // close the drop-down
    await fill(page, 'staff-password', STAFF.password);
    await click(page, 'staff-save');
    await page.locator(byTest('staff-form')).waitFor({ state: 'hidden' });
    await page.locator(byTest(`staff-row-${STAFF.employee_id}`)).waitFor();

    const list = await apiGet(`/staff?q=${encodeURIComponent(STAFF.employee_id)}`);
    const s = list.body.items.find((x) => x.employee_id === STAFF.employee_id);
    assert.ok(s, 'staff stored');
    assert.equal(s.department_name, DEPT.name);
    assert.deepEqual(s.roles.map((r) => r.code), [ROLE.code]);
    assert.equal(s.has_password, true);
  });

  step('the demo SIP passwords are flagged in a banner', async () => {
    const banner = page.locator(byTest('demo-password-warning'));
    await banner.waitFor({ state: 'visible' });
    const text = await banner.innerText();
    for (const ext of ['1001', '1002', '1003', '1004']) assert.ok(text.includes(ext), `banner names ${ext}: ${text}`);
  });

  step('a SIP extension is created and listed without its password', async () => {
    await click(page, 'menu-extensions');
    await page.locator(byTest('page-extensions')).waitFor();
    await page.locator(byTest('extension-row-1001')).waitFor();
    assert.equal(await page.locator(byTest('extension-demo-1001')).count(), 1, 'demo password flagged on 1001');
    await click(page, 'extension-create');
    await page.locator(byTest('extension-form')).waitFor();
    await fill(page, 'extension-number', EXTENSION.number);
    await fill(page, 'extension-display-name', EXTENSION.name);
    await fill(page, 'extension-password', EXTENSION.password);
    await click(page, 'extension-save');
    await page.locator(byTest('extension-form')).waitFor({ state: 'hidden' });
    await page.locator(byTest(`extension-row-${EXTENSION.number}`)).waitFor();
    assert.equal(await page.locator(byTest(`extension-demo-${EXTENSION.number}`)).count(), 0);

    const list = await apiGet(`/extensions?q=${EXTENSION.number}`);
    const ext = list.body.items.find((e) => e.extension === EXTENSION.number);
    assert.ok(ext, 'extension stored');
    assert.equal(ext.display_name, EXTENSION.name);
    assert.equal(ext.password_is_demo, false);
    assert.ok(!JSON.stringify(list.body).includes(EXTENSION.password), 'the SIP password never comes back');
    await page.locator('#tab-registrations').click();
    await page.locator(byTest('registrations-table')).waitFor();
  });

  step('the call records page opens', async () => {
    await click(page, 'menu-cdrs');
    await page.locator(byTest('page-cdrs')).waitFor();
    await page.locator(byTest('cdrs-table')).waitFor();
    await click(page, 'cdr-search');
    const res = await apiGet('/cdrs');
    assert.equal(res.status, 200);
    assert.equal(typeof res.body.total, 'number');
  });

  step('an address is banned by hand and the ban is lifted', async () => {
    await click(page, 'menu-sip-bans');
    await page.locator(byTest('page-sip-bans')).waitFor();
    await click(page, 'sip-ban-create');
    await page.locator(byTest('sip-ban-form')).waitFor();
    await fill(page, 'sip-ban-address', BANNED);
    await fill(page, 'sip-ban-reason', 'e2e manual ban');
    await click(page, 'sip-ban-save');
    await page.locator(byTest('sip-ban-form')).waitFor({ state: 'hidden' });
    await page.locator(byTest(`sip-ban-row-${BANNED}`)).waitFor();
    await click(page, `sip-ban-lift-${BANNED}`);
    await page.locator('.sb-confirm .el-message-box__btns .el-button--danger').click();
    await page.locator(byTest(`sip-ban-row-${BANNED}`)).waitFor({ state: 'detached' });

    const history = await apiGet('/sip-bans?include_expired=true');
    const ban = history.body.items.find((b) => b.address === BANNED);
    assert.ok(ban && ban.lifted_at, 'the ban is lifted');
    assert.equal(ban.lifted_by, 'admin');
  });

  step('the administrator signs out', async () => {
    await click(page, 'user-menu');
    await click(page, 'sign-out');
    await page.locator(byTest('login-form')).waitFor();
    const me = await apiGet('/auth/me');
    assert.equal(me.status, 401, 'session ended on the server');
  });

  step('the new staff member sees only what the role grants', async () => {
    await signIn(STAFF.employee_id, STAFF.password);
    await page.locator(byTest('side-menu')).waitFor();
    const entries = (await menuEntries(page)).sort();
    assert.deepEqual(entries, ['menu-departments', 'menu-home', 'menu-profile', 'menu-staff']);

    // no create / edit / delete buttons without those permissions
    await click(page, 'menu-departments');
    await page.locator(`${byTest('page-departments')} ${byTest(`department-row-${DEPT.name}`)}`).waitFor();
    assert.equal(await page.locator(byTest('department-create')).count(), 0);

    // data scope "own department": the list holds the new member, not the administrator
    await click(page, 'menu-staff');
    await page.locator(byTest(`staff-row-${STAFF.employee_id}`)).waitFor();
    assert.equal(await page.locator(byTest('staff-row-admin')).count(), 0, 'admin is outside the data scope');
    assert.equal(await page.locator(byTest('staff-create')).count(), 0);
    assert.equal(await page.locator('[data-test^="staff-edit-"]').count(), 0);
    assert.equal(await page.locator('[data-test^="staff-more-"]').count(), 0);

    // a page without its permission shows the "no permission" view
    await gotoHash('/roles');
    await page.locator(byTest('no-permission')).waitFor();
    assert.equal(await page.locator(byTest('page-roles')).count(), 0);
  });

  step('no script errors or CSP refusals happened', async () => {
    assert.deepEqual(pageErrors, []);
  });
});
