import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { FilesService } from '../../../worker/files/service';
import { TrashService } from '../../../worker/files/trash/service';
import { fileRows, makeUser, type DavClient } from '../../helpers';
import { trashbinOf } from './client';

// Sharing comes later; the trash is built for it: a recipient's delete lands in both trashes as two
// entries for the same rows. These tests drive that through the service API sharing will call.
let olga: DavClient;
let rita: DavClient;
beforeAll(async () => {
  olga = await makeUser('olga');
  rita = await makeUser('rita');
  await olga.mkcol('/team');
});

/** Deletes olga's `path` as if rita deleted it through a share mounted at `Shared/` in her home. */
async function deleteAsRecipient(path: string) {
  const service = new FilesService(env, 'olga', null);
  await service.delete((await service.get(path))!, { deletedBy: 'rita', alsoFor: [{ user: 'rita', originalLocation: `Shared/${path.split('/').pop()}` }] });
}

describe('a recipient\'s delete lands in both trashes (design for sharing)', () => {
  it('both trash bins list the item, each with its own original location; the rows are trashed once', async () => {
    await olga.put('/team/plan.txt', 'plan');
    await deleteAsRecipient('team/plan.txt');
    const owners = await trashbinOf(olga).entry('plan.txt');
    expect(owners.originalLocation).toBe('team/plan.txt');
    const recipients = await trashbinOf(rita).entry('plan.txt');
    expect(recipients.originalLocation).toBe('Shared/plan.txt');
    expect(recipients.fileid).toBe(owners.fileid);
    expect(await (await trashbinOf(rita).get(recipients.name)).text()).toBe('plan');
    expect([...(await fileRows('olga')).keys()].filter((p) => p.startsWith('\u0001trash/'))).toEqual([owners.name].map((n) => `\u0001trash/${n}`));
    expect(await fileRows('rita')).toEqual(new Map());
  });

  it('the recipient deleting it for good only empties the recipient\'s trash', async () => {
    const item = await trashbinOf(rita).entry('plan.txt');
    expect((await trashbinOf(rita).del(item.name)).status).toBe(204);
    expect(await trashbinOf(rita).list()).toEqual([]);
    expect((await trashbinOf(olga).entry('plan.txt')).fileid).toBe(item.fileid);
  });

  it('the owner restoring it takes it out of every trash (a recipient cannot restore yet: 403)', async () => {
    await olga.put('/team/notes.txt', 'notes');
    await deleteAsRecipient('team/notes.txt');
    expect((await trashbinOf(rita).list()).map((i) => i.filename)).toEqual(['notes.txt']);
    expect((await trashbinOf(rita).restore((await trashbinOf(rita).entry('notes.txt')).name)).status).toBe(403);
    expect((await trashbinOf(olga).restore((await trashbinOf(olga).entry('notes.txt')).name)).status).toBe(201);
    expect(await trashbinOf(rita).list()).toEqual([]);
    expect(await (await olga.get('/team/notes.txt')).text()).toBe('notes');
  });

  it('the owner emptying the trash removes the recipient\'s entries with the rows', async () => {
    await olga.put('/team/old.txt', 'old');
    await deleteAsRecipient('team/old.txt');
    await new TrashService(env, 'olga', null).empty();
    expect(await trashbinOf(olga).list()).toEqual([]);
    expect(await trashbinOf(rita).list()).toEqual([]);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM trash_items').first<{ n: number }>())!.n).toBe(0);
  });
});
