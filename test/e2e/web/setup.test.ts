/**
 * First run in a real browser: a fresh instance shows the setup page at /, the administrator is
 * created there, and the browser lands on the web app's sign-in page, where that account signs
 * in to the Files app. axe-core finds no serious or critical problem on either page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { strongPassword } from '../../support/server.mjs';
import { expectNoSeriousAxeViolations, fitsWidth, launchChromium, screenshot, startBareServer } from './browser';

let server: Awaited<ReturnType<typeof startBareServer>>;
let browser: Browser;
let page: Page;
const admin = { user: 'firstadmin', password: strongPassword() };

beforeAll(async () => {
  server = await startBareServer('web-setup');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 360, height: 740 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('a new instance shows the first-run setup page at /, accessible and fitting a 360 px screen', async () => {
  await page.goto(`${server.url}/`);
  await expect(page.title()).resolves.toBe('Set up Cumulus');
  // Its main content is all there is: nothing comes before it to skip (WCAG 2.4.1), so the first
  // Tab stop is already the form's first field.
  expect(await page.evaluate(() => document.body.firstElementChild?.tagName)).toBe('MAIN');
  expect(await page.evaluate(() => document.querySelector('a[href], button, input, select, textarea')?.closest('main') !== null)).toBe(true);
  expect(await fitsWidth(page)).toBe(true);
  await expectNoSeriousAxeViolations(page, 'setup page');
  await screenshot(page, 'web-01-setup');
});

it('a too-short password is refused on the page, keeping the login', async () => {
  await page.getByLabel('Administrator login').fill(admin.user);
  await page.getByLabel('Password').fill('short');
  // The browser's own minlength check would stop the post: let the server judge.
  await page.$eval('form', (form) => form.setAttribute('novalidate', ''));
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.getByRole('alert').textContent()).toMatch(/at least 8 characters/i);
  expect(await page.getByLabel('Administrator login').inputValue()).toBe(admin.user);
});

it('creating the administrator leads to the sign-in page of the web app', async () => {
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.waitForURL(`${server.url}/login`);
  await page.getByRole('heading', { name: 'Sign in to Cumulus' }).waitFor();
  // The web app's sign-in page has a header-less layout too, but starts with its skip link like every app page.
  expect(await page.getByRole('link', { name: 'Skip to main content' }).getAttribute('href')).toBe('#main');
  await expectNoSeriousAxeViolations(page, 'sign-in after setup');
  const status = await (await fetch(`${server.url}/status.php`)).json();
  expect(status.installed).toBe(true);
  await screenshot(page, 'web-02-login-after-setup');
});

it('the new administrator signs in and sees the Files app', async () => {
  await page.getByLabel('Account name or e-mail').fill(admin.user);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${server.url}/apps/files/`);
  await page.getByRole('heading', { level: 1, name: 'Files' }).waitFor();
  await page.getByRole('status').filter({ hasText: /empty|folders/ }).waitFor();
  expect(await fitsWidth(page)).toBe(true);
  await expectNoSeriousAxeViolations(page, 'files (empty home)');
  await screenshot(page, 'web-03-files-after-setup');
});
