/**
 * A folder downloaded as a ZIP through `wrangler dev` unpacks with Info-ZIP's unzip, byte for
 * byte: a file of several 8 MiB segments (read from R2 one segment after another into the archive),
 * nested folders, Unicode names. The archive streams: its Content-Length is announced up front.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davClient } from '../support/dav.mjs';
import { prngBytes, prngStream } from '../support/prng.mjs';
import { startServer } from '../support/server.mjs';

const BIG = 20 * 1024 * 1024 + 333;
let server: Awaited<ReturnType<typeof startServer>>;
let dir: string;

beforeAll(async () => {
  server = await startServer({ name: 'zip-download' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'cumulus-zip-'));
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('folder download as ZIP with a real unzip', () => {
  it('unzip -t passes and the extracted tree equals what was uploaded', async () => {
    const dav = davClient(server.davUrl(server.admin.user), server.admin.user, server.admin.password);
    try {
      await dav.mkcol('Album');
      await dav.mkcol('Album/Sommer 2026');
      await dav.request('PUT', 'Album/Sommer 2026/video.bin', { body: prngStream('zip-big', BIG), length: BIG });
      await dav.put('Album/Sommer 2026/Käse & Brot.txt', 'lecker\n');
      await dav.put('Album/readme.md', '# Album\n');
      const file = path.join(dir, 'Album.zip');
      const out = createWriteStream(file);
      const res = await dav.request('GET', 'Album/', { headers: { Accept: 'application/zip' }, sink: (c: Buffer) => out.write(c) });
      await new Promise((resolve) => out.end(resolve));
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'])).toBe(res.bytes);
      execFileSync('unzip', ['-tq', file]);
      execFileSync('unzip', ['-q', file, '-d', path.join(dir, 'x')]);
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(sha(readFileSync(path.join(dir, 'x', 'Album', 'Sommer 2026', 'video.bin')))).toBe(sha(prngBytes('zip-big', BIG)));
      expect(readFileSync(path.join(dir, 'x', 'Album', 'Sommer 2026', 'Käse & Brot.txt'), 'utf8')).toBe('lecker\n');
      expect(readFileSync(path.join(dir, 'x', 'Album', 'readme.md'), 'utf8')).toBe('# Album\n');
    } finally {
      dav.close();
    }
  });
});
