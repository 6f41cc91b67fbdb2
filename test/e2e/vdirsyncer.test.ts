/**
 * vdirsyncer (Debian) keeps a filesystem store and Cumulus in step, both ways, for a calendar of
 * 200 events (30 recurring, some with an EXDATE and a moved instance) and an address book of 200
 * contacts (vCard 3.0 and 4.0): discovery from the bare server URL, collections created by
 * extended MKCOL, the first sync uploads everything, a second sync changes nothing, edits and
 * deletions made on the server come back, and a local edit goes up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionCount, sampleContacts, sampleEvents, vdirsyncerFor } from './clients/vdirsyncer.mjs';
import { startServer, strongPassword } from '../support/server.mjs';

let server: Awaited<ReturnType<typeof startServer>>;
let work: string;
let account: { user: string; password: string };
let v: Awaited<ReturnType<typeof vdirsyncerFor>>;
const events = sampleEvents({ count: 200, recurring: 30 });
const contacts = sampleContacts({ count: 200 });

beforeAll(async () => {
  server = await startServer({ name: 'vdirsyncer' });
  account = await server.createUser('vera', strongPassword(), { email: 'vera@example.org' });
  work = await mkdtemp(path.join(os.tmpdir(), 'cumulus-vdirsyncer-'));
  v = await vdirsyncerFor({ url: `${server.url}/`, user: account.user, password: account.password, workDir: work });
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const clean = { onlyLocal: [], onlyServer: [], differ: [] };

/** Changes an item on the server with plain HTTP, as another client would. */
async function onServer(kind: 'caldav' | 'carddav', collection: string, uid: string, change: ((text: string) => string) | 'delete') {
  const items = await v.serverItems(kind, collection);
  const url = (await v.serverCollections(kind))[collection];
  const item = items.get(uid);
  const auth = `Basic ${Buffer.from(`${account.user}:${account.password}`).toString('base64')}`;
  const res = change === 'delete'
    ? await fetch(new URL(item.href, url), { method: 'DELETE', headers: { Authorization: auth, 'If-Match': item.etag } })
    : await fetch(new URL(item.href, url), {
      method: 'PUT',
      headers: { Authorization: auth, 'If-Match': item.etag, 'Content-Type': kind === 'caldav' ? 'text/calendar; charset=utf-8' : 'text/vcard; charset=utf-8' },
      body: change(item.text),
    });
  expect([200, 201, 204]).toContain(res.status);
}

describe('vdirsyncer two-way sync', () => {
  it('uploads 200 events and 200 contacts; both sides are then identical', async () => {
    for (const e of events) await v.writeLocal('caldav', 'e2e-calendar', e.file, e.text);
    for (const c of contacts) await v.writeLocal('carddav', 'e2e-contacts', c.file, c.text);
    const discovered = await v.discover();
    expect(discovered.code, discovered.output).toBe(0);
    const first = await v.sync();
    expect(first.code, first.output).toBe(0);
    expect(first.actions.toServer.created).toHaveLength(400);
    expect(await v.compare('caldav', 'e2e-calendar')).toEqual(clean);
    expect(await v.compare('carddav', 'e2e-contacts')).toEqual(clean);
  });

  it('a second sync with no changes changes nothing', async () => {
    const second = await v.sync();
    expect(second.code, second.output).toBe(0);
    expect(actionCount(second.actions)).toBe(0);
  });

  it('edits and deletions made on the server come back', async () => {
    await onServer('caldav', 'e2e-calendar', events[3].uid, (t) => t.replace('SUMMARY:Event 3', 'SUMMARY:Event 3 (edited on the server)'));
    await onServer('caldav', 'e2e-calendar', events[0].uid, 'delete'); // a recurring one with a moved instance
    await onServer('carddav', 'e2e-contacts', contacts[5].uid, (t) => t.replace(/^FN:(.*)$/m, 'FN:$1 (edited on the server)'));
    await onServer('carddav', 'e2e-contacts', contacts[6].uid, 'delete');
    const back = await v.sync();
    expect(back.code, back.output).toBe(0);
    expect(back.actions.toLocal.updated.sort()).toEqual([events[3].uid, contacts[5].uid].sort());
    expect(back.actions.toLocal.deleted.sort()).toEqual([events[0].uid, contacts[6].uid].sort());
    const local = await v.localItems('caldav', 'e2e-calendar');
    expect(local.get(events[3].uid).text).toMatch(/SUMMARY:Event 3 \(edited on the server\)/);
    expect(local.has(events[0].uid)).toBe(false);
    const cards = await v.localItems('carddav', 'e2e-contacts');
    expect(cards.get(contacts[5].uid).text).toMatch(/\(edited on the server\)/);
    expect(cards.has(contacts[6].uid)).toBe(false);
  });

  it('a local edit goes up, and then nothing is left to do', async () => {
    await v.writeLocal('caldav', 'e2e-calendar', events[7].file, events[7].text.replace('SUMMARY:Event 7', 'SUMMARY:Event 7 (edited here)'));
    const up = await v.sync();
    expect(up.code, up.output).toBe(0);
    expect(up.actions.toServer).toEqual({ created: [], updated: [events[7].uid], deleted: [] });
    expect(await v.compare('caldav', 'e2e-calendar')).toEqual(clean);
    expect(await v.compare('carddav', 'e2e-contacts')).toEqual(clean);
    expect(actionCount((await v.sync()).actions)).toBe(0);
  });
});
