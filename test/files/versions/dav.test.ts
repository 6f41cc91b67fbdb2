import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, etagOf, fileRows, makeUser, propBody, propOf, propValue, responses, type DavClient } from '../../helpers';
import { DAY, fileRow, listedTimestamps, T0, versionRows, versionsOf, versionTimes, writeAt } from './client';

// /remote.php/dav/versions/{user}/versions/{fileid} as Nextcloud's files_versions Sabre plugin
// serves it: Depth 1 lists the versions (named by timestamp), GET downloads one, MOVE to
// restore/target restores it, DELETE deletes it for good, PROPPATCH of nc:version-label labels it.

let rita: DavClient;
let fileid: number;
/** Versions made on a fake clock long ago, a week apart: 'report v1' at T0 + 8 days, 'report v2' at T0 + 16 days. */
const V1 = T0 + 8 * DAY;
const V2 = T0 + 16 * DAY;
beforeAll(async () => {
  rita = await makeUser('rita');
  await rita.mkcol('/docs');
  await writeAt('rita', 'docs/report.txt', 'report v1', T0);
  await writeAt('rita', 'docs/report.txt', 'report v2', V1);
  await writeAt('rita', 'docs/report.txt', 'report v3', V2);
  fileid = (await fileRow('rita', 'docs/report.txt'))!.fileid;
});

const href = (path: string) => `/remote.php/dav/versions/rita/${path}`;

describe('listing (PROPFIND)', () => {
  it('Depth 1 lists the versions, named by timestamp, with the properties Nextcloud clients read', async () => {
    const res = await versionsOf(rita).list(fileid);
    expect(res.status).toBe(207);
    const all = responses(await res.text());
    expect([...all.keys()]).toEqual([href(`versions/${fileid}/`), href(`versions/${fileid}/${V2}`), href(`versions/${fileid}/${V1}`)]);
    const [v1] = await versionRows(fileid);
    const block = all.get(href(`versions/${fileid}/${V1}`));
    expect(propValue(block, 'd:getcontentlength')).toBe('9');
    expect(propValue(block, 'd:getcontenttype')).toBe('text/plain');
    // The content's own modification time (here: when 'report v1' was written, T0).
    expect(propValue(block, 'd:getlastmodified')).toBe(new Date(T0 * 1000).toUTCString());
    expect(propValue(block, 'd:getetag')).toBe(`&quot;${v1.etag}&quot;`);
    expect(propValue(block, 'nc:version-author')).toBe('rita');
    expect(propValue(block, 'nc:has-preview')).toBe('false');
    expect(propValue(block, 'nc:version-label')).toBeUndefined();
    // The web UI tells the collection from the versions by its missing content type.
    expect(propValue(all.get(href(`versions/${fileid}/`)), 'd:getcontenttype')).toBeUndefined();
  });

  it('Depth 0 answers for the collection alone; the root offers versions/ and restore/ and lists no files', async () => {
    expect((await listedTimestamps(rita, fileid))).toEqual([V2, V1]);
    const zero = responses(await (await versionsOf(rita).list(fileid, '0')).text());
    expect([...zero.keys()]).toEqual([href(`versions/${fileid}/`)]);
    const root = await rita.request('PROPFIND', versionsOf(rita).url(''), { body: propBody('{DAV:}resourcetype'), headers: { Depth: '1' } });
    expect([...responses(await root.text()).keys()]).toEqual([href(''), href('versions/'), href('restore/')]);
    const versionsRoot = await rita.request('PROPFIND', versionsOf(rita).url('versions'), { body: propBody('{DAV:}resourcetype'), headers: { Depth: '1' } });
    expect([...responses(await versionsRoot.text()).keys()]).toEqual([href('versions/')]);
  });
});

describe('download (GET)', () => {
  it('streams the version\'s content, named after its file; Range requests work as on files', async () => {
    const res = await versionsOf(rita).get(fileid, V1);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('report v1');
    expect(res.headers.get('Content-Disposition')).toContain('filename="report.txt"');
    expect(res.headers.get('Content-Type')).toBe('text/plain');
    const part = await versionsOf(rita).get(fileid, V2, { Range: 'bytes=7-8' });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('v2');
    const head = await rita.request('HEAD', versionsOf(rita).url(`versions/${fileid}/${V1}`));
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Length')).toBe('9');
  });
});

