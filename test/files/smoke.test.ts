import { describe, expect, it } from 'vitest';
import { makeUser, propBody, propValue, responses } from '../helpers';

describe('files smoke', () => {
  it('puts, lists, gets, moves and deletes', async () => {
    const alice = await makeUser('alice');
    let res = await alice.propfind('/', null, '1');
    expect(res.status).toBe(207);
    res = await alice.mkcol('/docs');
    expect(res.status).toBe(201);
    res = await alice.put('/docs/a.txt', 'hello world', { 'X-OC-Mtime': '1700000000' });
    expect(res.status).toBe(201);
    expect(res.headers.get('X-OC-MTime')).toBe('accepted');
    expect(res.headers.get('OC-FileId')).toMatch(/^\d{8}occumulus$/);
    res = await alice.get('/docs/a.txt');
    expect(await res.text()).toBe('hello world');
    res = await alice.propfind('/docs', propBody('{DAV:}getetag', '{http://owncloud.org/ns}size', '{DAV:}getcontentlength', '{http://owncloud.org/ns}checksums'), '1');
    const xml = await res.text();
    const r = responses(xml);
    expect(propValue(r.get('/remote.php/dav/files/alice/docs/a.txt'), 'd:getcontentlength')).toBe('11');
    expect(propValue(r.get('/remote.php/dav/files/alice/docs/'), 'oc:size')).toBe('11');
    res = await alice.move('/docs/a.txt', '/docs/b.txt');
    expect(res.status).toBe(201);
    res = await alice.get('/docs/b.txt', { Range: 'bytes=6-' });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('world');
    res = await alice.del('/docs');
    expect(res.status).toBe(204);
    res = await alice.get('/docs/b.txt');
    expect(res.status).toBe(404);
  });
});
