import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { files, groupMembers } from '../../schema';
import { InvalidField, UnknownGroup, WeakPassword } from '../../worker/accounts/errors';
import { verifyPassword } from '../../worker/accounts/password';
import { getUserQuota, parseQuota } from '../../worker/accounts/quota';
import {
  createUser, deleteUser, getUser, isAdmin, listUsers, onUserCreated, setUserEnabled, updateUser,
} from '../../worker/accounts/users';
import { createGroup, addGroupMember } from '../../worker/accounts/groups';
import { AlreadyExists, NotFound } from '../../worker/errors';
import { installAdmin } from './helpers';

beforeAll(installAdmin);

const created: string[] = [];
onUserCreated((_env, user) => { created.push(user.id); });

describe('users service: create', () => {
  it('creates a user with a hashed password and tells the onUserCreated listeners', async () => {
    const user = await createUser(env, { id: 'bob', password: 'bob-password-1', displayName: ' Bob B. ', email: 'Bob@Example.ORG' });
    expect(user).toMatchObject({ id: 'bob', displayName: 'Bob B.', email: 'bob@example.org', quota: null, enabled: true });
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind('bob').first<{ password_hash: string }>();
    expect(row!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(await verifyPassword('bob-password-1', row!.password_hash)).toBe(true);
    expect(created).toContain('bob');
  });

  it('accepts the Nextcloud user id alphabet and refuses anything else', async () => {
    await createUser(env, { id: "o'Neil.x-y_z@host 2", password: 'long-enough-1' });
    for (const id of ['', 'a/b', 'ü', 'x'.repeat(65), ' lead', 'trail ', '..', 'tab\t']) {
      await expect(createUser(env, { id, password: 'long-enough-1' }), JSON.stringify(id)).rejects.toBeInstanceOf(InvalidField);
    }
    await createUser(env, { id: 'y'.repeat(64), password: 'long-enough-1' });
  });

  it('refuses an id that exists, ignoring case', async () => {
    await expect(createUser(env, { id: 'bob', password: 'long-enough-1' })).rejects.toBeInstanceOf(AlreadyExists);
    await expect(createUser(env, { id: 'BOB', password: 'long-enough-1' })).rejects.toBeInstanceOf(AlreadyExists);
  });

  it('refuses short passwords (WeakPassword) and bad e-mail addresses', async () => {
    await expect(createUser(env, { id: 'carol', password: 'seven77' })).rejects.toBeInstanceOf(WeakPassword);
    await expect(createUser(env, { id: 'carol', password: 'long-enough-1', email: 'not-an-address' }))
      .rejects.toBeInstanceOf(InvalidField);
    expect(await getUser(env, 'carol')).toBeNull();
  });

  it('adds the new user to existing groups in the same batch, and creates nothing for an unknown group', async () => {
    await createGroup(env, 'staff');
    await createUser(env, { id: 'dave', password: 'long-enough-1', groups: ['staff'] });
    const members = await drizzle(env.DB).select().from(groupMembers);
    expect(members).toContainEqual({ groupId: 'staff', userId: 'dave' });
    await expect(createUser(env, { id: 'erin', password: 'long-enough-1', groups: ['staff', 'nope'] }))
      .rejects.toBeInstanceOf(UnknownGroup);
    expect(await getUser(env, 'erin')).toBeNull();
  });
});

describe('users service: read, edit, disable, delete', () => {
  it('lists ids by search (id, display name, e-mail), limit and offset, ordered by id', async () => {
    await createUser(env, { id: 'list-a', password: 'long-enough-1', displayName: 'Zed' });
    await createUser(env, { id: 'list-b', password: 'long-enough-1', email: 'zed@example.org' });
    await createUser(env, { id: 'list-c', password: 'long-enough-1' });
    expect(await listUsers(env, { search: 'list-' })).toEqual(['list-a', 'list-b', 'list-c']);
    expect(await listUsers(env, { search: 'zed' })).toEqual(['list-a', 'list-b']);
    expect(await listUsers(env, { search: 'list-', limit: 1, offset: 1 })).toEqual(['list-b']);
    expect(await listUsers(env, { search: 'list-', offset: 2 })).toEqual(['list-c']);
    // LIKE wildcards in the search are literal
    expect(await listUsers(env, { search: '%' })).toEqual([]);
  });

  it('edits display name, e-mail, password and quota', async () => {
    await createUser(env, { id: 'frank', password: 'frank-password-1' });
    const edited = await updateUser(env, 'frank', { displayName: 'Frank', email: 'f@example.org', quota: parseQuota('1 GB') });
    expect(edited).toMatchObject({ displayName: 'Frank', email: 'f@example.org', quota: 1024 ** 3 });
    expect(await getUserQuota(env, 'frank')).toBe(1024 ** 3);
    await updateUser(env, 'frank', { password: 'frank-password-2', email: '', quota: null });
    expect(await getUserQuota(env, 'frank')).toBeNull();
    expect((await getUser(env, 'frank'))?.email).toBeNull();
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind('frank').first<{ password_hash: string }>();
    expect(await verifyPassword('frank-password-2', row!.password_hash)).toBe(true);
    await expect(updateUser(env, 'nobody', { displayName: 'x' })).rejects.toBeInstanceOf(NotFound);
    await expect(updateUser(env, 'frank', { quota: -5 })).rejects.toBeInstanceOf(InvalidField);
    await expect(updateUser(env, 'frank', { quota: 1.5 })).rejects.toBeInstanceOf(InvalidField);
    await expect(getUserQuota(env, 'nobody')).rejects.toBeInstanceOf(NotFound);
  });

  it('enables and disables', async () => {
    await setUserEnabled(env, 'frank', false);
    expect((await getUser(env, 'frank'))?.enabled).toBe(false);
    await setUserEnabled(env, 'frank', true);
    expect((await getUser(env, 'frank'))?.enabled).toBe(true);
    await expect(setUserEnabled(env, 'nobody', false)).rejects.toBeInstanceOf(NotFound);
  });

  it('deletes a user with everything it owns (foreign keys cascade)', async () => {
    await createUser(env, { id: 'gone', password: 'long-enough-1', groups: ['staff'] });
    await drizzle(env.DB).insert(files).values({
      owner: 'gone', path: '', parentId: null, name: '', isDir: true, size: 0, mtime: 1, createdAt: 1,
      etag: 'e', contentType: 'httpd/unix-directory',
    });
    await deleteUser(env, 'gone');
    expect(await getUser(env, 'gone')).toBeNull();
    const left = await env.DB.batch([
      env.DB.prepare('SELECT count(*) AS n FROM group_members WHERE user_id = ?').bind('gone'),
      env.DB.prepare('SELECT count(*) AS n FROM files WHERE owner = ?').bind('gone'),
    ]);
    expect(left.map((r) => (r.results[0] as { n: number }).n)).toEqual([0, 0]);
    await expect(deleteUser(env, 'gone')).rejects.toBeInstanceOf(NotFound);
  });

  it('knows administrators by membership of group admin', async () => {
    expect(await isAdmin(env, 'admin')).toBe(true);
    expect(await isAdmin(env, 'dave')).toBe(false);
    await addGroupMember(env, 'admin', 'dave');
    expect(await isAdmin(env, 'dave')).toBe(true);
  });
});

describe('parseQuota', () => {
  it('reads bytes, human sizes (binary multiples) and none/default as unlimited', () => {
    expect(parseQuota('1073741824')).toBe(1073741824);
    expect(parseQuota('1 GB')).toBe(1024 ** 3);
    expect(parseQuota('500 MB')).toBe(500 * 1024 ** 2);
    expect(parseQuota('1.5gb')).toBe(1.5 * 1024 ** 3);
    expect(parseQuota('2 TB')).toBe(2 * 1024 ** 4);
    expect(parseQuota('10k')).toBe(10240);
    expect(parseQuota('0')).toBe(0);
    expect(parseQuota('none')).toBeNull();
    expect(parseQuota('default')).toBeNull();
  });

  it('refuses anything else', () => {
    for (const value of ['', '-1', 'lots', '1 XB', '1e3', '5 GBs', '99999999999 PB']) {
      expect(() => parseQuota(value), value).toThrow(InvalidField);
    }
  });
});

describe('onUserCreated', () => {
  it('keeps the account when a listener fails (the listener is the files domain\'s business)', async () => {
    onUserCreated(() => { throw new Error('listener down'); });
    const user = await createUser(env, { id: 'resilient', password: 'long-enough-1' });
    expect(user.id).toBe('resilient');
    expect(await getUser(env, 'resilient')).not.toBeNull();
  });
});
