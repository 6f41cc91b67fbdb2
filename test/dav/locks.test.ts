import { beforeAll, describe, expect, it } from 'vitest';
import { lockInfo, lockTokenOf, makeUser, propOf, type DavClient } from '../helpers';

let alice: DavClient;
let bob: DavClient;
const BASE = '/remote.php/dav/files/alice';
const text = async (path: string) => (await alice.get(path)).text();
const lock = (path: string, scope: 'exclusive' | 'shared' = 'exclusive', headers: Record<string, string> = {}) =>
  alice.lock(path, lockInfo(scope), headers);

beforeAll(async () => {
  alice = await makeUser('alice');
  bob = await makeUser('bob');
});

describe('LOCK (RFC 4918 §9.10)', () => {
  it('§9.10.1: an exclusive lock → 200 with Lock-Token and the activelock in lockdiscovery', async () => {
    await alice.put('/x.txt', 'x');
    const res = await lock('/x.txt', 'exclusive', { Timeout: 'Second-120', Depth: '0' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/xml; charset=utf-8');
    const token = lockTokenOf(res);
    expect(token).toMatch(/^opaquelocktoken:[0-9a-f-]{36}$/);
    const xml = await res.text();
    expect(xml).toContain('<d:lockscope><d:exclusive/></d:lockscope>');
    expect(xml).toContain('<d:depth>0</d:depth>');
    expect(xml).toContain('<d:timeout>Second-120</d:timeout>');
    expect(xml).toContain(`<d:locktoken><d:href>${token}</d:href></d:locktoken>`);
    expect(xml).toContain(`<d:lockroot><d:href>${BASE}/x.txt</d:href></d:lockroot>`);
    // The owner element is stored self-contained: its DAV: namespace travels with it.
    expect(xml).toContain('<d:owner><href xmlns="DAV:">mailto:alice@example.org</href></d:owner>');
  });

  it('§6.2: a second exclusive lock on the same file → 423 no-conflicting-lock', async () => {
    const res = await lock('/x.txt');
    expect(res.status).toBe(423);
    expect(await res.text()).toContain('<d:no-conflicting-lock>');
    expect((await lock('/x.txt', 'shared')).status).toBe(423);
  });

  it('§15.8: lockdiscovery shows the lock with its owner to PROPFIND', async () => {
    const discovery = await propOf(alice, '/x.txt', '{DAV:}lockdiscovery');
    expect(discovery).toContain('<d:activelock>');
    expect(discovery).toContain('mailto:alice@example.org');
    expect(discovery).toMatch(/<d:timeout>Second-1[0-2]\d<\/d:timeout>/);
  });

  it('§6.2: shared locks coexist; an exclusive lock then conflicts with them', async () => {
    await alice.put('/shared.txt', 's');
    const a = await lock('/shared.txt', 'shared');
    const b = await lock('/shared.txt', 'shared');
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(lockTokenOf(a)).not.toBe(lockTokenOf(b));
    expect((await lock('/shared.txt', 'exclusive')).status).toBe(423);
    expect((await alice.put('/shared.txt', 'no token')).status).toBe(423);
    expect((await alice.put('/shared.txt', 'one of them', { If: `(<${lockTokenOf(b)}>)` })).status).toBe(204);
  });

  it('§10.7: Timeout Infinite is capped; without Timeout the default applies', async () => {
    await alice.put('/t1.txt', '');
    await alice.put('/t2.txt', '');
    expect(await (await lock('/t1.txt', 'exclusive', { Timeout: 'Infinite, Second-4100000000' })).text()).toContain('<d:timeout>Second-604800</d:timeout>');
    expect(await (await lock('/t2.txt')).text()).toContain('<d:timeout>Second-3600</d:timeout>');
  });

  it('§9.10.2: a refresh (no body, token in If) → 200 with the new timeout', async () => {
    await alice.put('/r.txt', 'r');
    const token = lockTokenOf(await lock('/r.txt', 'exclusive', { Timeout: 'Second-60' }));
    const res = await alice.lock('/r.txt', null, { If: `(<${token}>)`, Timeout: 'Second-900' });
    expect(res.status).toBe(200);
    expect(lockTokenOf(res)).toBe(token);
    expect(await res.text()).toContain('<d:timeout>Second-900</d:timeout>');
  });

  it('§9.10.2: a refresh without an If header → 400; with a token that is not there → 412', async () => {
    expect((await alice.lock('/r.txt', null)).status).toBe(400);
    expect((await alice.lock('/r.txt', null, { If: '(<opaquelocktoken:00000000-0000-0000-0000-000000000000>)' })).status).toBe(412);
  });

  it('§7.3: LOCK of an unmapped URL creates an empty file → 201', async () => {
    const res = await lock('/lock-null.txt');
    expect(res.status).toBe(201);
    expect(await propOf(alice, '/lock-null.txt', '{DAV:}getcontentlength')).toBe('0');
    expect((await alice.put('/lock-null.txt', 'filled', { If: `(<${lockTokenOf(res)}>)` })).status).toBe(204);
    expect(await text('/lock-null.txt')).toBe('filled');
  });

  it('§9.10.6: LOCK of an unmapped URL whose parent is missing → 409', async () => {
    expect((await lock('/no/such/file.txt')).status).toBe(409);
  });

  it('§9.10: bad lock requests → 400 (Depth 1, no lockscope, not a lockinfo, malformed XML)', async () => {
    await alice.put('/bad.txt', 'b');
    expect((await lock('/bad.txt', 'exclusive', { Depth: '1' })).status).toBe(400);
    expect((await alice.lock('/bad.txt', '<d:lockinfo xmlns:d="DAV:"><d:locktype><d:write/></d:locktype></d:lockinfo>')).status).toBe(400);
    expect((await alice.lock('/bad.txt', '<d:propfind xmlns:d="DAV:"/>')).status).toBe(400);
    expect((await alice.lock('/bad.txt', '<d:lockinfo')).status).toBe(400);
  });
});

describe('writes on locked resources (RFC 4918 §7)', () => {
  let token: string;
  beforeAll(async () => {
    await alice.put('/locked.txt', 'original');
    token = lockTokenOf(await lock('/locked.txt'));
  });

  it('§7.1: PUT without the token → 423 lock-token-submitted; the content stays', async () => {
    const res = await alice.put('/locked.txt', 'intruder');
    expect(res.status).toBe(423);
    expect(await res.text()).toContain(`<d:lock-token-submitted><d:href>${BASE}/locked.txt`);
    expect(await text('/locked.txt')).toBe('original');
  });

  it('§10.4: PUT with the token in an untagged If list → 204', async () => {
    expect((await alice.put('/locked.txt', 'mine', { If: `(<${token}>)` })).status).toBe(204);
  });

  it('§7.1: PROPPATCH, MOVE and DELETE of the locked file without the token → 423', async () => {
    const patch = '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><z:a xmlns:z="urn:z">1</z:a></d:prop></d:set></d:propertyupdate>';
    expect((await alice.proppatch('/locked.txt', patch)).status).toBe(423);
    expect((await alice.move('/locked.txt', '/moved.txt')).status).toBe(423);
    expect((await alice.del('/locked.txt')).status).toBe(423);
    expect(await text('/locked.txt')).toBe('mine');
  });

  it('RFC 4918 §9.9.4: MOVE onto a locked destination → 423', async () => {
    await alice.put('/other.txt', 'other');
    expect((await alice.move('/other.txt', '/locked.txt')).status).toBe(423);
    expect((await alice.copy('/other.txt', '/locked.txt')).status).toBe(423);
    expect(await text('/locked.txt')).toBe('mine');
  });

  it('§7: COPY from a locked source is a read and needs no token', async () => {
    expect((await alice.copy('/locked.txt', '/copy-of-locked.txt')).status).toBe(201);
  });

  it('another user cannot use the token: 403 on the owner\'s tree, nothing changes', async () => {
    expect((await bob.request('PUT', `${alice.base}/locked.txt`, { body: 'bob', headers: { If: `(<${token}>)` } })).status).toBe(403);
    expect((await bob.request('UNLOCK', `${alice.base}/locked.txt`, { headers: { 'Lock-Token': `<${token}>` } })).status).toBe(403);
    expect((await bob.put('/own.txt', 'b', { If: `(<${token}>)` })).status).toBe(412);
    expect(await text('/locked.txt')).toBe('mine');
  });

  it('§9.11.1: UNLOCK with a token that is not this resource\'s → 409; without Lock-Token → 400', async () => {
    expect((await alice.unlock('/locked.txt', 'opaquelocktoken:00000000-0000-0000-0000-000000000000')).status).toBe(409);
    expect((await alice.request('UNLOCK', '/locked.txt')).status).toBe(400);
  });

  it('§9.11: UNLOCK with the right token → 204; then writes need no token', async () => {
    expect((await alice.unlock('/locked.txt', token)).status).toBe(204);
    expect(await propOf(alice, '/locked.txt', '{DAV:}lockdiscovery')).toBe('');
    expect((await alice.put('/locked.txt', 'free')).status).toBe(204);
  });

  it('§9.6: DELETE with the token → 204 and the lock goes with the file', async () => {
    const t = lockTokenOf(await lock('/locked.txt'));
    expect((await alice.del('/locked.txt', { If: `(<${t}>)` })).status).toBe(204);
    expect((await alice.put('/locked.txt', 'new file, no lock')).status).toBe(201);
  });

  it('§7.5: a lock expires after its timeout and stops blocking', async () => {
    await alice.put('/brief.txt', 'b');
    await lock('/brief.txt', 'exclusive', { Timeout: 'Second-1' });
    expect((await alice.put('/brief.txt', 'blocked')).status).toBe(423);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await alice.put('/brief.txt', 'after expiry')).status).toBe(204);
  });
});

