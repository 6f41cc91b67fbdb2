/**
 * Personal settings and the admin pages in a real browser (Chromium through playwright-core)
 * against `wrangler dev`: display name and e-mail, password change (a wrong current password is
 * refused), the quota bar, app passwords (create, use over WebDAV, revoke), German, the admin's
 * users and groups pages, the refusal for non-admins (page and server), keyboard-only flows, 360 px.
 * axe-core checks every page and dialog; screenshots go to test-artifacts/screenshots/settings-*.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, strongPassword } from '../../support/server.mjs';
import { basic, closeAll, expectNoSeriousAxeViolations, fitsWidth, focused, launchChromium, screenshot, signIn, tabTo } from './browser';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let alice: { user: string; password: string };
let aliceContext: BrowserContext;
let page: Page;
let adminContext: BrowserContext;
let admin: Page;

/** An OCS call from Node with Basic credentials: [HTTP status, data]. */
async function ocsAs(login: string, password: string, method: string, path: string, body?: Record<string, string>) {
  const res = await fetch(`${server.url}/ocs/v2.php${path}${path.includes('?') ? '&' : '?'}format=json`, {
    method,
    headers: { Authorization: basic(login, password), 'OCS-APIRequest': 'true', Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: body ? new URLSearchParams(body) : undefined,
  });
  const json = await res.json().catch(() => null) as { ocs?: { data?: Record<string, unknown> } } | null;
  return [res.status, json?.ocs?.data] as const;
}

/** PROPFIND of the user's root with Basic credentials: the HTTP status. */
async function propfind(login: string, password: string): Promise<number> {
  const res = await fetch(server.davUrl(login), { method: 'PROPFIND', headers: { Authorization: basic(login, password), Depth: '0' } });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  server = await startServer({ name: 'web-settings' });
  alice = await server.createUser('alice', strongPassword(), { displayName: 'Alice Liddell', email: 'alice@example.org', quota: '1 GB' });
  const put = await fetch(`${server.davUrl('alice')}one-mebibyte.bin`, {
    method: 'PUT', body: new Uint8Array(1024 * 1024), headers: { Authorization: basic(alice.user, alice.password) },
  });
  expect(put.status).toBe(201);
  await server.createUser('carol', strongPassword(), { displayName: 'Carol' });
  browser = await launchChromium();
  aliceContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page = await aliceContext.newPage();
  adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  admin = await adminContext.newPage();
}, 5 * 60_000);

afterAll(() => closeAll(browser, server));

