import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, etagOf, fileRows, makeUser, propBody, propOf, propsOf, propValue, responses, type DavClient } from '../../helpers';
import { FilesService } from '../../../worker/files/service';
import { deleteAt, fileidOf, trashbinOf } from './client';

let alice: DavClient;
let trash: ReturnType<typeof trashbinOf>;
beforeAll(async () => {
  alice = await makeUser('alice');
  trash = trashbinOf(alice);
});

const fileidAt = async (path: string) => (await fileRows('alice')).get(path)?.fileid;

describe('DELETE moves into the trash bin (Nextcloud files_trashbin)', () => {
  it('a deleted file leaves the tree and /trash lists it with its name, original location, deletion time, size and fileid', async () => {
    await alice.mkcol('/docs');
    const put = await alice.put('/docs/report.txt', 'quarterly');
    const before = Math.floor(Date.now() / 1000);
    expect((await alice.del('/docs/report.txt')).status).toBe(204);
    const after = Math.floor(Date.now() / 1000);
    expect((await alice.get('/docs/report.txt')).status).toBe(404);

    const item = await trash.entry('report.txt');
    expect(item.originalLocation).toBe('docs/report.txt');
    expect(item.deletionTime).toBeGreaterThanOrEqual(before);
    expect(item.deletionTime).toBeLessThanOrEqual(after);
    expect(item.name).toBe(`report.txt.d${item.deletionTime}`);
    expect(item.displayName).toBe('report.txt');
    expect(item.fileid).toBe(fileidOf(put));
    expect(item.size).toBe(9);
    expect(item.contentLength).toBe('9');
    expect(item.contentType).toBe('text/plain');
    expect(item.isDir).toBe(false);
    expect(item.permissions).toBe('GD');
    expect(item.etag).toMatch(/^&quot;.+&quot;$/);
    // An entry's modification time is its deletion time, as Nextcloud reports it.
    expect(Date.parse(item.lastModified) / 1000).toBe(item.deletionTime);
  });

  it('PROPFIND of the trashbin home lists the trash and restore collections', async () => {
    const res = await trash.request('PROPFIND', '/', { Depth: '1' }, propBody('{DAV:}resourcetype'));
    expect(res.status).toBe(207);
    const body = await res.text();
    expect(body).toContain('<d:href>/remote.php/dav/trashbin/alice/trash/</d:href>');
    expect(body).toContain('<d:href>/remote.php/dav/trashbin/alice/restore/</d:href>');
  });

  it('GET of a trashed file downloads its content under its real name', async () => {
    const item = await trash.entry('report.txt');
    const res = await trash.get(item.name);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('quarterly');
    expect(res.headers.get('Content-Disposition')).toContain('filename="report.txt"');
  });

  it('MOVE to restore/ puts it back where it was with the same fileid; the trash no longer lists it', async () => {
    const item = await trash.entry('report.txt');
    const docsEtag = await etagOf(alice, '/docs/');
    const res = await trash.restore(item.name);
    expect(res.status).toBe(201);
    expect(await (await alice.get('/docs/report.txt')).text()).toBe('quarterly');
    expect(await fileidAt('docs/report.txt')).toBe(item.fileid);
    expect(await etagOf(alice, '/docs/')).not.toBe(docsEtag);
    expect((await trash.list()).some((i) => i.fileid === item.fileid)).toBe(false);
    expect(await propOf(alice, '/', '{http://owncloud.org/ns}size')).toBe('9');
  });
});