describe('labels (PROPPATCH nc:version-label)', () => {
  it('sets and removes a label', async () => {
    const set = await versionsOf(rita).label(fileid, V1, 'Sent to the board');
    expect(set.status).toBe(207);
    expect(await set.text()).toContain('HTTP/1.1 200');
    expect((await versionRows(fileid))[0].label).toBe('Sent to the board');
    const listed = responses(await (await versionsOf(rita).list(fileid)).text());
    expect(propValue(listed.get(href(`versions/${fileid}/${V1}`)), 'nc:version-label')).toBe('Sent to the board');
    expect((await versionsOf(rita).label(fileid, V1, null)).status).toBe(207);
    expect((await versionRows(fileid))[0].label).toBeNull();
    expect((await versionsOf(rita).label(fileid, V1, '')).status).toBe(207);
    expect((await versionRows(fileid))[0].label).toBeNull();
  });

  it('refusals write nothing: a label on the collection, another property with it, a protected property', async () => {
    const onCollection = await rita.request('PROPPATCH', versionsOf(rita).url(`versions/${fileid}`), {
      body: '<d:propertyupdate xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns"><d:set><d:prop><nc:version-label>x</nc:version-label></d:prop></d:set></d:propertyupdate>',
    });
    expect(onCollection.status).toBe(403);
    const withDead = await rita.request('PROPPATCH', versionsOf(rita).url(`versions/${fileid}/${V1}`), {
      body: '<d:propertyupdate xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns" xmlns:z="urn:z"><d:set><d:prop>' +
        '<nc:version-label>half</nc:version-label><z:other>1</z:other></d:prop></d:set></d:propertyupdate>',
    });
    expect(withDead.status).toBe(403);
    const author = await rita.request('PROPPATCH', versionsOf(rita).url(`versions/${fileid}/${V1}`), {
      body: '<d:propertyupdate xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns"><d:set><d:prop>' +
        '<nc:version-label>half</nc:version-label><nc:version-author>mallory</nc:version-author></d:prop></d:set></d:propertyupdate>',
    });
    expect(author.status).toBe(207);
    expect(await author.text()).toMatch(/403 Forbidden[\s\S]*424|424[\s\S]*403 Forbidden/);
    expect((await versionRows(fileid)).map((r) => [r.label, r.author])).toEqual([[null, 'rita'], [null, 'rita']]);
    const long = await versionsOf(rita).label(fileid, V1, 'x'.repeat(251));
    expect(long.status).toBe(400);
  });
});

describe('restore (MOVE to restore/target)', () => {
  it('the version becomes the content, the current content becomes a version, metadata only, ETags propagate', async () => {
    const before = {
      file: (await fileRow('rita', 'docs/report.txt'))!, docs: await etagOf(rita, '/docs'), home: await etagOf(rita, '/'), blobs: await blobKeys(),
    };
    const t = Math.floor(Date.now() / 1000);
    const res = await versionsOf(rita).restore(fileid, V1);
    expect(res.status).toBe(201);
    const after = (await fileRow('rita', 'docs/report.txt'))!;
    expect(res.headers.get('OC-ETag')).toBe(`"${after.etag}"`);
    expect(after.fileid).toBe(fileid);
    expect(await (await rita.get('/docs/report.txt')).text()).toBe('report v1');
    expect(after.etag).not.toBe(before.file.etag);
    expect(await etagOf(rita, '/docs')).not.toBe(before.docs);
    expect(await etagOf(rita, '/')).not.toBe(before.home);
    // Nextcloud gives the restored file the modification time of that content.
    expect(await propOf(rita, '/docs/report.txt', '{DAV:}getlastmodified')).toBe(new Date(T0 * 1000).toUTCString());
    // The restored version left the list; 'report v3' joined it, named by the time of the restore.
    const times = await versionTimes(fileid);
    expect(times[0]).toBe(V2);
    expect(times).toHaveLength(2);
    expect(times[1]).toBeGreaterThanOrEqual(t);
    expect(await (await versionsOf(rita).get(fileid, times[1])).text()).toBe('report v3');
    // No blob was copied or deleted: the same blobs, now referenced the other way round.
    expect(await blobKeys()).toEqual(before.blobs);
    expect(await propOf(rita, '/', '{DAV:}quota-used-bytes')).toBe('9');
  });

  it('keeps the current content as a version even within two minutes of the last version', async () => {
    expect((await rita.put('/docs/quick.txt', 'draft 1')).status).toBe(201);
    expect((await rita.put('/docs/quick.txt', 'draft 2')).status).toBe(204);
    const id = (await fileRow('rita', 'docs/quick.txt'))!.fileid;
    const [v] = await versionTimes(id);
    expect((await versionsOf(rita).restore(id, v)).status).toBe(201);
    expect(await (await rita.get('/docs/quick.txt')).text()).toBe('draft 1');
    const rows = await versionRows(id);
    expect(rows).toHaveLength(1);
    expect(await (await versionsOf(rita).get(id, rows[0].timestamp)).text()).toBe('draft 2');
  });

  it('a restore that does not fit the quota → 507, and nothing changes', async () => {
    const quinn = await makeUser('quinn', 'correct horse battery', { quota: 1000 });
    await quinn.put('/q.txt', 'q'.repeat(400));
    await quinn.put('/q.txt', 'small');
    const id = (await fileRow('quinn', 'q.txt'))!.fileid;
    expect(await versionTimes(id)).toHaveLength(1); // 400 bytes ≤ half of the 995 free
    await quinn.put('/other.bin', 'o'.repeat(601)); // used 606: restoring 400 for 5 would need 1001
    const [v] = await versionTimes(id);
    const snapshot = async () => [await fileRows('quinn'), await versionRows(id), await blobKeys()];
    const before = await snapshot();
    const res = await versionsOf(quinn).restore(id, v);
    expect(res.status).toBe(507);
    expect(await snapshot()).toEqual(before);
  });

  it('a file locked over WebDAV cannot be restored (423)', async () => {
    const id = (await fileRow('rita', 'docs/quick.txt'))!.fileid;
    const lock = await rita.lock('/docs/quick.txt', '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>');
    expect(lock.status).toBe(200);
    const [v] = await versionTimes(id);
    expect((await versionsOf(rita).restore(id, v)).status).toBe(423);
    expect(await (await rita.get('/docs/quick.txt')).text()).toBe('draft 1');
    await rita.unlock('/docs/quick.txt', /^<(.+)>$/.exec(lock.headers.get('Lock-Token')!)![1]);
  });
});

