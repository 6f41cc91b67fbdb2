/**
 * Harness check, not part of `npm test`: proves the CalDAV/CardDAV client drivers
 * (test/e2e/clients/vdirsyncer.mjs, python-caldav.py/.mjs) against the reference servers
 * Radicale and Xandikos (test/support/caldav-servers.mjs), so that a failure of the e2e tests
 * against Cumulus is Cumulus's and not the harness's. It tests no Cumulus code, hence it lives
 * here and not under test/e2e/. Run: `npx node --test test/support/caldav-clients-reference.mjs`.
 *
 * Also checks the python-caldav path Cumulus needs: through a proxy that answers MKCALENDAR with
 * 501 as workerd does, `create --method auto` falls back to extended MKCOL.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installed } from '../e2e/clients/run.mjs';
import { pythonCaldavFor, pythonCaldavInstalled } from '../e2e/clients/python-caldav.mjs';
import { actionCount, sampleContacts, sampleEvents, vdirsyncerFor } from '../e2e/clients/vdirsyncer.mjs';
import { referenceInstalled, startRadicale, startXandikos } from './caldav-servers.mjs';
import { findFreePort, strongPassword } from './server.mjs';

const TIMEOUT = 5 * 60_000;

/** The occurrences the scenario's sample events have in June 2025 (see python-caldav.py). */
const JUNE_OCCURRENCES = [
  ['pycaldav-weekly', '2025-06-02T07:30:00Z', '2025-06-02T08:00:00Z', '2025-06-02T07:30:00Z'],
  ['pycaldav-daily', '2025-06-05T08:00:00Z', '2025-06-05T09:00:00Z', '2025-06-05T08:00:00Z'],
  ['pycaldav-daily', '2025-06-06T08:00:00Z', '2025-06-06T09:00:00Z', '2025-06-06T08:00:00Z'],
  ['pycaldav-daily', '2025-06-07T08:00:00Z', '2025-06-07T09:00:00Z', '2025-06-07T08:00:00Z'],
  ['pycaldav-weekly', '2025-06-09T07:30:00Z', '2025-06-09T08:00:00Z', '2025-06-09T07:30:00Z'],
  ['pycaldav-single', '2025-06-10T07:00:00Z', '2025-06-10T08:00:00Z', null],
  ['pycaldav-weekly', '2025-06-24T09:00:00Z', '2025-06-24T09:30:00Z', '2025-06-23T07:30:00Z'],
  ['pycaldav-weekly', '2025-06-30T07:30:00Z', '2025-06-30T08:00:00Z', '2025-06-30T07:30:00Z'],
];
const brief = (occurrences) => occurrences.map((o) => [o.uid, o.start, o.end, o.recurrence_id]);

