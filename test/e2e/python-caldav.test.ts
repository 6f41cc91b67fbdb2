/**
 * python3-caldav (Debian) against Cumulus: discovery from the base URL, calendar creation (its
 * MKCALENDAR gets workerd's 501, so the driver falls back to extended MKCOL, RFC 5689), events
 * saved, an expanded time-range search whose occurrences the server expands (RFC 4791 §9.6.5),
 * and sync by token (RFC 6578) that reports an edit, an addition and a deletion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonCaldavFor } from './clients/python-caldav.mjs';
import { startServer, strongPassword } from '../support/server.mjs';

/** The occurrences of python-caldav.py's sample events in June 2025: [uid, start, end, recurrence-id]. */
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

type Occurrence = { uid: string; start: string; end: string; recurrence_id: string | null };
type SyncObject = { url: string; uid: string; deleted: boolean };

let server: Awaited<ReturnType<typeof startServer>>;
let account: { url: string; user: string; password: string };

beforeAll(async () => {
  server = await startServer({ name: 'python-caldav' });
  const user = await server.createUser('carla', strongPassword(), { email: 'carla@example.org' });
  account = { url: `${server.url}/remote.php/dav/`, user: user.user, password: user.password };
});

afterAll(async () => {
  await server?.stop();
});

describe('python3-caldav', () => {
  it('discovers, creates a calendar, saves events, searches expanded and syncs by token', async () => {
    const out = await pythonCaldavFor(account)('scenario', '--id', 'work');
    // MKCALENDAR cannot reach the Worker (workerd answers 501), extended MKCOL can.
    expect(out.create.method).toBe('MKCOL');
    expect(out.create.mkcalendar_error).toMatch(/^501/);
    expect(out.create.url).toBe(`${server.url}/remote.php/dav/calendars/carla/work/`);
    // The default Personal calendar and the new one, found from the base URL.
    expect(out.discover_after.calendars.map((c: { url: string }) => c.url).sort())
      .toEqual([`${server.url}/remote.php/dav/calendars/carla/personal/`, out.create.url].sort());
    const brief = (out.search.occurrences as Occurrence[]).map((o) => [o.uid, o.start, o.end, o.recurrence_id]);
    expect(brief).toEqual(JUNE_OCCURRENCES);
    expect(out.search.server_expanded).toBe(true);
    expect((out.sync_initial.objects as SyncObject[]).map((o) => o.uid).sort()).toEqual(['pycaldav-daily', 'pycaldav-single', 'pycaldav-weekly']);
    const changed = Object.fromEntries((out.sync_after_changes.objects as SyncObject[]).map((o) => [o.url, o.deleted]));
    expect(changed).toEqual({ [out.changes.deleted]: true, [out.changes.added]: false, [out.changes.edited]: false });
    expect(out.sync_after_changes.token).not.toBe(out.sync_initial.token);
  });
});