describe('collection locks (RFC 4918 §7.4, §9.10.3)', () => {
  let token: string;
  beforeAll(async () => {
    await alice.mkcol('/col');
    await alice.mkcol('/col/sub');
    await alice.put('/col/sub/inner.txt', 'inner');
    token = lockTokenOf(await lock('/col/', 'exclusive', { Depth: 'infinity' }));
  });

  it('§9.10.3: a depth-infinity lock blocks a new member anywhere below without the token → 423', async () => {
    expect((await alice.put('/col/sub/new.txt', 'x')).status).toBe(423);
    expect((await alice.put('/col/sub/inner.txt', 'x')).status).toBe(423);
    expect((await alice.mkcol('/col/sub/dir')).status).toBe(423);
    expect((await alice.del('/col/sub/inner.txt')).status).toBe(423);
    expect((await alice.move('/col/sub/inner.txt', '/inner.txt')).status).toBe(423);
  });

  it('§10.4: the token in an untagged If list lets the write through', async () => {
    expect((await alice.put('/col/sub/new.txt', 'x', { If: `(<${token}>)` })).status).toBe(201);
  });

  it('§10.4.2: the token in a list tagged with the collection URL (full URL or path) lets it through', async () => {
    expect((await alice.put('/col/sub/tagged.txt', 'x', { If: `<http://localhost${BASE}/col/> (<${token}>)` })).status).toBe(201);
    expect((await alice.put('/col/sub/tagged2.txt', 'x', { If: `<${BASE}/col/> (<${token}>)` })).status).toBe(201);
  });

  it('§9.10.3: the lock shows in lockdiscovery of a member, rooted at the collection', async () => {
    const discovery = await propOf(alice, '/col/sub/inner.txt', '{DAV:}lockdiscovery');
    expect(discovery).toContain('<d:depth>infinity</d:depth>');
    expect(discovery).toContain(`<d:lockroot><d:href>${BASE}/col/</d:href></d:lockroot>`);
  });

  it('§6.1: an exclusive lock on a member of an infinity-locked collection → 423', async () => {
    expect((await lock('/col/sub/inner.txt')).status).toBe(423);
  });

  it('§9.10.3: a depth-infinity lock on a collection with a locked member → 423', async () => {
    await alice.mkcol('/col2');
    await alice.put('/col2/m.txt', 'm');
    await lock('/col2/m.txt');
    expect((await lock('/col2/', 'exclusive', { Depth: 'infinity' })).status).toBe(423);
  });

  it('§9.6.1: DELETE of a collection holding a locked member → 423, nothing deleted', async () => {
    expect((await alice.del('/col2/')).status).toBe(423);
    expect(await text('/col2/m.txt')).toBe('m');
  });

  it('§7.4: a depth-0 lock on a collection protects its membership, not its members\' content', async () => {
    await alice.mkcol('/zero');
    await alice.put('/zero/a.txt', 'a');
    const t = lockTokenOf(await lock('/zero/', 'exclusive', { Depth: '0' }));
    expect((await alice.put('/zero/b.txt', 'b')).status).toBe(423);
    expect((await alice.put('/zero/a.txt', 'changed')).status).toBe(204);
    // The new member is not covered by a depth-0 lock, so the token is tagged with the collection (§10.4.1).
    expect((await alice.put('/zero/b.txt', 'b', { If: `<${BASE}/zero/> (<${t}>)` })).status).toBe(201);
  });

  it('§9.11.1: UNLOCK or refresh of a member with a depth-0 collection lock\'s token → 409 / 412: outside its scope', async () => {
    await alice.mkcol('/zero2');
    await alice.put('/zero2/a.txt', 'a');
    const t = lockTokenOf(await lock('/zero2/', 'exclusive', { Depth: '0' }));
    expect((await alice.unlock('/zero2/a.txt', t)).status).toBe(409);
    expect((await alice.lock('/zero2/a.txt', null, { If: `(<${t}>)` })).status).toBe(412);
    expect((await alice.unlock('/zero2/', t)).status).toBe(204);
  });

  it('§9.11: UNLOCK of a member of a depth-infinity locked collection releases the whole lock', async () => {
    expect((await alice.unlock('/col/sub/inner.txt', token)).status).toBe(204);
    expect((await alice.put('/col/sub/inner.txt', 'free')).status).toBe(204);
  });
});