describe('folders: the whole subtree goes and comes back', () => {
  it('a deleted folder is one entry that can be browsed into (Depth 1 on the entry and on its subfolders)', async () => {
    await alice.mkcol('/proj');
    await alice.mkcol('/proj/src');
    await alice.put('/proj/src/main.c', 'int main;');
    await alice.put('/proj/readme.md', '# proj');
    await alice.proppatch('/proj/src/main.c', '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:example"><d:set><d:prop><x:colour>blue</x:colour></d:prop></d:set></d:propertyupdate>');
    await alice.proppatch('/proj/', '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>1</oc:favorite></d:prop></d:set></d:propertyupdate>');
    const ids = await fileRows('alice');
    expect((await alice.del('/proj/')).status).toBe(204);
    expect((await alice.propfind('/proj/', null)).status).toBe(404);

    const entry = await trash.entry('proj');
    expect(entry.isDir).toBe(true);
    expect(entry.size).toBe(15);
    expect(entry.fileid).toBe(ids.get('proj')!.fileid);
    const inside = await trash.list(`/trash/${entry.name}`);
    expect(inside.map((i) => [i.filename, i.originalLocation, i.deletionTime]).sort()).toEqual([
      ['readme.md', 'proj/readme.md', entry.deletionTime],
      ['src', 'proj/src', entry.deletionTime],
    ]);
    const deeper = await trash.list(`/trash/${entry.name}/src`);
    expect(deeper.map((i) => [i.name, i.originalLocation, i.fileid, i.size])).toEqual([
      ['main.c', 'proj/src/main.c', ids.get('proj/src/main.c')!.fileid, 9],
    ]);
    expect(await (await trash.get(`${entry.name}/src/main.c`)).text()).toBe('int main;');
    expect(await propOf(alice, '/', '{http://owncloud.org/ns}size')).toBe('9');
  });

  it('restoring the folder brings back every row with the same fileids, sizes and dead properties', async () => {
    const entry = await trash.entry('proj');
    expect((await trash.restore(entry.name)).status).toBe(201);
    const rows = await fileRows('alice');
    for (const p of ['proj', 'proj/src', 'proj/src/main.c', 'proj/readme.md']) expect(rows.has(p), p).toBe(true);
    expect([...rows.keys()].some((p) => p.startsWith('\u0001trash/proj'))).toBe(false);
    expect(rows.get('proj')!.fileid).toBe(entry.fileid);
    expect(rows.get('proj')!.size).toBe(15);
    expect(rows.get('')!.size).toBe(24);
    const colour = await propsOf(alice, '/proj/src/main.c', ['{urn:example}colour']);
    expect([...colour.values()][0]).toMatch(/<x:colour xmlns:x="urn:example">blue<\/x:colour>/);
    expect(await propOf(alice, '/proj/', '{http://owncloud.org/ns}favorite')).toBe('1');
    expect(await (await alice.get('/proj/src/main.c')).text()).toBe('int main;');
  });

  it('a row inside a trashed folder can be restored on its own; the entry shrinks and keeps the rest', async () => {
    expect((await alice.del('/proj/')).status).toBe(204);
    const entry = await trash.entry('proj');
    // Its original folder is in the trash too: it lands in the home root, as in Nextcloud.
    expect((await trash.restore(`${entry.name}/readme.md`, '/restore/readme.md')).status).toBe(201);
    expect(await (await alice.get('/readme.md')).text()).toBe('# proj');
    const after = await trash.entry('proj');
    expect(after.size).toBe(9);
    expect((await trash.list(`/trash/${entry.name}`)).map((i) => i.filename)).toEqual(['src']);
    const { results } = await env.DB.prepare('SELECT size FROM trash_items WHERE fileid = ?').bind(entry.fileid).all<{ size: number }>();
    expect(results).toEqual([{ size: 9 }]);
    expect((await trash.restore(entry.name)).status).toBe(201);
    expect((await alice.get('/proj/readme.md')).status).toBe(404);
    expect(await (await alice.get('/proj/src/main.c')).text()).toBe('int main;');
  });
});

describe('where a restored item goes', () => {
  it('when the original folder is gone it is restored to the home root', async () => {
    await alice.mkcol('/gone');
    await alice.put('/gone/orphan.txt', 'left behind');
    expect((await alice.del('/gone/orphan.txt')).status).toBe(204);
    expect((await alice.del('/gone/')).status).toBe(204);
    const item = await trash.entry('orphan.txt');
    expect(item.originalLocation).toBe('gone/orphan.txt');
    expect((await trash.restore(item.name)).status).toBe(201);
    expect(await (await alice.get('/orphan.txt')).text()).toBe('left behind');
    expect((await alice.propfind('/gone/', null)).status).toBe(404);
  });

  it('when a file took its original place the folder became: to the home root too', async () => {
    await alice.mkcol('/shape');
    await alice.put('/shape/inner.txt', 'inner');
    await alice.del('/shape/inner.txt');
    await alice.del('/shape/');
    await alice.put('/shape', 'now a file');
    expect((await trash.restore((await trash.entry('inner.txt')).name)).status).toBe(201);
    expect(await (await alice.get('/inner.txt')).text()).toBe('inner');
  });

  it('a clashing name gets Nextcloud\'s suffix: "name (restored).ext", then "name (restored 2).ext"', async () => {
    await alice.mkcol('/c');
    for (const [i, content] of ['one', 'two'].entries()) {
      await alice.put('/c/clash.txt', content);
      await deleteAt('alice', null, 'c/clash.txt', Date.now() + i * 1000);
    }
    await alice.put('/c/clash.txt', 'three');
    const items = (await trash.list()).filter((i) => i.filename === 'clash.txt').sort((a, b) => a.deletionTime - b.deletionTime);
    expect(items.length).toBe(2);
    for (const item of items) expect((await trash.restore(item.name)).status).toBe(201);
    expect(await (await alice.get('/c/clash.txt')).text()).toBe('three');
    expect(await (await alice.get('/c/clash%20(restored).txt')).text()).toBe('one');
    expect(await (await alice.get('/c/clash%20(restored%202).txt')).text()).toBe('two');
  });

  it('a folder and a name without extension clash the same way', async () => {
    await alice.mkcol('/c/dir');
    await alice.put('/c/dir/x', 'x');
    await alice.del('/c/dir/');
    await alice.mkcol('/c/dir');
    expect((await trash.restore((await trash.entry('dir')).name)).status).toBe(201);
    expect(await (await alice.get('/c/dir%20(restored)/x')).text()).toBe('x');
  });

  it('two items of one name deleted in the same second are distinct entries, each restorable', async () => {
    const at = Date.now();
    await alice.put('/same.txt', 'first');
    await deleteAt('alice', null, 'same.txt', at);
    await alice.put('/same.txt', 'second');
    await deleteAt('alice', null, 'same.txt', at);
    const items = (await trash.list()).filter((i) => i.filename === 'same.txt');
    expect(items.map((i) => i.name).sort()).toEqual([`same.txt.d${Math.floor(at / 1000)}`, `same.txt.d${Math.floor(at / 1000)}-2`]);
    expect(items.every((i) => i.deletionTime === Math.floor(at / 1000))).toBe(true);
    const contents = await Promise.all(items.map(async (i) => (await trash.get(i.name)).text()));
    expect(contents.sort()).toEqual(['first', 'second']);
    for (const i of items) expect((await trash.restore(i.name)).status).toBe(201);
    expect((await alice.get('/same.txt')).status).toBe(200);
    expect((await alice.get('/same%20(restored).txt')).status).toBe(200);
  });
});

