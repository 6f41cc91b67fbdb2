/**
 * The CalDAV bench (issue #5), for any CalDAV server given a URL, a user and a password:
 *   - finds the calendar home (current-user-principal → calendar-home-set, from the URL given:
 *     the server root, a principal or the home itself) and there, once, calendars
 *     `cumulus-bench-100/` and `cumulus-bench-10000/` of deterministic events spread over 2025,
 *     10 % recurring (weekly, weekly BYDAY, daily; COUNT or UNTIL; some with EXDATE, some with an
 *     overridden instance), Europe/Berlin times with VTIMEZONE, some UTC, some all-day; created
 *     with MKCALENDAR or, where that is refused (workerd answers 501), extended MKCOL (RFC 5689),
 *     filled with PUTs 8 at a time and reused on the next run when every event is there (the
 *     Radicale and Xandikos the bench starts itself get them written into their storage instead:
 *     their PUT is O(n) in the calendar's size, see ensureBenchCalendar);
 *   - calendar-query with a one-month time-range (June 2025) on the 10,000-event calendar, as
 *     DAVx5 and Nextcloud clients ask it: getetag only (the headline figure) and, second, with
 *     calendar-data; median of BENCH_RUNS (≥ 20) after one warm-up; the hrefs must be exactly the
 *     events the bench knows to fall in the window (recurrences expanded here from the same data);
 *   - sync-collection (RFC 6578) after one change: one PUT edits one event, then the REPORT from
 *     the previous token is timed (not the PUT); median at 100 and at 10,000 events. The report
 *     must name the edited event.
 * Plain HTTP/1.1 with a keep-alive agent (caldav-client.mjs; the events: caldav-events.mjs); every
 * loop bounded; every request times out.
 * A wrong answer fails the measurement (exit code 1); for the reference servers of the own-server
 * section it is shown with its time and marked INCORRECT instead.
 * Tunables (env): BENCH_RUNS (21), BENCH_CALDAV_SIZES ("100,10000"; the query runs on the largest),
 * BENCH_CALDAV_TARGETS ("cumulus,radicale,xandikos": the own-server section's servers).
 */
import process from 'node:process';
import { CALDAV, XML, calendarExists, caldavHttp, discoverCalendarHome, ensureCalendar, expect, listMembers, memberName, parseMultistatusTree } from './caldav-client.mjs';
import { WINDOW, benchEvents, eventsInWindow } from './caldav-events.mjs';
import { referenceInstalled, referencePackages, referenceVersion, startReferenceServer } from '../support/caldav-servers.mjs';
import { startServer } from '../support/server.mjs';

const RUNS = Math.max(20, Number(process.env.BENCH_RUNS ?? 21));
export const CALDAV_SIZES = (process.env.BENCH_CALDAV_SIZES ?? '100,10000').split(',').map(Number);
const LOAD_CONCURRENCY = 8;
const DAV = 'DAV:';

