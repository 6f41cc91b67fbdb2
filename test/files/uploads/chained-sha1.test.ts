import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { callWorkerDirectly, digestHex, disconnectingStream, makeUser, patternBytes, propOf, type DavClient } from '../../helpers';
import { SEGMENT_BYTES } from '../../../worker/files/blobs';
import { concat, uploadsOf } from './client';

let dora: DavClient;
let up: ReturnType<typeof uploadsOf>;
beforeAll(async () => {
  dora = await makeUser('dora');
  up = uploadsOf(dora);
  await dora.mkcol('/in');
});

const name = (i: number) => String(i).padStart(16, '0'); // the desktop client's chunk names
const CHECKSUMS = '{http://owncloud.org/ns}checksums';

async function chunkStates(id: string): Promise<Map<string, { state: string | null; after: string | null; key: string }>> {
  const { results } = await env.DB.prepare('SELECT name, segments, sha1_state, sha1_after FROM upload_chunks WHERE owner = ? AND upload_id = ? ORDER BY name')
    .bind('dora', id).all<{ name: string; segments: string; sha1_state: string | null; sha1_after: string | null }>();
  return new Map(results.map((r) => [r.name, { state: r.sha1_state, after: r.sha1_after, key: (JSON.parse(r.segments) as [string, number][])[0]?.[0] }]));
}

/** Sends chunks one after the other, as the desktop client does. */
async function sendInOrder(id: string, chunks: Uint8Array[], names = chunks.map((_, i) => name(i))): Promise<void> {
  expect((await up.mkcol(id, { Destination: `${dora.base}/in/${id}.bin` })).status).toBe(201);
  for (let i = 0; i < chunks.length; i++) expect((await up.put(id, names[i], chunks[i])).status).toBe(201);
}