describe('concurrent deletes', () => {
  it('twelve files of one name deleted at once in the same second all land in the trash, each its own entry', async () => {
    const at = Date.now();
    for (let i = 0; i < 12; i++) {
      await alice.mkcol(`/par${i}`);
      await alice.put(`/par${i}/Thumbs.db`, `t${i}`);
    }
    await Promise.all(Array.from({ length: 12 }, (_, i) => deleteAt('alice', null, `par${i}/Thumbs.db`, at)));
    const items = (await trash.list()).filter((i) => i.filename === 'Thumbs.db');
    expect(items.length).toBe(12);
    expect(new Set(items.map((i) => i.name)).size).toBe(12);
    expect(items.map((i) => i.originalLocation).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `par${i}/Thumbs.db`).sort());
    const contents = await Promise.all(items.map(async (i) => (await trash.get(i.name)).text()));
    expect(contents.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`).sort());
  });
});

describe('overwriting sends the target to the trash (Sabre deletes it first)', () => {
  it('MOVE onto an existing file: the replaced file is in the trash with its content and fileid', async () => {
    await alice.mkcol('/over');
    await alice.put('/over/a.txt', 'AAA');
    const b = await alice.put('/over/b.txt', 'BB');
    const blobs = await blobKeys();
    expect((await alice.move('/over/a.txt', '/over/b.txt')).status).toBe(204);
    expect(await (await alice.get('/over/b.txt')).text()).toBe('AAA');
    const item = await trash.entry('b.txt');
    expect(item.originalLocation).toBe('over/b.txt');
    expect(item.fileid).toBe(fileidOf(b));
    expect(await (await trash.get(item.name)).text()).toBe('BB');
    expect(await blobKeys()).toEqual(blobs);
    expect(await propOf(alice, '/over/', '{http://owncloud.org/ns}size')).toBe('3');
  });

  it('COPY onto an existing folder: the replaced folder is in the trash with its subtree', async () => {
    await alice.mkcol('/over/src');
    await alice.put('/over/src/s.txt', 'src');
    await alice.mkcol('/over/dst');
    await alice.put('/over/dst/old.txt', 'old');
    expect((await alice.copy('/over/src/', '/over/dst/')).status).toBe(204);
    expect((await alice.get('/over/dst/old.txt')).status).toBe(404);
    const item = await trash.entry('dst');
    expect(item.size).toBe(3);
    expect(await (await trash.get(`${item.name}/old.txt`)).text()).toBe('old');
    expect(await propOf(alice, '/over/', '{http://owncloud.org/ns}size')).toBe('9');
  });
});

describe('ETags and sizes', () => {
  it('the trash collection gets a new ETag with every change of the trash', async () => {
    const trashEtag = async () => {
      const res = await trash.request('PROPFIND', '/trash', { Depth: '0' }, propBody('{DAV:}getetag'));
      return propValue([...responses(await res.text()).values()][0], 'd:getetag');
    };
    const e1 = await trashEtag();
    await alice.put('/etag.txt', 'e');
    await alice.del('/etag.txt');
    const e2 = await trashEtag();
    expect(e2).not.toBe(e1);
    await trash.restore((await trash.entry('etag.txt')).name);
    expect(await trashEtag()).not.toBe(e2);
  });

  it('the trash root lives outside the home: the home size is the sum of the home\'s files only', async () => {
    const rows = await fileRows('alice');
    const homeFiles = [...rows].filter(([p]) => p !== '' && !p.startsWith('\u0001'));
    expect(rows.get('\u0001trash')!.size).toBeGreaterThan(0);
    const { results } = await env.DB.prepare("SELECT SUM(size) AS s FROM files WHERE owner = 'alice' AND segments IS NOT NULL AND path >= ' '")
      .all<{ s: number }>();
    expect(rows.get('')!.size).toBe(results[0].s);
    expect(homeFiles.length).toBeGreaterThan(0);
    expect(await new FilesService(env, 'alice', null).usedBytes()).toBe(results[0].s);
  });
});
