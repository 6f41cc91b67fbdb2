import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { listUserGroups } from '../../worker/accounts/groups';
import { getUser } from '../../worker/accounts/users';
import { BASE, call, callAs, form } from './helpers';

const NOT_INSTALLED = '{"installed":false,"maintenance":false,"needsDbUpgrade":false,"version":"30.0.4.1",'
  + '"versionstring":"30.0.4","edition":"","productname":"Nextcloud","extendedSupport":false}';

describe('first-run setup through the form', () => {
  it('status.php says installed:false before any account exists, as compact Nextcloud JSON', async () => {
    const res = await call('/status.php');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).toBe(NOT_INSTALLED);
  });

  it('status.php is also served under /index.php', async () => {
    const res = await call('/index.php/status.php');
    expect(await res.text()).toBe(NOT_INSTALLED);
  });

  it('GET / shows an accessible setup form that posts adminlogin and adminpass to /setup', async () => {
    const res = await call('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('WWW-Authenticate')).toBeNull();
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<title>Set up Cumulus<\/title>/);
    expect(html).toMatch(/<form method="post" action="\/setup">/);
    for (const field of ['adminlogin', 'adminpass']) {
      expect(html).toContain(`<label for="${field}">`);
      expect(html).toMatch(new RegExp(`<input id="${field}" name="${field}"`));
    }
    expect(html).toMatch(/name="adminpass" type="password"/);
  });

  it('refuses a password shorter than 8 characters with 400 and says why, keeping the login', async () => {
    const res = await call('/setup', { method: 'POST', ...form({ adminlogin: 'root', adminpass: 'short' }) });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/role="alert">The password must be at least 8 characters long/);
    expect(html).toContain('value="root"');
    expect((await call('/status.php')).status).toBe(200);
    expect(await getUser(env, 'root')).toBeNull();
  });

  it('refuses an invalid login with 400', async () => {
    const res = await call('/setup', { method: 'POST', ...form({ adminlogin: 'a/b', adminpass: 'long-enough-1' }) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('A user id has 1 to 64 characters');
  });

  it('refuses a post whose Origin is another site (CSRF) with 403', async () => {
    const init = form({ adminlogin: 'mallory', adminpass: 'long-enough-1' });
    const res = await call('/setup', {
      method: 'POST', body: init.body, headers: { ...init.headers as Record<string, string>, Origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(await getUser(env, 'mallory')).toBeNull();
  });

  it('creates the administrator in group admin and redirects 303 to / (same-origin form post)', async () => {
    const init = form({ adminlogin: 'root', adminpass: 'root-password-1' });
    const res = await call('/setup', {
      method: 'POST', body: init.body, headers: { ...init.headers as Record<string, string>, Origin: BASE },
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/');
    expect((await getUser(env, 'root'))?.enabled).toBe(true);
    expect(await listUserGroups(env, 'root')).toEqual(['admin']);
  });

  it('status.php says installed:true afterwards', async () => {
    const body = await (await call('/status.php')).json();
    expect(body).toMatchObject({ installed: true, maintenance: false, version: '30.0.4.1' });
  });

  it('refuses any further setup with 403, form or JSON', async () => {
    const viaForm = await call('/setup', { method: 'POST', ...form({ adminlogin: 'second', adminpass: 'long-enough-1' }) });
    expect(viaForm.status).toBe(403);
    const viaJson = await call('/setup', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ adminlogin: 'second', adminpass: 'long-enough-1' }),
    });
    expect(viaJson.status).toBe(403);
    expect(await viaJson.json()).toEqual({ error: 'Cumulus is already set up' });
    expect(await getUser(env, 'second')).toBeNull();
  });

  it('GET / shows the web app once installed, never a 401', async () => {
    const res = await call('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('WWW-Authenticate')).toBeNull();
    const html = await res.text();
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toContain('<div id="app"></div>');
    expect(html).not.toContain('<form');
  });

  it('lets the new administrator log in', async () => {
    const res = await callAs('root', 'root-password-1', '/ocs/v2.php/cloud/user?format=json');
    expect(res.status).toBe(200);
    const { ocs } = await res.json<{ ocs: { data: { id: string; groups: string[] } } }>();
    expect(ocs.data.id).toBe('root');
    expect(ocs.data.groups).toEqual(['admin']);
  });
});