describe('personal settings', () => {
  it('signs in to the personal settings page: all sections, no admin links for a non-admin', async () => {
    await signIn(page, server.url, alice, { to: '/settings/user' });
    await page.getByRole('heading', { level: 1, name: 'Personal settings' }).waitFor();
    for (const name of ['Account', 'Password', 'Storage', 'Language', 'Appearance', 'Devices & sessions']) {
      await page.getByRole('heading', { level: 2, name }).waitFor();
    }
    expect(await page.getByLabel('Display name').inputValue()).toBe('Alice Liddell');
    expect(await page.getByLabel('E-mail').inputValue()).toBe('alice@example.org');
    const nav = page.getByRole('navigation', { name: 'Settings' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Personal settings']);
    await page.getByRole('button', { name: 'Settings menu for Alice Liddell' }).click();
    expect(await page.getByRole('menuitem').allTextContents()).toEqual(['Personal settings', 'Log out']);
    await page.keyboard.press('Escape');
    await page.getByText('You are using').waitFor();
    await expectNoSeriousAxeViolations(page, 'personal settings');
    await screenshot(page, 'settings-01-personal');
  });

  it('shows the quota bar: "You are using X of Y (Z %)" with a meter', async () => {
    const text = page.locator('#quota-text');
    expect(await text.textContent()).toBe('You are using 1 MB of 1 GB (0.1 %).');
    const meter = page.locator('meter#quota-meter');
    expect(await meter.getAttribute('max')).toBe(String(1024 ** 3));
    expect(await meter.getAttribute('value')).toBe(String(1024 ** 2));
    expect(await meter.evaluate((m) => (m as HTMLMeterElement).labels.length + (m.getAttribute('aria-labelledby') ? 1 : 0))).toBeGreaterThan(0);
  });

  it('changes the display name and the e-mail (saved through OCS, announced in a live region)', async () => {
    await page.getByLabel('Display name').fill('Alice Pleasance');
    await page.locator('form.field-form', { has: page.getByLabel('Display name') }).getByRole('button', { name: 'Save' }).click();
    const nameStatus = page.locator('#field-displayname-message');
    await nameStatus.filter({ hasText: 'Display name saved.' }).waitFor();
    expect(await nameStatus.getAttribute('role')).toBe('status');
    // The header follows at once; the server has it.
    await page.getByRole('button', { name: 'Settings menu for Alice Pleasance' }).waitFor();
    const [, me] = await ocsAs(alice.user, alice.password, 'GET', '/cloud/user');
    expect(me).toMatchObject({ displayname: 'Alice Pleasance', email: 'alice@example.org' });

    const emailForm = page.locator('form.field-form', { has: page.getByLabel('E-mail') });
    await page.getByLabel('E-mail').fill('not an address');
    await emailForm.getByRole('button', { name: 'Save' }).click();
    await page.locator('#field-email-message.error').filter({ hasText: 'Enter a valid e-mail address' }).waitFor();
    await page.getByLabel('E-mail').fill('alice@wonderland.example');
    await emailForm.getByRole('button', { name: 'Save' }).click();
    await page.locator('#field-email-message').filter({ hasText: 'E-mail address saved.' }).waitFor();
    const [, after] = await ocsAs(alice.user, alice.password, 'GET', '/cloud/user');
    expect(after).toMatchObject({ displayname: 'Alice Pleasance', email: 'alice@wonderland.example' });
    await page.getByText('Sign in with “alice” or your e-mail address alice@wonderland.example.').waitFor();
    await expectNoSeriousAxeViolations(page, 'personal settings after edits');
  });

  it('creates an app password (shown once, copyable) that works for WebDAV, lists it, and revokes it after confirmation', async () => {
    await page.getByLabel('Device name').fill('Laptop sync');
    await page.locator('#app-password-confirm').fill(alice.password);
    await page.getByRole('button', { name: 'Create app password' }).click();
    const dialog = page.getByRole('dialog', { name: 'New app password' });
    await dialog.waitFor();
    const token = await dialog.getByRole('textbox', { name: 'App password' }).inputValue();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(await dialog.getByRole('textbox', { name: 'Login name' }).inputValue()).toBe('alice');
    await aliceContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await dialog.getByRole('button', { name: 'Copy: App password' }).click();
    await dialog.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await expectNoSeriousAxeViolations(page, 'new app password dialog');
    await screenshot(page, 'settings-02-new-app-password');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused(page)).toMatch(/^(button|input)/);

    // The app password signs a client in; the page lists it with its last activity.
    expect(await propfind('alice', token)).toBe(207);
    const row = page.locator('table.app-passwords tbody tr', { hasText: 'Laptop sync' });
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).not.toBe('never');
    // The password is not shown again anywhere on the page.
    expect(await page.content()).not.toContain(token);

    // A wrong login password does not revoke it.
    await row.getByRole('button', { name: 'Revoke the app password Laptop sync' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke app password?' });
    await confirm.waitFor();
    await expectNoSeriousAxeViolations(page, 'revoke dialog');
    await screenshot(page, 'settings-03-revoke-app-password');
    await confirm.getByLabel('Current password').fill('wrong-password-123');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.getByText('The current password is wrong.').waitFor();
    expect(await propfind('alice', token)).toBe(207);
    // Nor does the app password itself.
    await confirm.getByLabel('Current password').fill(token);
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.getByText('The current password is wrong.').waitFor();
    expect(await propfind('alice', token)).toBe(207);

    await confirm.getByLabel('Current password').fill(alice.password);
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.locator('#app-password-message').filter({ hasText: 'App password “Laptop sync” revoked.' }).waitFor();
    await page.getByText('No app passwords yet.').waitFor();
    expect(await propfind('alice', token)).toBe(401);
  });

  it('changes the password: a wrong current password or a mismatch is refused, the right one works', async () => {
    const next = strongPassword();
    await page.getByLabel('Current password', { exact: true }).first().fill('definitely-wrong-1');
    await page.getByLabel('New password', { exact: true }).fill(next);
    await page.getByLabel('Repeat the new password').fill(next);
    await page.getByRole('button', { name: 'Change password' }).click();
    const status = page.locator('#password-message');
    await status.filter({ hasText: 'The current password is wrong.' }).waitFor();
    expect(await propfind('alice', alice.password)).toBe(207);
    expect(await propfind('alice', next)).toBe(401);
    await expectNoSeriousAxeViolations(page, 'password error');
    await screenshot(page, 'settings-04-password-wrong');

    await page.locator('#password-current').fill(alice.password);
    await page.getByLabel('Repeat the new password').fill(`${next}x`);
    await page.getByRole('button', { name: 'Change password' }).click();
    await status.filter({ hasText: 'The new passwords do not match.' }).waitFor();

    await page.getByLabel('Repeat the new password').fill(next);
    await page.getByRole('button', { name: 'Change password' }).click();
    await status.filter({ hasText: 'Password changed.' }).waitFor();
    expect(await page.locator('#password-current').inputValue()).toBe('');
    expect(await propfind('alice', next)).toBe(207);
    expect(await propfind('alice', alice.password)).toBe(401);
    alice.password = next;
  });

  it('switches to German: the UI strings and <html lang> follow, the choice survives a reload', async () => {
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('de');
    await page.getByRole('heading', { level: 1, name: 'Persönliche Einstellungen' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    await page.getByRole('heading', { level: 2, name: 'Geräte & Sitzungen' }).waitFor();
    await page.getByRole('list', { name: 'Angemeldete Browser' }).getByText('Dieser Browser').waitFor();
    await page.getByRole('link', { name: 'Dateien' }).waitFor();
    expect(await page.locator('#quota-text').textContent()).toBe('Sie nutzen 1 MB von 1 GB (0,1 %).');
    await page.getByRole('button', { name: 'Einstellungsmenü für Alice Pleasance' }).waitFor();
    await expect.poll(() => page.title()).toBe('Persönliche Einstellungen - Cumulus');
    await expectNoSeriousAxeViolations(page, 'settings in German');
    await screenshot(page, 'settings-05-german');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Persönliche Einstellungen' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    // Back to following the browser (en-US here).
    await page.getByRole('combobox', { name: 'Sprache' }).selectOption('');
    await page.getByRole('heading', { level: 1, name: 'Personal settings' }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, localStorage.getItem('cumulus.language')])).toEqual(['en', null]);
  });

  it('follows the browser\'s language until one is chosen (a German browser gets German sign-in)', async () => {
    const german = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    const p = await german.newPage();
    try {
      await p.goto(`${server.url}/settings/user`);
      await p.getByRole('heading', { name: 'Bei Cumulus anmelden' }).waitFor();
      expect(await p.evaluate(() => document.documentElement.lang)).toBe('de');
      await p.getByLabel('Kontoname oder E-Mail').fill('carol');
      await p.getByLabel('Passwort').fill('falsch-falsch-falsch');
      await p.getByRole('button', { name: 'Anmelden' }).click();
      await p.getByRole('alert').filter({ hasText: 'Falscher Kontoname oder falsches Passwort.' }).waitFor();
      await expectNoSeriousAxeViolations(p, 'German sign-in');
      await screenshot(p, 'settings-06-german-sign-in');
    } finally {
      await german.close();
    }
  });

  it('a non-admin opening the admin pages gets a refusal page, and the server refuses the calls', async () => {
    await page.goto(`${server.url}/settings/users`);
    await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Only administrators can open this page.' }).waitFor();
    expect(await page.locator('table').count()).toBe(0);
    await expectNoSeriousAxeViolations(page, 'not allowed');
    await screenshot(page, 'settings-07-not-allowed');
    await page.goto(`${server.url}/settings/groups`);
    await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();

    // The page's own fetch, with the session cookie and a valid requesttoken: still refused.
    const results = await page.evaluate(async () => {
      const { token } = await (await fetch('/csrftoken')).json() as { token: string };
      const headers = { requesttoken: token, 'OCS-APIRequest': 'true', 'Content-Type': 'application/x-www-form-urlencoded' };
      const call = async (method: string, path: string, body?: string) =>
        (await fetch(`/ocs/v2.php${path}?format=json`, { method, headers, body })).status;
      return [
        await call('GET', '/cloud/users/details'),
        await call('POST', '/cloud/users', 'userid=mallory&password=Mallory-password-123'),
        await call('PUT', '/cloud/users/carol/disable'),
        await call('PUT', '/cloud/users/carol', 'key=quota&value=1'),
        await call('DELETE', '/cloud/users/carol'),
        await call('POST', '/cloud/users/alice/groups', 'groupid=admin'),
        await call('GET', '/cloud/groups/details'),
        await call('POST', '/cloud/groups', 'groupid=evil'),
        await call('DELETE', '/cloud/groups/admin'),
      ];
    });
    expect(results).toEqual([403, 403, 403, 403, 403, 403, 403, 403, 403]);
    const [, carol] = await ocsAs(server.admin.user, server.admin.password, 'GET', '/cloud/users/carol');
    expect(carol).toMatchObject({ enabled: true, groups: [] });
    expect((await ocsAs(server.admin.user, server.admin.password, 'GET', '/cloud/users/mallory'))[0]).toBe(404);
  });
});

describe('admin pages', () => {
  it('the admin sees Users and Groups in the avatar menu and the settings navigation', async () => {
    await signIn(admin, server.url, server.admin, { to: '/settings/user' });
    // No quota: the used space and "unlimited", no meter.
    expect(await admin.locator('#quota-text').textContent()).toBe('You are using 0 B. Your storage is unlimited.');
    expect(await admin.locator('meter#quota-meter').count()).toBe(0);
    const nav = admin.getByRole('navigation', { name: 'Settings' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Personal settings', 'Users', 'Groups']);
    await admin.getByRole('button', { name: /^Settings menu for / }).click();
    expect(await admin.getByRole('menuitem').allTextContents()).toEqual(['Personal settings', 'Users', 'Groups', 'Log out']);
    await admin.getByRole('menuitem', { name: 'Users' }).click();
    await admin.waitForURL(`${server.url}/settings/users`);
    await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    const rows = admin.locator('table.users-table tbody tr');
    await rows.first().waitFor();
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user')))).toEqual(['admin', 'alice', 'carol']);
    const aliceRow = admin.locator('tr[data-user="alice"]');
    expect(await aliceRow.locator('.quota-total').textContent()).toBe('1 GB');
    expect(await aliceRow.locator('.quota-used').textContent()).toBe('Used: 1 MB of 1 GB');
    expect(await aliceRow.locator('.email').textContent()).toBe('alice@wonderland.example');
    expect(await admin.locator('tr[data-user="admin"] .groups').textContent()).toBe('admin');
    // The admin cannot disable or delete themself from here.
    expect(await admin.locator('tr[data-user="admin"] .actions button').allTextContents()).toEqual(['Edit']);
    await expectNoSeriousAxeViolations(admin, 'users page');
    await screenshot(admin, 'settings-08-users');
  });

  it('searches users', async () => {
    await admin.getByLabel('Search users').fill('car');
    await admin.waitForFunction(() => document.querySelectorAll('table.users-table tbody tr').length === 1);
    expect(await admin.locator('table.users-table tbody tr').getAttribute('data-user')).toBe('carol');
    await admin.getByLabel('Search users').fill('');
    await admin.waitForFunction(() => document.querySelectorAll('table.users-table tbody tr').length === 3);
  });

  it('creates and deletes groups; the admin group cannot be deleted', async () => {
    await admin.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Groups' }).click();
    await admin.waitForURL(`${server.url}/settings/groups`);
    await admin.getByRole('heading', { level: 1, name: 'Groups' }).waitFor();
    await admin.getByLabel('Group name').fill('staff');
    await admin.getByLabel('Display name').fill('Staff');
    await admin.getByRole('button', { name: 'Create group' }).click();
    await admin.locator('#groups-message').filter({ hasText: 'Group “staff” created.' }).waitFor();
    await admin.getByLabel('Group name').fill('temp');
    await admin.getByRole('button', { name: 'Create group' }).click();
    await admin.locator('tr[data-group="temp"]').waitFor();
    expect(await admin.locator('tr[data-group="staff"] td').allTextContents()).toEqual(['Staff', '0', 'Delete']);
    expect(await admin.locator('tr[data-group="admin"] .count').textContent()).toBe('1');
    expect(await admin.locator('tr[data-group="admin"] button').count()).toBe(0);
    await admin.locator('tr[data-group="admin"]').getByText('The admin group cannot be deleted.').waitFor();
    await expectNoSeriousAxeViolations(admin, 'groups page');
    await screenshot(admin, 'settings-09-groups');

    await admin.getByRole('button', { name: 'Delete group temp' }).click();
    const confirm = admin.getByRole('alertdialog', { name: 'Delete group “temp”?' });
    await confirm.waitFor();
    await expectNoSeriousAxeViolations(admin, 'delete group dialog');
    await screenshot(admin, 'settings-10-delete-group');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await admin.locator('#groups-message').filter({ hasText: 'Group “temp” deleted.' }).waitFor();
    await admin.locator('tr[data-group="temp"]').waitFor({ state: 'detached' });
    const [, groups] = await ocsAs(server.admin.user, server.admin.password, 'GET', '/cloud/groups');
    expect(groups).toEqual({ groups: ['admin', 'staff'] });
  });

  it('creates a user with quota and group, changes the quota, disables, enables and deletes them', async () => {
    await admin.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users' }).click();
    await admin.locator('tr[data-user="carol"]').waitFor();
    await admin.getByRole('button', { name: 'New user' }).click();
    const dialog = admin.getByRole('dialog', { name: 'New user' });
    await dialog.waitFor();
    let bobPassword = strongPassword();
    await dialog.getByLabel('Account name').fill('bob');
    await dialog.getByLabel('Display name').fill('Bob Builder');
    await dialog.getByLabel('E-mail').fill('bob@example.org');
    await dialog.getByLabel('Password').fill(bobPassword);
    await dialog.getByLabel('Quota').fill('2 GB');
    await dialog.getByRole('checkbox', { name: 'Staff' }).check();
    await expectNoSeriousAxeViolations(admin, 'new user dialog');
    await screenshot(admin, 'settings-11-new-user');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await admin.locator('#users-message').filter({ hasText: 'User “bob” created.' }).waitFor();
    const bob = admin.locator('tr[data-user="bob"]');
    await bob.waitFor();
    expect(await bob.locator('.quota-total').textContent()).toBe('2 GB');
    expect(await bob.locator('.groups').textContent()).toBe('staff');
    let [, details] = await ocsAs(server.admin.user, server.admin.password, 'GET', '/cloud/users/bob');
    expect(details).toMatchObject({ displayname: 'Bob Builder', email: 'bob@example.org', groups: ['staff'], quota: { quota: 2 * 1024 ** 3 } });
    expect(await propfind('bob', bobPassword)).toBe(207);

    // Quota and groups through the edit dialog.
    await bob.getByRole('button', { name: 'Edit bob' }).click();
    const edit = admin.getByRole('dialog', { name: 'Edit user “bob”' });
    await edit.waitFor();
    await edit.getByLabel('Quota').fill('500 MB');
    await edit.getByRole('checkbox', { name: 'Staff' }).uncheck();
    await expectNoSeriousAxeViolations(admin, 'edit user dialog');
    await screenshot(admin, 'settings-12-edit-user');
    await edit.getByRole('button', { name: 'Save' }).click();
    await admin.locator('#users-message').filter({ hasText: 'User “bob” saved.' }).waitFor();
    await bob.locator('.quota-total').filter({ hasText: '500 MB' }).waitFor();
    expect(await bob.locator('.groups').textContent()).toBe('');
    [, details] = await ocsAs(server.admin.user, server.admin.password, 'GET', '/cloud/users/bob');
    expect(details).toMatchObject({ groups: [], quota: { quota: 500 * 1024 ** 2 } });
    // And back into the group, to see add work too; the admin also sets a new password.
    await bob.getByRole('button', { name: 'Edit bob' }).click();
    await edit.getByRole('checkbox', { name: 'Staff' }).check();
    const newBobPassword = strongPassword();
    await edit.getByLabel('New password').fill(newBobPassword);
    // The server sets a password only with the admin's own password on the request.
    await edit.getByLabel('Your own password, to confirm the new one').fill(server.admin.password);
    await edit.getByRole('button', { name: 'Save' }).click();
    await bob.locator('.groups').filter({ hasText: 'staff' }).waitFor();
    expect(await propfind('bob', newBobPassword)).toBe(207);
    expect(await propfind('bob', bobPassword)).toBe(401);
    bobPassword = newBobPassword;

    // Disable: bob can no longer sign in; enable: he can.
    await bob.getByRole('button', { name: 'Disable bob' }).click();
    await admin.locator('#users-message').filter({ hasText: 'User “bob” disabled.' }).waitFor();
    await bob.locator('.status').filter({ hasText: 'Disabled' }).waitFor();
    expect(await propfind('bob', bobPassword)).toBe(401);
    await screenshot(admin, 'settings-13-user-disabled');
    await bob.getByRole('button', { name: 'Enable bob' }).click();
    await bob.locator('.status').filter({ hasText: 'Enabled' }).waitFor();
    expect(await propfind('bob', bobPassword)).toBe(207);

    // Delete: Escape cancels (focus back on the button), then confirm.
    const deleteButton = bob.getByRole('button', { name: 'Delete bob' });
    await deleteButton.click();
    const confirm = admin.getByRole('alertdialog', { name: 'Delete user “bob”?' });
    await confirm.waitFor();
    expect(await focused(admin)).toBe('button#|Cancel');
    await expectNoSeriousAxeViolations(admin, 'delete user dialog');
    await screenshot(admin, 'settings-14-delete-user');
    await admin.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect(await focused(admin)).toBe('button#|Delete bob');
    expect((await ocsAs(server.admin.user, server.admin.password, 'GET', '/cloud/users/bob'))[0]).toBe(200);
    await deleteButton.click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await admin.locator('#users-message').filter({ hasText: 'User “bob” deleted.' }).waitFor();
    await admin.locator('tr[data-user="bob"]').waitFor({ state: 'detached' });
    expect((await ocsAs(server.admin.user, server.admin.password, 'GET', '/cloud/users/bob'))[0]).toBe(404);
    expect(await propfind('bob', bobPassword)).toBe(401);
  });

  it('pages through the users, 25 at a time', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `user${String(i).padStart(2, '0')}`);
    for (const id of ids) await server.createUser(id, strongPassword());
    await admin.reload();
    const rows = admin.locator('table.users-table tbody tr');
    await rows.first().waitFor();
    await admin.waitForFunction(() => document.querySelectorAll('table.users-table tbody tr').length === 25);
    const pager = admin.getByRole('navigation', { name: 'Users, page 1' });
    expect(await pager.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Next page' }).click();
    await admin.getByRole('navigation', { name: 'Users, page 2' }).waitFor();
    await admin.waitForFunction(() => document.querySelectorAll('table.users-table tbody tr').length === 2);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user')))).toEqual(['user22', 'user23']);
    expect(await admin.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await admin.getByRole('button', { name: 'Previous page' }).click();
    await admin.waitForFunction(() => document.querySelectorAll('table.users-table tbody tr').length === 25);
    for (const id of ids) expect((await ocsAs(server.admin.user, server.admin.password, 'DELETE', `/cloud/users/${id}`))[0]).toBe(200);
    await admin.reload();
    await admin.waitForFunction(() => document.querySelectorAll('table.users-table tbody tr').length === 3);
    expect(await admin.getByRole('button', { name: 'Next page' }).count()).toBe(0);
  });

  it('shows a server refusal in the dialog (a user id that exists)', async () => {
    await admin.getByRole('button', { name: 'New user' }).click();
    const dialog = admin.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Account name').fill('carol');
    await dialog.getByLabel('Password').fill(strongPassword());
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.locator('.live.error').filter({ hasText: 'The server refused:' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused(admin)).toBe('button#|New user');
  });
});

describe('keyboard only', () => {
  it('personal settings: display name, app password dialog (Escape closes, focus returns)', async () => {
    await page.goto(`${server.url}/settings/user`);
    await page.getByLabel('Display name').waitFor();
    await page.locator('body').focus();
    await tabTo(page, '#field-displayname');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('Alice by Keyboard');
    await page.keyboard.press('Enter');
    await page.locator('#field-displayname-message').filter({ hasText: 'Display name saved.' }).waitFor();
    await tabTo(page, '#app-password-name');
    await page.keyboard.type('Phone');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^input#app-password-confirm/);
    await page.keyboard.type(alice.password);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New app password' });
    await dialog.waitFor();
    expect(await focused(page)).toBe('input#new-app-password-login|');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused(page)).toMatch(/^input#app-password-confirm/);
    // Revoke by keyboard.
    await tabTo(page, 'button[aria-label="Revoke the app password Phone"]', { max: 120 });
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('alertdialog', { name: 'Revoke app password?' });
    await confirm.waitFor();
    expect(await focused(page)).toBe('input#revoke-password|');
    await page.keyboard.type(alice.password);
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'hidden' });
    await page.getByText('No app passwords yet.').waitFor();
    expect(await focused(page)).toBe('input#app-password-name|');
  });

  it('admin: create a user and delete them by keyboard only', async () => {
    await admin.goto(`${server.url}/settings/users`);
    await admin.locator('tr[data-user="carol"]').waitFor();
    await admin.locator('body').focus();
    await tabTo(admin, 'button.primary');
    expect(await focused(admin)).toBe('button#|New user');
    await admin.keyboard.press('Enter');
    const dialog = admin.getByRole('dialog', { name: 'New user' });
    await dialog.waitFor();
    expect(await focused(admin)).toBe('input#new-user-id|');
    await admin.keyboard.type('dave');
    await admin.keyboard.press('Tab');
    await admin.keyboard.type('Dave Keys');
    await admin.keyboard.press('Tab');
    await admin.keyboard.press('Tab');
    await admin.keyboard.type(strongPassword());
    await admin.keyboard.press('Tab');
    await admin.keyboard.type('1 GB');
    await tabTo(admin, 'input[type="checkbox"][value="staff"]');
    await admin.keyboard.press('Space');
    await admin.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    const dave = admin.locator('tr[data-user="dave"]');
    await dave.waitFor();
    expect(await dave.locator('.groups').textContent()).toBe('staff');
    expect(await dave.locator('.quota-total').textContent()).toBe('1 GB');
    await tabTo(admin, 'button[aria-label="Delete dave"]');
    await admin.keyboard.press('Enter');
    const confirm = admin.getByRole('alertdialog', { name: 'Delete user “dave”?' });
    await confirm.waitFor();
    await admin.keyboard.press('Tab');
    expect(await focused(admin)).toBe('button#|Delete');
    await admin.keyboard.press('Enter');
    await admin.locator('#users-message').filter({ hasText: 'User “dave” deleted.' }).waitFor();
    await admin.locator('tr[data-user="dave"]').waitFor({ state: 'detached' });
    expect((await ocsAs(server.admin.user, server.admin.password, 'GET', '/cloud/users/dave'))[0]).toBe(404);
    // The row is gone: the focus goes to a sensible place, not the void (Preact runs the effect
    // that moves it after the next paint, so it is awaited, not sampled).
    await expect.poll(() => focused(admin)).toBe('button#|New user');
  });
});

describe('360 px', () => {
  it('personal settings, users and groups fit a 360 px wide screen', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${server.url}/settings/user`);
    await page.getByText('You are using').waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await expectNoSeriousAxeViolations(page, 'settings 360 px');
    await screenshot(page, 'settings-15-personal-360');
    await admin.setViewportSize({ width: 360, height: 740 });
    await admin.goto(`${server.url}/settings/users`);
    await admin.locator('tr[data-user="carol"]').waitFor();
    expect(await fitsWidth(admin)).toBe(true);
    await expectNoSeriousAxeViolations(admin, 'users 360 px');
    await screenshot(admin, 'settings-16-users-360');
    await admin.getByRole('button', { name: 'New user' }).click();
    await admin.getByRole('dialog', { name: 'New user' }).waitFor();
    expect(await fitsWidth(admin)).toBe(true);
    await screenshot(admin, 'settings-17-new-user-360');
    await admin.keyboard.press('Escape');
    await admin.goto(`${server.url}/settings/groups`);
    await admin.locator('tr[data-group="staff"]').waitFor();
    expect(await fitsWidth(admin)).toBe(true);
    await screenshot(admin, 'settings-18-groups-360');
  });
});

describe('themes', () => {
  it('the settings and admin pages and dialogs pass axe in the dark and high-contrast themes', async () => {
    await admin.setViewportSize({ width: 1280, height: 900 });
    for (const theme of ['dark', 'high-contrast']) {
      await admin.goto(`${server.url}/settings/user`);
      await admin.evaluate((value) => localStorage.setItem('cumulus.theme', value), theme);
      await admin.reload();
      await admin.getByText('You are using').waitFor();
      expect(await admin.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await expectNoSeriousAxeViolations(admin, `personal settings (${theme})`);
      await screenshot(admin, `settings-19-personal-${theme}`);
      await admin.goto(`${server.url}/settings/users`);
      await admin.locator('tr[data-user="carol"]').waitFor();
      await expectNoSeriousAxeViolations(admin, `users (${theme})`);
      await admin.getByRole('button', { name: 'Delete carol' }).click();
      await admin.getByRole('alertdialog', { name: 'Delete user “carol”?' }).waitFor();
      await expectNoSeriousAxeViolations(admin, `delete dialog (${theme})`);
      await screenshot(admin, `settings-20-delete-dialog-${theme}`);
      await admin.keyboard.press('Escape');
      await admin.goto(`${server.url}/settings/groups`);
      await admin.locator('tr[data-group="staff"]').waitFor();
      await expectNoSeriousAxeViolations(admin, `groups (${theme})`);
    }
    expect((await ocsAs(server.admin.user, server.admin.password, 'GET', '/cloud/users/carol'))[0]).toBe(200);
  });
});