/** A loopback proxy to `target` that answers MKCALENDAR with 501, as workerd does. */
async function workerdLikeProxy(target) {
  const port = await findFreePort();
  const server = http.createServer((req, res) => {
    if (req.method === 'MKCALENDAR') {
      res.writeHead(501, { 'Content-Type': 'text/plain' }).end('Not Implemented');
      req.resume();
      return;
    }
    const upstream = http.request(new URL(req.url, target), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => res.destroy(err));
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** vdirsyncer both ways: up, a no-op second sync, server edits and deletions back, a local edit up. */
async function vdirsyncerRoundTrip(server, work) {
  const v = await vdirsyncerFor({ url: server.url, user: server.user, password: server.password, workDir: work });
  const events = sampleEvents({ count: 40, recurring: 9 });
  const contacts = sampleContacts({ count: 20 });
  for (const e of events) await v.writeLocal('caldav', 'e2e-calendar', e.file, e.text);
  for (const c of contacts) await v.writeLocal('carddav', 'e2e-contacts', c.file, c.text);

  const discovered = await v.discover();
  assert.equal(discovered.code, 0, discovered.output);
  const first = await v.sync();
  assert.equal(first.code, 0, first.output);
  assert.equal(first.actions.toServer.created.length, events.length + contacts.length, first.output);
  assert.deepEqual(await v.compare('caldav', 'e2e-calendar'), { onlyLocal: [], onlyServer: [], differ: [] });
  assert.deepEqual(await v.compare('carddav', 'e2e-contacts'), { onlyLocal: [], onlyServer: [], differ: [] });

  const second = await v.sync();
  assert.equal(second.code, 0, second.output);
  assert.equal(actionCount(second.actions), 0, second.output);

  // Edits and deletions made on the server (plain HTTP, as another client would) come back.
  const items = await v.serverItems('caldav', 'e2e-calendar');
  const calendarUrl = (await v.serverCollections('caldav'))['e2e-calendar'];
  const auth = `Basic ${Buffer.from(`${server.user}:${server.password}`).toString('base64')}`;
  const edited = items.get(events[3].uid);
  const gone = items.get(events[4].uid);
  const put = await fetch(new URL(edited.href, calendarUrl), {
    method: 'PUT',
    headers: { Authorization: auth, 'Content-Type': 'text/calendar; charset=utf-8', 'If-Match': edited.etag },
    body: edited.text.replace('SUMMARY:Event 3', 'SUMMARY:Event 3 (edited on the server)'),
  });
  assert.ok([200, 201, 204].includes(put.status), `PUT ${put.status}`);
  const del = await fetch(new URL(gone.href, calendarUrl), { method: 'DELETE', headers: { Authorization: auth } });
  assert.ok([200, 204].includes(del.status), `DELETE ${del.status}`);
  const back = await v.sync('caldav');
  assert.equal(back.code, 0, back.output);
  assert.deepEqual(back.actions.toLocal, { created: [], updated: [events[3].uid], deleted: [events[4].uid] });
  const local = await v.localItems('caldav', 'e2e-calendar');
  assert.match(local.get(events[3].uid).text, /SUMMARY:Event 3 \(edited on the server\)/);
  assert.equal(local.has(events[4].uid), false);

  // A local edit goes up.
  await v.writeLocal('caldav', 'e2e-calendar', events[5].file, events[5].text.replace('SUMMARY:Event 5', 'SUMMARY:Event 5 (edited here)'));
  const up = await v.sync('caldav');
  assert.equal(up.code, 0, up.output);
  assert.deepEqual(up.actions.toServer, { created: [], updated: [events[5].uid], deleted: [] });
  assert.deepEqual(await v.compare('caldav', 'e2e-calendar'), { onlyLocal: [], onlyServer: [], differ: [] });
  assert.equal(actionCount((await v.sync()).actions), 0);
}

for (const [name, start] of [['radicale', startRadicale], ['xandikos', startXandikos]]) {
  describe(`client drivers against ${name}`, { skip: !referenceInstalled(name) && `${name} is not installed (apt-get install -y ${name})` }, () => {
    let server;
    let work;
    before(async () => {
      server = await start({ user: 'alice', password: strongPassword() });
      work = await mkdtemp(path.join(os.tmpdir(), `cumulus-${name}-clients-`));
    });
    after(async () => {
      await server?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('python-caldav discovers the principal and the calendar home from the root URL', { skip: !pythonCaldavInstalled() && 'python3-caldav is not installed', timeout: TIMEOUT }, async () => {
      const caldav = pythonCaldavFor(server);
      const found = await caldav('discover');
      assert.equal(found.principal, server.principalUrl);
      assert.equal(found.calendar_home, server.calendarHomeUrl);
    });

    if (name === 'radicale') {
      it('python-caldav scenario: MKCALENDAR, save, expanded search, sync by token', { skip: !pythonCaldavInstalled() && 'python3-caldav is not installed', timeout: TIMEOUT }, async () => {
        const out = await pythonCaldavFor(server)('scenario', '--id', 'scenario');
        assert.equal(out.create.method, 'MKCALENDAR');
        assert.equal(out.create.url, `${server.calendarHomeUrl}scenario/`);
        assert.deepEqual(out.discover_after.calendars.map((c) => c.url), [out.create.url]);
        assert.deepEqual(brief(out.search.occurrences), JUNE_OCCURRENCES);
        // Radicale 3.1.8 ignores CALDAV:expand; python-caldav expands on the client then.
        assert.equal(out.search.server_expanded, false);
        assert.deepEqual(out.sync_initial.objects.map((o) => o.uid), ['pycaldav-daily', 'pycaldav-single', 'pycaldav-weekly']);
        const changed = Object.fromEntries(out.sync_after_changes.objects.map((o) => [o.url, o.deleted]));
        assert.deepEqual(changed, { [out.changes.deleted]: true, [out.changes.added]: false, [out.changes.edited]: false });
        assert.notEqual(out.sync_after_changes.token, out.sync_initial.token);
      });

      it('python-caldav falls back to extended MKCOL where MKCALENDAR gets 501 (as from workerd)', { skip: !pythonCaldavInstalled() && 'python3-caldav is not installed', timeout: TIMEOUT }, async () => {
        const proxy = await workerdLikeProxy(server.url);
        try {
          const caldav = pythonCaldavFor({ ...server, url: proxy.url });
          await assert.rejects(caldav('create', '--id', 'strict', '--method', 'mkcalendar'), /MkcalendarError/);
          const made = await caldav('create', '--id', 'via-mkcol', '--name', 'Via MKCOL');
          assert.equal(made.method, 'MKCOL');
          assert.match(made.mkcalendar_error, /^501/);
          const found = await caldav('discover');
          assert.deepEqual(found.calendars.find((c) => c.url === made.url), { url: `${proxy.url}alice/via-mkcol/`, name: 'Via MKCOL' });
          await caldav('save', '--calendar', made.url, '--samples');
          const search = await caldav('search', '--calendar', made.url, '--start', '2025-06-01T00:00:00Z', '--end', '2025-07-01T00:00:00Z');
          assert.deepEqual(brief(search.occurrences), JUNE_OCCURRENCES);
        } finally {
          await proxy.close();
        }
      });
    } else {
      it('python-caldav: create, save, server-expanded search, sync by token (no EXDATE: Xandikos 0.2.8 fails on it)', { skip: !pythonCaldavInstalled() && 'python3-caldav is not installed', timeout: TIMEOUT }, async () => {
        const caldav = pythonCaldavFor(server);
        const made = await caldav('create', '--id', 'pc', '--method', 'mkcol');
        assert.equal(made.method, 'MKCOL');
        const file = path.join(work, 'daily.ics');
        const { writeFile } = await import('node:fs/promises');
        await writeFile(file, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x-daily\r\nDTSTAMP:20250101T000000Z\r\n' +
          'DTSTART:20250629T080000Z\r\nDTEND:20250629T090000Z\r\nRRULE:FREQ=DAILY;COUNT=4\r\nSUMMARY:Daily\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
        const saved = await caldav('save', '--calendar', made.url, file);
        assert.deepEqual(saved.map((s) => s.uid), ['x-daily']);
        const initial = await caldav('sync', '--calendar', made.url);
        assert.deepEqual(initial.objects.map((o) => o.uid), ['x-daily']);
        const search = await caldav('search', '--calendar', made.url, '--start', '2025-06-01T00:00:00Z', '--end', '2025-07-01T00:00:00Z');
        assert.equal(search.server_expanded, true);
        // Xandikos 0.2.8 expands with the UTC "Z" dropped and every instance keeping the master's
        // DTEND: the driver reports what came, so only the instances' starts are checked here.
        assert.deepEqual(search.occurrences.map((o) => [o.uid, o.start.replace(/Z$/, ''), o.recurrence_id.replace(/Z$/, '')]), [
          ['x-daily', '2025-06-29T08:00:00', '2025-06-29T08:00:00'],
          ['x-daily', '2025-06-30T08:00:00', '2025-06-30T08:00:00'],
        ]);
        const none = await caldav('sync', '--calendar', made.url, '--token', initial.token);
        assert.deepEqual(none.objects, []);
      });
    }

    it('vdirsyncer syncs events and contacts both ways with a filesystem store', { skip: !installed('vdirsyncer') && 'vdirsyncer is not installed', timeout: TIMEOUT }, async () => {
      await vdirsyncerRoundTrip(server, path.join(work, 'vdirsyncer'));
    });
  });
}
