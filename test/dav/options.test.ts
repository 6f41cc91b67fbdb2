import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type DavClient } from '../helpers';

let alice: DavClient;
beforeAll(async () => {
  alice = await makeUser('alice');
  await alice.mkcol('/dir');
  await alice.put('/dir/a.txt', 'a');
});

const allowOf = (res: Response) => new Set((res.headers.get('Allow') ?? '').split(',').map((s) => s.trim()));

describe('OPTIONS', () => {
  it('RFC 4918 §10.1: announces compliance classes 1, 2 and 3 in the DAV header', async () => {
    const res = await alice.options('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('DAV')?.split(',').map((s) => s.trim())).toEqual(expect.arrayContaining(['1', '2', '3']));
    expect(res.headers.get('MS-Author-Via')).toBe('DAV');
    expect(res.headers.get('Accept-Ranges')).toBe('bytes');
  });

  it('RFC 9110 §9.3.7: OPTIONS has no body', async () => {
    const res = await alice.options('/dir/a.txt');
    expect(await res.text()).toBe('');
  });

  it('RFC 9110 §10.2.1: Allow lists PUT for a file but not MKCOL', async () => {
    const allow = allowOf(await alice.options('/dir/a.txt'));
    for (const m of ['GET', 'HEAD', 'PUT', 'DELETE', 'PROPFIND', 'PROPPATCH', 'COPY', 'MOVE', 'LOCK', 'UNLOCK']) expect(allow).toContain(m);
    expect(allow).not.toContain('MKCOL');
  });

  it('RFC 9110 §10.2.1: Allow for a collection has neither PUT nor MKCOL', async () => {
    const allow = allowOf(await alice.options('/dir/'));
    expect(allow).toContain('PROPFIND');
    expect(allow).not.toContain('PUT');
    expect(allow).not.toContain('MKCOL');
  });

  it('RFC 4918 §9.3: Allow for an unmapped URL offers MKCOL, PUT and LOCK only', async () => {
    const allow = allowOf(await alice.options('/dir/nothing-here'));
    expect(allow).toEqual(new Set(['OPTIONS', 'MKCOL', 'PUT', 'LOCK']));
  });
});
