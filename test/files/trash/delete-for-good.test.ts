import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, fileRows, makeUser, type DavClient } from '../../helpers';
import { blobsOf, fileidOf, trashbinOf } from './client';

let dora: DavClient;
let trash: ReturnType<typeof trashbinOf>;
beforeAll(async () => {
  dora = await makeUser('dora');
  trash = trashbinOf(dora);
});

/** Gives a file a previous version as the versions feature stores it: a file_versions row with its own blob. */
async function addVersion(fileid: number, content: string, timestamp: number): Promise<string> {
  const key = `blobs/test-version-${fileid}-${timestamp}`;
  await env.FILES.put(key, content);
  await env.DB.prepare(
    'INSERT INTO file_versions (fileid, owner, timestamp, mtime, etag, size, content_type, segments) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).bind(fileid, 'dora', timestamp, timestamp, 'v' + timestamp, content.length, 'text/plain', JSON.stringify([[key, content.length]])).run();
  return key;
}

const count = async (sql: string, ...args: unknown[]) =>
  (await env.DB.prepare(sql).bind(...args).first<{ n: number }>())!.n;

describe('deleting for good (Nextcloud: DELETE on a trash item)', () => {
  it('DELETE of a trashed file removes its rows, properties, versions and every blob, its versions\' too', async () => {
    const fileid = fileidOf(await dora.put('/v.txt', 'current'));
    await dora.proppatch('/v.txt', '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><x:tag>t</x:tag></d:prop></d:set></d:propertyupdate>');
    const versionKey = await addVersion(fileid, 'older', 1_700_000_000);
    const ownKeys = await blobsOf('dora', [fileid]);
    expect((await dora.del('/v.txt')).status).toBe(204);
    // In the trash nothing is gone yet.
    expect(await blobKeys()).toEqual(expect.arrayContaining([...ownKeys, versionKey]));

    const item = await trash.entry('v.txt');
    expect((await trash.del(item.name)).status).toBe(204);
    expect((await trash.list()).some((i) => i.fileid === fileid)).toBe(false);
    expect([...(await fileRows('dora')).values()].some((r) => r.fileid === fileid)).toBe(false);
    expect(await count('SELECT COUNT(*) AS n FROM properties WHERE fileid = ?', fileid)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM file_versions WHERE fileid = ?', fileid)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM trash_items WHERE fileid = ?', fileid)).toBe(0);
    const left = await blobKeys();
    expect([...ownKeys, versionKey].filter((k) => left.includes(k))).toEqual([]);
    expect((await trash.get(item.name)).status).toBe(404);
  });

  it('DELETE of a trashed folder removes every row and blob below it; the trash size drops to what is left', async () => {
    await dora.put('/keep.txt', 'stay');
    await dora.del('/keep.txt');
    await dora.mkcol('/tree');
    await dora.mkcol('/tree/sub');
    const ids = [
      fileidOf(await dora.put('/tree/a.txt', 'aaaa')),
      fileidOf(await dora.put('/tree/sub/b.txt', 'bb')),
    ];
    const versionKey = await addVersion(ids[1], 'b-old', 1_700_000_001);
    const keys = [...(await blobsOf('dora', ids)), versionKey];
    await dora.del('/tree/');
    const before = await fileRows('dora');
    expect(before.get('\u0001trash')!.size).toBe(4 + 6);
    const item = await trash.entry('tree');
    expect((await trash.del(item.name)).status).toBe(204);
    const rows = await fileRows('dora');
    expect([...rows.keys()].filter((p) => p.startsWith(`\u0001trash/${item.name}`))).toEqual([]);
    expect(rows.get('\u0001trash')!.size).toBe(4);
    const left = await blobKeys();
    expect(keys.filter((k) => left.includes(k))).toEqual([]);
    expect((await trash.entry('keep.txt')).size).toBe(4);
  });

  it('DELETE of a row inside a trashed folder removes only it; the entry and the trash shrink', async () => {
    await dora.mkcol('/box');
    await dora.put('/box/in.txt', '12345');
    await dora.put('/box/out.txt', '123');
    await dora.del('/box/');
    const entry = await trash.entry('box');
    const inKeys = await blobsOf('dora', [(await trash.list(`/trash/${entry.name}`)).find((i) => i.filename === 'in.txt')!.fileid]);
    expect((await trash.del(`${entry.name}/in.txt`)).status).toBe(204);
    const after = await trash.entry('box');
    expect(after.size).toBe(3);
    expect((await trash.list(`/trash/${entry.name}`)).map((i) => i.filename)).toEqual(['out.txt']);
    expect((await fileRows('dora')).get('\u0001trash')!.size).toBe(4 + 3);
    const left = await blobKeys();
    expect(inKeys.filter((k) => left.includes(k))).toEqual([]);
  });

  it('deleting an item that is already gone → 404', async () => {
    expect((await trash.del('nothing.txt.d1700000000')).status).toBe(404);
  });
});

describe('emptying the trash (Nextcloud: DELETE on /trash)', () => {
  it('removes every entry, every trashed row and their blobs; the home is untouched', async () => {
    await dora.put('/live.txt', 'alive');
    await dora.put('/dead.txt', 'dead');
    const deadId = fileidOf(await dora.put('/dead2.txt', 'dead2'));
    await addVersion(deadId, 'dead-old', 1_700_000_002);
    await dora.del('/dead.txt');
    await dora.del('/dead2.txt');
    const rowsBefore = await fileRows('dora');
    const trashedIds = [...rowsBefore].filter(([p]) => p.startsWith('\u0001trash/')).map(([, r]) => r.fileid);
    const { results } = await env.DB.prepare(`SELECT segments FROM file_versions WHERE owner = 'dora'`).all<{ segments: string }>();
    const trashedKeys = [...(await blobsOf('dora', trashedIds)), ...results.flatMap((r) => JSON.parse(r.segments).map(([k]: [string]) => k))];
    expect(trashedKeys.length).toBeGreaterThan(3);
    const liveKeys = await blobsOf('dora', [rowsBefore.get('live.txt')!.fileid]);

    expect((await trash.empty()).status).toBe(204);
    expect(await trash.list()).toEqual([]);
    const rows = await fileRows('dora');
    expect([...rows.keys()].filter((p) => p.startsWith('\u0001trash/'))).toEqual([]);
    expect(rows.get('\u0001trash')!.size).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM trash_items WHERE user = 'dora'`)).toBe(0);
    const left = await blobKeys();
    expect(trashedKeys.filter((k) => left.includes(k))).toEqual([]);
    expect(liveKeys.every((k) => left.includes(k))).toBe(true);
    expect(await (await dora.get('/live.txt')).text()).toBe('alive');
    expect(rows.get('')!.size).toBe(rowsBefore.get('')!.size);
  });

  it('emptying an empty trash → 204 and changes nothing', async () => {
    const rows = await fileRows('dora');
    expect((await trash.empty()).status).toBe(204);
    expect(await fileRows('dora')).toEqual(rows);
  });
});
