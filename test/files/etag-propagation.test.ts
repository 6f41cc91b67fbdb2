import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser, propsOf, propValue, type DavClient } from '../helpers';

// nextcloud-api §3.5 / ARCHITECTURE §3: any change below a folder gives it and every ancestor up to
// the root a new ETag and an exact size; nothing else changes. Sync clients rely on exactly this.

let alice: DavClient;
/** The model: file path → size. Folder sizes must always be the sum of the files below them. */
const model = new Map<string, number>();
const folders = ['/', '/a/', '/a/b/', '/a/b/c/', '/a/sib/', '/a/b/sib2/', '/other/'];

async function state(): Promise<Map<string, { etag: string; size: number }>> {
  const out = new Map<string, { etag: string; size: number }>();
  for (const path of [...folders, ...model.keys()]) {
    const block = [...(await propsOf(alice, path, ['{DAV:}getetag', '{http://owncloud.org/ns}size'])).values()][0];
    out.set(path, { etag: propValue(block, 'd:getetag')!, size: Number(propValue(block, 'oc:size')) });
  }
  return out;
}

/**
 * Runs an operation, applies its effect to the model, then checks: exactly `changed` got new ETags,
 * and every folder's size is the sum of the model's files below it.
 */
async function expectPropagation(op: () => Promise<Response>, expectStatus: number, changed: string[], update = () => {}) {
  const before = await state();
  expect((await op()).status).toBe(expectStatus);
  update();
  const after = await state();
  for (const [path, { etag }] of after) {
    if (!before.has(path)) continue;
    if (changed.includes(path)) expect(etag, `${path} should have a new ETag`).not.toBe(before.get(path)!.etag);
    else expect(etag, `${path} should keep its ETag`).toBe(before.get(path)!.etag);
  }
  for (const folder of folders) {
    const rel = folder === '/' ? '/' : folder;
    const expected = [...model].filter(([p]) => p.startsWith(rel)).reduce((n, [, s]) => n + s, 0);
    expect(after.get(folder)!.size, `oc:size of ${folder}`).toBe(expected);
  }
}

beforeAll(async () => {
  alice = await makeUser('alice');
  for (const f of ['/a', '/a/b', '/a/b/c', '/a/sib', '/a/b/sib2', '/other']) await alice.mkcol(f);
  for (const [p, body] of [['/a/sib/s.txt', 'sibling'], ['/a/b/sib2/t.txt', 'sib2'], ['/a/b/c/old.txt', 'old!']]) {
    await alice.put(p, body);
    model.set(p, body.length);
  }
});

const CHAIN = ['/', '/a/', '/a/b/', '/a/b/c/'];

describe('ETag and size propagation', () => {
  it('PUT of a new file deep down: every ancestor changes, siblings do not', async () => {
    await expectPropagation(() => alice.put('/a/b/c/f.txt', '0123456789'), 201, CHAIN, () => model.set('/a/b/c/f.txt', 10));
  });

  it('PUT replacing a file: the file and every ancestor change; sizes grow by the difference', async () => {
    await expectPropagation(() => alice.put('/a/b/c/f.txt', 'x'.repeat(25)), 204, [...CHAIN, '/a/b/c/f.txt'], () => model.set('/a/b/c/f.txt', 25));
  });

  it('MKCOL deep down: every ancestor changes, sizes stay', async () => {
    await expectPropagation(() => alice.mkcol('/a/b/c/new'), 201, CHAIN, () => folders.push('/a/b/c/new/'));
  });

  it('COPY into a deeper folder: the destination chain changes, the source file does not', async () => {
    await expectPropagation(() => alice.copy('/a/b/c/f.txt', '/a/b/c/new/g.txt'), 201, [...CHAIN, '/a/b/c/new/'],
      () => model.set('/a/b/c/new/g.txt', 25));
  });

  it('MOVE across branches: both ancestor chains change, the moved file keeps its ETag', async () => {
    const etag = (await state()).get('/a/b/c/new/g.txt')!.etag;
    await expectPropagation(() => alice.move('/a/b/c/new/g.txt', '/other/g.txt'), 201, [...CHAIN, '/a/b/c/new/', '/other/'], () => {
      model.delete('/a/b/c/new/g.txt');
      model.set('/other/g.txt', 25);
    });
    expect((await state()).get('/other/g.txt')!.etag).toBe(etag);
  });

  it('MOVE of a folder: both chains change and sizes move with it', async () => {
    await alice.put('/a/b/c/new/h.txt', 'hhh');
    model.set('/a/b/c/new/h.txt', 3);
    await expectPropagation(() => alice.move('/a/b/c/new', '/other/new'), 201, [...CHAIN, '/other/'], () => {
      folders.splice(folders.indexOf('/a/b/c/new/'), 1, '/other/new/');
      model.delete('/a/b/c/new/h.txt');
      model.set('/other/new/h.txt', 3);
    });
  });

  it('MOVE overwriting a file: the replaced size leaves, the moved one arrives', async () => {
    await expectPropagation(() => alice.move('/a/b/c/old.txt', '/a/sib/s.txt'), 204, [...CHAIN, '/a/sib/', '/a/sib/s.txt'], () => {
      model.delete('/a/b/c/old.txt');
      model.set('/a/sib/s.txt', 4);
    });
  });

  it('DELETE deep down: every ancestor changes, sizes shrink', async () => {
    await expectPropagation(() => alice.del('/a/b/c/f.txt'), 204, CHAIN, () => model.delete('/a/b/c/f.txt'));
  });

  it('DELETE of a folder with content: the whole size leaves every ancestor', async () => {
    await expectPropagation(() => alice.del('/a/b/sib2'), 204, ['/', '/a/', '/a/b/'], () => {
      model.delete('/a/b/sib2/t.txt');
      folders.splice(folders.indexOf('/a/b/sib2/'), 1);
    });
  });

  it('COPY of a folder: the copy\'s sizes are exact and the destination\'s ancestors change', async () => {
    await expectPropagation(() => alice.copy('/other', '/a/b/c/copied'), 201, CHAIN, () => {
      folders.push('/a/b/c/copied/', '/a/b/c/copied/new/');
      model.set('/a/b/c/copied/g.txt', 25);
      model.set('/a/b/c/copied/new/h.txt', 3);
    });
  });

  it('reads (GET, PROPFIND, HEAD, OPTIONS) change no ETag', async () => {
    await expectPropagation(() => alice.get('/other/g.txt'), 200, []);
    await expectPropagation(() => alice.propfind('/a/', null, '1'), 207, []);
    await expectPropagation(() => alice.head('/a/sib/s.txt'), 200, []);
    await expectPropagation(() => alice.options('/'), 200, []);
  });

  it('refused writes (412, 409, 405) change no ETag', async () => {
    await expectPropagation(() => alice.put('/other/g.txt', 'nope', { 'If-Match': '"stale"' }), 412, []);
    await expectPropagation(() => alice.put('/a/b/missing/x.txt', 'nope'), 409, []);
    await expectPropagation(() => alice.mkcol('/a/b/c'), 405, []);
  });
});