describe('delete (DELETE of a version)', () => {
  it('deletes the version for good, with its blobs; the file is untouched', async () => {
    const [v] = await versionRows(fileid);
    const keys = (JSON.parse(v.segments) as [string, number][]).map(([k]) => k);
    const file = (await fileRow('rita', 'docs/report.txt'))!;
    expect((await versionsOf(rita).del(fileid, v.timestamp)).status).toBe(204);
    expect(await versionTimes(fileid)).not.toContain(v.timestamp);
    const left = await blobKeys();
    expect(keys.some((k) => left.includes(k))).toBe(false);
    expect(await fileRow('rita', 'docs/report.txt')).toEqual(file);
    expect((await versionsOf(rita).del(fileid, v.timestamp)).status).toBe(404);
  });

  it('the collections cannot be deleted (403)', async () => {
    expect((await rita.request('DELETE', versionsOf(rita).url(`versions/${fileid}`))).status).toBe(403);
    expect((await rita.request('DELETE', versionsOf(rita).url('restore'))).status).toBe(403);
    expect(await versionTimes(fileid)).toHaveLength(1);
  });
});

describe('who may do this, and bad requests (never a 5xx)', () => {
  it('unauthenticated → 401', async () => {
    const res = await fetchAnonymously('PROPFIND', versionsOf(rita).url(`versions/${fileid}`));
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toContain('Basic');
  });

  it("another user's versions URL → 403; another user's fileid below one's own → 404, for every method", async () => {
    const mallory = await makeUser('mallory');
    const theirs = versionsOf(mallory, 'rita');
    expect((await theirs.list(fileid)).status).toBe(403);
    expect((await theirs.get(fileid, (await versionTimes(fileid))[0])).status).toBe(403);
    const mine = versionsOf(mallory);
    const [v] = await versionTimes(fileid);
    const before = [await versionRows(fileid), await fileRows('rita')];
    expect((await mine.list(fileid)).status).toBe(404);
    expect((await mine.get(fileid, v)).status).toBe(404);
    expect((await mine.restore(fileid, v)).status).toBe(404);
    expect((await mine.del(fileid, v)).status).toBe(404);
    expect((await mine.label(fileid, v, 'mine now')).status).toBe(404);
    expect((await theirs.restore(fileid, v, `${theirs.base}/restore/target`)).status).toBe(403);
    expect([await versionRows(fileid), await fileRows('rita')]).toEqual(before);
  });

  it('fileids and names that name nothing → 404: not a number, a folder, a version that does not exist', async () => {
    const docs = (await fileRow('rita', 'docs'))!.fileid;
    for (const id of ['abc', '0', `0${fileid}`, '1e3', String(docs), '99999999']) expect((await versionsOf(rita).list(id)).status, id).toBe(404);
    expect((await versionsOf(rita).get(fileid, 12345)).status).toBe(404);
    expect((await versionsOf(rita).get(fileid, 'x')).status).toBe(404);
    expect((await rita.request('PROPFIND', versionsOf(rita).url('elsewhere'), { headers: { Depth: '0' } })).status).toBe(404);
  });

  it('a bad Destination → 400/403/409, and nothing changes', async () => {
    const [v] = await versionTimes(fileid);
    const base = versionsOf(rita).base;
    const before = [await versionRows(fileid), await fileRows('rita')];
    const move = (dest: string | null) => rita.request('MOVE', versionsOf(rita).url(`versions/${fileid}/${v}`), { headers: dest === null ? {} : { Destination: dest } });
    expect((await move(null)).status).toBe(400);
    expect((await move(`${base}/versions/${fileid}/1`)).status).toBe(403);
    expect((await move(`${rita.base}/docs/copy.txt`)).status).toBe(403);
    expect((await move(`${base}/restore/target/deeper`)).status).toBe(409);
    expect((await move(`${base}/restore`)).status).toBe(403);
    expect((await move('http://[::1')).status).toBe(400);
    expect((await rita.request('MOVE', versionsOf(rita).url(`versions/${fileid}`), { headers: { Destination: `${base}/restore/target` } })).status).toBe(403);
    expect((await rita.request('COPY', versionsOf(rita).url(`versions/${fileid}/${v}`), { headers: { Destination: `${base}/restore/target` } })).status).toBe(403);
    expect([await versionRows(fileid), await fileRows('rita')]).toEqual(before);
  });

  it('nothing can be written into the tree: PUT, MKCOL → 403; LOCK → 405', async () => {
    const [v] = await versionTimes(fileid);
    expect((await rita.request('PUT', versionsOf(rita).url(`versions/${fileid}/${v}`), { body: 'overwrite a version' })).status).toBe(403);
    expect((await rita.request('PUT', versionsOf(rita).url(`versions/${fileid}/123`), { body: 'a new one' })).status).toBe(403);
    expect((await rita.request('PUT', versionsOf(rita).url('restore/target'), { body: 'x' })).status).toBe(403);
    expect((await rita.request('MKCOL', versionsOf(rita).url('restore/new'))).status).toBe(403);
    expect((await rita.request('LOCK', versionsOf(rita).url(`versions/${fileid}/${v}`), { body: '' })).status).toBe(405);
    expect(await (await versionsOf(rita).get(fileid, v)).text()).toBe('report v3');
  });

  it('garbage across methods and paths never yields a 5xx', async () => {
    const [v] = await versionTimes(fileid);
    const paths = ['', 'versions', `versions/${fileid}`, `versions/${fileid}/${v}`, 'restore', 'restore/target', `versions/${fileid}/${v}/x`, 'versions/%E2%82', 'x/y/z/w'];
    const methods = ['PROPFIND', 'PROPPATCH', 'GET', 'HEAD', 'PUT', 'DELETE', 'MOVE', 'COPY', 'MKCOL', 'OPTIONS', 'POST', 'REPORT'];
    const failures: string[] = [];
    for (const path of paths) {
      for (const method of methods) {
        if (method === 'DELETE' && path === `versions/${fileid}/${v}`) continue;
        if (method === 'MOVE' && path === `versions/${fileid}/${v}`) continue;
        const res = await rita.request(method, versionsOf(rita).url(path), {
          body: method === 'GET' || method === 'HEAD' ? null : '<d:nonsense xmlns:d="DAV:">',
          // (A Destination on another server is a 502 by RFC 4918 §9.9.4; that is not garbage.)
          headers: { Depth: 'infinity', Destination: `${versionsOf(rita).base}/%zz/..`, Range: 'bytes=5-1', 'If-Match': 'garbage' },
        });
        if (res.status >= 500) failures.push(`${method} ${path} → ${res.status}: ${await res.text()}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('versions and the trash', () => {
  it('a trashed file keeps its versions (not listed while it is in the trash)', async () => {
    const rows = await versionRows(fileid);
    expect(rows.length).toBeGreaterThan(0);
    expect((await rita.del('/docs/report.txt')).status).toBe(204);
    expect((await versionsOf(rita).list(fileid)).status).toBe(404);
    expect(await versionRows(fileid)).toEqual(rows);
  });
});

function fetchAnonymously(method: string, url: string): Promise<Response> {
  return exports.default.fetch(new Request(url, { method, headers: { Depth: '1' } }));
}