describe('the file SHA-1 of a chunked upload, computed while the chunks come in', () => {
  // One chunk larger than a segment (the streamed path), two small ones (the segment loop).
  const parts = [patternBytes(SEGMENT_BYTES + 1000, 1), patternBytes(70_001, 2), patternBytes(12_345, 3)];
  const whole = concat(...parts);

  it('chunks sent in order each continue the running state of the one before', async () => {
    await sendInOrder('seq', parts);
    const states = await chunkStates('seq');
    const rows = [...states.values()];
    expect(rows.every((r) => r.state !== null)).toBe(true);
    expect(rows[0].after).toBe('');
    expect(rows[1].after).toContain(rows[0].key);
    expect(rows[2].after).toContain(rows[1].key);
  });

  it('the final MOVE verifies OC-Checksum from that state, without reading the content back', async () => {
    const sha1 = await digestHex('SHA-1', whole);
    // Proof that nothing is read back: the first chunk's blob is replaced behind the server's back
    // by other bytes of the same length. A read-back would hash those and refuse the checksum.
    const key = [...(await chunkStates('seq')).values()][0].key;
    await env.FILES.put(key, patternBytes(parts[0].byteLength, 99));
    const res = await up.finish('seq', '/in/seq.bin', { 'OC-Checksum': `SHA1:${sha1}`, 'OC-Total-Length': String(whole.byteLength) });
    expect(res.status).toBe(201);
    expect(await propOf(dora, '/in/seq.bin', CHECKSUMS)).toContain(`SHA1:${sha1}`);
  });

  it('a MOVE without OC-Checksum still gives the file its SHA-1 (oc:checksums), at no cost', async () => {
    await sendInOrder('plain', parts);
    expect((await up.finish('plain', '/in/plain.bin')).status).toBe(201);
    expect(await propOf(dora, '/in/plain.bin', CHECKSUMS)).toContain(`SHA1:${await digestHex('SHA-1', whole)}`);
  });

  it('a wrong OC-Checksum after an in-order upload → 400, nothing committed', async () => {
    await sendInOrder('wrong', parts);
    const res = await up.finish('wrong', '/in/wrong.bin', { 'OC-Checksum': `SHA1:${'0'.repeat(40)}` });
    expect(res.status).toBe(400);
    expect((await dora.get('/in/wrong.bin')).status).toBe(404);
    expect((await chunkStates('wrong')).size).toBe(3);
  });

  it('chunks out of order: the chain breaks, the MOVE reads the content back and still verifies it', async () => {
    expect((await up.mkcol('shuffled', { Destination: `${dora.base}/in/shuffled.bin` })).status).toBe(201);
    for (const i of [2, 0, 1]) expect((await up.put('shuffled', name(i), parts[i])).status).toBe(201);
    const states = await chunkStates('shuffled');
    expect(states.get(name(2))!.state).toBeNull(); // it came before anything it could continue
    expect((await up.finish('shuffled', '/in/shuffled.bin', { 'OC-Checksum': `SHA1:${'1'.repeat(40)}` })).status).toBe(400);
    const sha1 = await digestHex('SHA-1', whole);
    expect((await up.finish('shuffled', '/in/shuffled.bin', { 'OC-Checksum': `SHA1:${sha1}` })).status).toBe(201);
    expect(await propOf(dora, '/in/shuffled.bin', CHECKSUMS)).toContain(`SHA1:${sha1}`);
  });

  it('a chunk re-sent after its successor breaks the chain: the successor\'s state is not used', async () => {
    await sendInOrder('resent', parts);
    const other = patternBytes(parts[1].byteLength, 42);
    expect((await up.put('resent', name(1), other)).status).toBe(204);
    // The old content's checksum must not pass (the successor's state still covers the old chunk)…
    expect((await up.finish('resent', '/in/resent.bin', { 'OC-Checksum': `SHA1:${await digestHex('SHA-1', whole)}` })).status).toBe(400);
    // …and the new content's does, read back.
    const now = concat(parts[0], other, parts[2]);
    const sha1 = await digestHex('SHA-1', now);
    expect((await up.finish('resent', '/in/resent.bin', { 'OC-Checksum': `SHA1:${sha1}` })).status).toBe(201);
    expect(await propOf(dora, '/in/resent.bin', CHECKSUMS)).toContain(`SHA1:${sha1}`);
  });

  it('a chained chunk whose client goes away leaves no row; sent again, the chain goes on', async () => {
    expect((await up.mkcol('cut', { Destination: `${dora.base}/in/cut.bin` })).status).toBe(201);
    expect((await up.put('cut', name(0), parts[0])).status).toBe(201);
    const res = await callWorkerDirectly(new Request(up.url('cut', name(1)), {
      method: 'PUT', headers: { Authorization: dora.auth, 'Content-Length': String(parts[1].byteLength) }, body: disconnectingStream(parts[1].subarray(0, 5000)),
    }));
    expect(res.status).toBe(400);
    expect([...(await chunkStates('cut')).keys()]).toEqual([name(0)]);
    expect((await up.put('cut', name(1), parts[1])).status).toBe(201);
    expect((await up.put('cut', name(2), parts[2])).status).toBe(201);
    expect([...(await chunkStates('cut')).values()].every((r) => r.state !== null)).toBe(true);
    const sha1 = await digestHex('SHA-1', whole);
    expect((await up.finish('cut', '/in/cut.bin', { 'OC-Checksum': `SHA1:${sha1}` })).status).toBe(201);
  });

  it('unpadded numbers follow numeric order: chunk 10 continues chunk 9, not chunk 1', async () => {
    const small = Array.from({ length: 11 }, (_, i) => patternBytes(1000 + i, 50 + i));
    await sendInOrder('unpadded', small, small.map((_, i) => String(i + 1)));
    const states = await chunkStates('unpadded');
    expect([...states.values()].every((r) => r.state !== null)).toBe(true);
    expect(states.get('10')!.after).toContain(states.get('9')!.key);
    const sha1 = await digestHex('SHA-1', concat(...small));
    const key = states.get('1')!.key; // swapped behind the server's back: the chain must be what verifies
    await env.FILES.put(key, patternBytes(small[0].byteLength, 99));
    expect((await up.finish('unpadded', '/in/unpadded.bin', { 'OC-Checksum': `SHA1:${sha1}` })).status).toBe(201);
  });

  it('chunks that do not start at 0 or 1 (byte offsets aside) are not hashed: nothing to continue', async () => {
    expect((await up.mkcol('late', { Destination: `${dora.base}/in/late.bin` })).status).toBe(201);
    expect((await up.put('late', '5', parts[2])).status).toBe(201);
    expect((await chunkStates('late')).get('5')!.state).toBeNull();
  });
});