/** Runs `fn(i)` for i in [0, n) with at most `limit` in flight. */
async function pool(n, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Measurements

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (times) => `min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, ${times.length} runs`;

async function timed(fn) {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

/**
 * Creates the calendar if needed and PUTs the events it lacks (LOAD_CONCURRENCY at a time);
 * resolves { created: 'existing'|'MKCALENDAR'|'MKCOL'|'seeded', loaded, seconds }. With `seed`
 * (own reference servers only) a calendar that does not exist yet is written into the server's
 * storage instead: Radicale's and Xandikos's PUT cost O(n) in the calendar's size (Radicale reads
 * every item to check the UID, Xandikos commits the whole tree), about an hour for 10,000 here.
 */
async function ensureBenchCalendar(client, url, events, progress, seed) {
  const t0 = performance.now();
  const displayName = `Cumulus bench, ${events.length} events`;
  if (seed && !(await calendarExists(client, url))) {
    progress(`seeding ${events.length} events into the storage behind ${url}`);
    await seed(memberName(url), displayName, events.map((e) => ({ name: e.name, text: e.ics() })));
    await checkMembers(client, url, events);
    return { created: 'seeded', loaded: events.length, seconds: (performance.now() - t0) / 1000 };
  }
  const created = await ensureCalendar(client, url, displayName);
  const present = created === 'existing' ? await listMembers(client, url) : new Set();
  const missing = events.filter((e) => !present.has(e.name));
  if (missing.length) {
    progress(`PUT ${missing.length} events into ${url} (${LOAD_CONCURRENCY} at a time)`);
    let done = 0;
    await pool(missing.length, LOAD_CONCURRENCY, async (k) => {
      const e = missing[k];
      await expect(`PUT ${e.name}`, client.request('PUT', `${url}${e.name}`, {
        body: e.ics(),
        headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'If-None-Match': '*' },
      }), [201, 204]);
      if (++done % 1000 === 0) progress(`  ${done} / ${missing.length}`);
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  await checkMembers(client, url, events);
  return { created, loaded: missing.length, seconds };
}

async function checkMembers(client, url, events) {
  const members = await listMembers(client, url);
  const absent = events.filter((e) => !members.has(e.name));
  if (absent.length) throw new Error(`${url}: ${absent.length} of ${events.length} events missing after loading (e.g. ${absent[0].name})`);
}

function calendarQueryBody(withData) {
  return `<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="${CALDAV}">
  <d:prop><d:getetag/>${withData ? '<c:calendar-data/>' : ''}</d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
    <c:time-range start="${WINDOW.start}" end="${WINDOW.end}"/>
  </c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>`;
}

/**
 * calendar-query REPORTs (Depth 1), run 0 a warm-up. Every answer is compared with the events
 * known to fall in the window; `wrong` describes the first answer that differs (else null).
 */
async function measureQuery(client, url, events, withData) {
  const expected = eventsInWindow(events, WINDOW);
  const recurring = new Set(events.filter((e) => e.recurring).map((e) => e.name));
  const body = calendarQueryBody(withData);
  const times = [];
  let wrong = null;
  let hits = 0;
  for (let run = 0; run <= RUNS; run++) {
    const { ms, result } = await timed(() => expect(`calendar-query ${url}`, client.request('REPORT', url, { body, headers: { ...XML, Depth: '1' } }), [207]));
    if (run > 0) times.push(ms);
    const { responses } = parseMultistatusTree(result.body);
    const names = new Set(responses.map((r) => memberName(r.href)));
    hits = names.size;
    if (withData && responses.some((r) => !r.props[`{${CALDAV}}calendar-data`]?.text.includes('BEGIN:VCALENDAR'))) {
      throw new Error('calendar-query: a response lacks calendar-data');
    }
    const missing = [...expected].filter((n) => !names.has(n));
    const extra = [...names].filter((n) => !expected.has(n));
    if (!wrong && (missing.length || extra.length)) {
      const series = (list) => list.filter((n) => recurring.has(n)).length;
      wrong = `${names.size} events instead of ${expected.size} (run ${run}): ${missing.length} missing (${series(missing)} recurring), ` +
        `${extra.length} extra (${series(extra)} recurring)${missing.length ? `, e.g. ${missing[0]}` : ''}`;
    }
  }
  return { median: median(times), times, hits, expected: expected.size, wrong };
}

/** The collection's current sync token: DAV:sync-token by PROPFIND, else an initial sync-collection. */
async function currentSyncToken(client, url) {
  const res = await expect(`PROPFIND sync-token ${url}`, client.request('PROPFIND', url, {
    body: `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:sync-token/></d:prop></d:propfind>`,
    headers: { ...XML, Depth: '0' },
  }), [207]);
  const token = parseMultistatusTree(res.body).responses[0]?.props[`{${DAV}}sync-token`]?.text.trim();
  if (token) return token;
  return (await syncCollection(client, url, '')).syncToken;
}

async function syncCollection(client, url, token) {
  const body = `<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
  // RFC 6578 §3.2: Depth 0; the scope is sync-level.
  const res = await expect(`sync-collection ${url}`, client.request('REPORT', url, { body, headers: { ...XML, Depth: '0' } }), [207]);
  const parsed = parseMultistatusTree(res.body);
  if (!parsed.syncToken) throw new Error(`sync-collection ${url}: no sync-token in the answer`);
  return parsed;
}

/**
 * Per run: PUT an edit of one single (non-recurring) event, then time sync-collection from the
 * previous token; the answer must list that event. Run 0 is a warm-up.
 */
async function measureSync(client, url, events) {
  const singles = events.filter((e) => !e.recurring);
  let token = await currentSyncToken(client, url);
  const times = [];
  const reported = [];
  const stamp = Date.now();
  for (let run = 0; run <= RUNS; run++) {
    const e = singles[(run * 37) % singles.length];
    await expect(`PUT ${e.name}`, client.request('PUT', `${url}${e.name}`, { body: e.ics(`${stamp}-${run}`), headers: { 'Content-Type': 'text/calendar; charset=utf-8' } }), [200, 201, 204]);
    const { ms, result } = await timed(() => syncCollection(client, url, token));
    const names = result.responses.map((r) => memberName(r.href));
    if (!names.includes(e.name)) throw new Error(`sync-collection after editing ${e.name} reported ${names.slice(0, 5).join(', ') || 'nothing'}`);
    if (run > 0) {
      times.push(ms);
      reported.push(result.responses.length);
    }
    token = result.syncToken;
  }
  return { median: median(times), times, reported: Math.max(...reported) };
}

/**
 * Measures one CalDAV server: `url` is its root, a principal or the calendar home. Adds rows to
 * the caller's table through `t.row` / `t.step` (bench.mjs's), under `section`; resolves
 * { query, queryWithData, sync: { [size]: ms } } (null where a step failed).
 * @param {{ url: string, user: string, password: string, section: string }} target
 * @param {{ row: Function, step: Function, progress: Function }} t
 */
export async function benchCaldav({ url, user, password, section, strict = true, seed = null }, t) {
  const client = caldavHttp(user, password);
  const out = { query: null, queryWithData: null, queryWrong: null, sync: {} };
  try {
    const home = await t.step(section, 'discover the calendar home', '', () => discoverCalendarHome(client, url));
    if (!home) return out;
    t.progress(`${section}: calendar home ${home}`);
    const sizes = [...new Set(CALDAV_SIZES)].sort((a, b) => a - b);
    const calendars = {};
    for (const size of sizes) {
      const metric = `load ${size} events (PUT, ${LOAD_CONCURRENCY} at a time)`;
      await t.step(section, metric, 'events/s', async () => {
        const events = benchEvents(size);
        const calUrl = `${home}cumulus-bench-${size}/`;
        const r = await ensureBenchCalendar(client, calUrl, events, t.progress, seed);
        if (r.created === 'seeded') {
          t.row(section, `load ${size} events`, null, 'events/s', `not measured: written into the storage directly (its PUT is O(n) in the calendar's size)`);
        } else if (r.loaded) {
          const how = { existing: 'calendar existed', MKCALENDAR: 'calendar made by MKCALENDAR', MKCOL: 'calendar made by extended MKCOL' }[r.created];
          t.row(section, metric, r.loaded / r.seconds, 'events/s', `${r.loaded} PUTs in ${r.seconds.toFixed(1)} s; ${how}`);
        } else {
          t.row(section, metric, null, 'events/s', `reused: all ${size} events present`);
        }
        calendars[size] = { url: calUrl, events };
      });
    }
    const largest = calendars[sizes.at(-1)];
    if (largest) {
      for (const withData of [false, true]) {
        const metric = `calendar-query June 2025, ${largest.events.length} events, ${withData ? 'getetag + calendar-data' : 'getetag only'} (median)`;
        t.progress(`${section}: ${metric}`);
        const r = await t.step(section, metric, 'ms', async () => {
          const m = await measureQuery(client, largest.url, largest.events, withData);
          // A wrong answer fails the target; a reference server's is shown with its time, marked.
          if (!withData) out.queryWrong = m.wrong;
          if (m.wrong && strict) throw new Error(`WRONG ANSWER, ${m.wrong}; median ${m.median.toFixed(1)} ms`);
          t.row(section, metric, m.median, 'ms', `${m.wrong ? `INCORRECT: ${m.wrong}` : `${m.hits} events match, as expected`}; ${spread(m.times)}`);
          return m.median;
        });
        out[withData ? 'queryWithData' : 'query'] = r;
      }
    }
    for (const size of sizes) {
      if (!calendars[size]) continue;
      const metric = `sync-collection after 1 PUT, ${size} events (median)`;
      t.progress(`${section}: ${metric}`);
      out.sync[size] = await t.step(section, metric, 'ms', async () => {
        const m = await measureSync(client, calendars[size].url, calendars[size].events);
        t.row(section, metric, m.median, 'ms', `REPORT only, getetag; ≤ ${m.reported} member(s) reported; ${spread(m.times)}`);
        return m.median;
      });
    }
  } finally {
    client.close();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Own servers: Cumulus and the reference servers, one after the other on the same data

/**
 * bench.mjs's CalDAV section when it starts its own servers: Cumulus (a server of its own; the
 * admin's calendar home) and the Debian packages' Radicale and Xandikos on loopback (from their
 * root URL, so the bench discovers their homes), one at a time, each on fresh storage; a
 * reference server whose package is missing is skipped with a note. Then the comparison rows:
 * the issue's targets (time-range query under 100 ms and faster than both; sync-collection cost
 * the same at 100 and 10,000 events). BENCH_CALDAV_TARGETS ("cumulus,radicale,xandikos") picks.
 */
export async function benchCaldavServers(t) {
  const targets = (process.env.BENCH_CALDAV_TARGETS ?? 'cumulus,radicale,xandikos').split(',').map((s) => s.trim()).filter(Boolean);
  const results = {};
  const labels = {};
  for (const name of targets) {
    if (name === 'cumulus') {
      const section = (labels.cumulus = 'CalDAV: Cumulus');
      t.progress('starting Cumulus for the CalDAV bench');
      await t.step(section, 'start own server', '', async () => {
        const server = await startServer({ name: 'bench-caldav', logLevel: 'warn' });
        try {
          const url = `${server.url}/remote.php/dav/calendars/${encodeURIComponent(server.admin.user)}/`;
          results.cumulus = await benchCaldav({ url, user: server.admin.user, password: server.admin.password, section }, t);
        } finally {
          await server.stop();
        }
      });
    } else if (name in referencePackages) {
      if (!referenceInstalled(name)) {
        t.row(`CalDAV: ${name}`, 'all measurements', null, '', `SKIPPED: ${name} not installed (apt-get install -y ${referencePackages[name]})`);
        continue;
      }
      const section = (labels[name] = `CalDAV: ${referenceVersion(name)}`);
      t.progress(`starting ${name} for the CalDAV bench`);
      await t.step(section, `start ${name}`, '', async () => {
        const server = await startReferenceServer(name);
        try {
          results[name] = await benchCaldav({ url: server.url, user: server.user, password: server.password, section, strict: false, seed: server.seedCalendar }, t);
        } finally {
          await server.stop();
        }
      });
    } else {
      t.row(`CalDAV: ${name}`, 'all measurements', null, '', `unknown target in BENCH_CALDAV_TARGETS (cumulus, radicale, xandikos)`);
    }
  }

  const section = 'CalDAV comparison';
  const ours = results.cumulus;
  if (ours?.query != null) {
    t.row(section, 'Cumulus time-range query, getetag (target < 100 ms)', ours.query, 'ms', ours.query < 100 ? 'target met' : 'TARGET MISSED');
  }
  for (const name of Object.keys(referencePackages)) {
    const ref = results[name];
    if (ours?.query != null && ref?.query != null) {
      const verdict = ref.query > ours.query ? 'Cumulus faster (target)' : 'Cumulus NOT faster';
      t.row(section, `time-range query: ${labels[name].slice(8)} ÷ Cumulus`, ref.query / ours.query, '×', `${verdict}${ref.queryWrong ? `; ${name}'s answer was incorrect` : ''}`);
    }
  }
  const sizes = [...new Set(CALDAV_SIZES)].sort((a, b) => a - b);
  if (sizes.length >= 2) {
    const [small, big] = [sizes[0], sizes.at(-1)];
    for (const [name, r] of Object.entries(results)) {
      if (r?.sync[small] != null && r?.sync[big] != null) {
        t.row(section, `sync-collection ${big} ÷ ${small} events, ${labels[name].slice(8)}`, r.sync[big] / r.sync[small], '×', '≈ 1: cost independent of calendar size');
      }
    }
  }
  return results;
}
