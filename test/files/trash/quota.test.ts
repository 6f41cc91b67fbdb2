import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { usedBytes } from '../../../worker/files/usage';
import { blobKeys, fileRows, makeUser, propOf, type DavClient } from '../../helpers';
import { blobsOf, fileidOf, trashbinOf } from './client';

// 1000 bytes of quota; the trash may hold half of what is free.
let quinn: DavClient;
let trash: ReturnType<typeof trashbinOf>;
beforeAll(async () => {
  quinn = await makeUser('quinn', 'correct horse battery', { quota: 1000 });
  trash = trashbinOf(quinn);
});

const used = async () => Number(await propOf(quinn, '/', '{DAV:}quota-used-bytes'));
const available = async () => Number(await propOf(quinn, '/', '{DAV:}quota-available-bytes'));

async function ocsQuota() {
  const res = await quinn.request('GET', 'http://localhost/ocs/v2.php/cloud/user?format=json', { headers: { 'OCS-APIRequest': 'true' } });
  return (await res.json() as { ocs: { data: { quota: { used: number; free: number } } } }).ocs.data.quota;
}

describe('quota: the trash does not count (Nextcloud user manual, "Deleted files")', () => {
  it('a restore that fits → 201 and its bytes count again', async () => {
    await quinn.put('/r.bin', 'r'.repeat(10));
    await quinn.del('/r.bin');
    expect(await used()).toBe(0);
    expect((await trash.restore((await trash.entry('r.bin')).name)).status).toBe(201);
    expect(await used()).toBe(10);
    expect((await quinn.del('/r.bin')).status).toBe(204);
  });

  it('DELETE frees the bytes at once: DAV quota properties and the stored usage no longer count the file', async () => {
    expect((await quinn.put('/a.bin', 'a'.repeat(300))).status).toBe(201);
    expect(await used()).toBe(300);
    expect((await quinn.del('/a.bin')).status).toBe(204);
    expect(await used()).toBe(0);
    expect(await available()).toBe(1000);
    expect(await usedBytes(env, 'quinn')).toBe(0);
    expect((await trash.entry('a.bin')).size).toBe(300);
  });

  it('OCS user info reports the same usage as DAV', async () => {
    expect((await quinn.put('/b.bin', 'b'.repeat(120))).status).toBe(201);
    expect(await ocsQuota()).toMatchObject({ used: 120, free: 880 });
    expect((await quinn.del('/b.bin')).status).toBe(204);
    expect(await ocsQuota()).toMatchObject({ used: 0, free: 1000 });
  });

  it('a restore counts again; one that does not fit → 507 and nothing changes', async () => {
    expect((await quinn.put('/fill.bin', 'f'.repeat(800))).status).toBe(201);
    const rows = await fileRows('quinn');
    const item = await trash.entry('a.bin');
    const res = await trash.restore(item.name);
    expect(res.status).toBe(507);
    expect(await fileRows('quinn')).toEqual(rows);
    expect((await trash.entry('a.bin')).fileid).toBe(item.fileid);
    // Deleting fill.bin puts 800 more bytes in the trash: the 50 % rule below.
    expect((await quinn.del('/fill.bin')).status).toBe(204);
  });
});

describe('the 50 % rule when something enters the trash', () => {
  it('past half the free space the oldest entries go for good, possibly the one just deleted', async () => {
    // The deletion of fill.bin above: used 0, free 1000, cap 500; the trash held 10 + 300 + 120 + 800 → all went,
    // the oldest first and fill.bin last, since 800 alone is over the cap.
    expect(await trash.list()).toEqual([]);
    expect((await fileRows('quinn')).get('\u0001trash')!.size).toBe(0);
  });

  it('within the cap nothing goes; crossing it takes the oldest first, only as many as needed, with their blobs', async () => {
    const a = fileidOf(await quinn.put('/one.bin', '1'.repeat(300)));
    await quinn.del('/one.bin');
    await quinn.put('/two.bin', '2'.repeat(200));
    await quinn.del('/two.bin');
    // Trash 500 = half of 1000 free: still allowed.
    expect((await trash.list()).map((i) => i.filename).sort()).toEqual(['one.bin', 'two.bin']);
    const oneKeys = await blobsOf('quinn', [a]);

    await quinn.put('/stay.bin', 's'.repeat(100));
    await quinn.put('/three.bin', '3'.repeat(50));
    await quinn.del('/three.bin');
    // used 100, free 900, cap 450; trash 550 → one.bin (oldest, 300) goes, 250 is within the cap.
    expect((await trash.list()).map((i) => i.filename).sort()).toEqual(['three.bin', 'two.bin']);
    const left = await blobKeys();
    expect(oneKeys.filter((k) => left.includes(k))).toEqual([]);
    expect((await fileRows('quinn')).get('\u0001trash')!.size).toBe(250);
  });

  it('an item that alone exceeds the cap goes right after its deletion, the older ones before it', async () => {
    await quinn.put('/huge.bin', 'h'.repeat(900));
    await quinn.del('/huge.bin');
    expect(await trash.list()).toEqual([]);
    expect(await used()).toBe(100);
  });
});
