/**
 * A published calendar never shows what its owner classified as private, and shows confidential
 * events only as "Busy" (as Nextcloud does) — through every path an anonymous reader has: PROPFIND
 * listing and calendar-data, GET, calendar-query (whose filters must not match hidden text),
 * sync-collection and ?export.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../helpers';
import { davRequest, responsesOf } from './dav-helpers';

const CAL = '/remote.php/dav/calendars/priya/personal/';
const PUT_HEADERS = { 'Content-Type': 'text/calendar; charset=utf-8' };
const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const NS = 'xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"';

function event(uid: string, klass: string | null, extra = '') {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20250101T000000Z',
    'DTSTART:20250610T090000Z', 'DTEND:20250610T100000Z', `SUMMARY:Secret summary of ${uid}`, `DESCRIPTION:hidden-words-${uid}`,
    'LOCATION:Room 42', ...(klass ? [`CLASS:${klass}`] : []), ...(extra ? [extra] : []),
    'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:alarm-text', 'TRIGGER:-PT10M', 'END:VALARM',
    'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}

let base = '';
const anon = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest(null, method, path, init);

beforeAll(async () => {
  await makeUser('priya');
  for (const [uid, klass] of [['open', null], ['private', 'PRIVATE'], ['confidential', 'CONFIDENTIAL']] as const) {
    expect((await davRequest('priya', 'PUT', `${CAL}${uid}.ics`, { headers: PUT_HEADERS, body: event(uid, klass) })).status).toBe(201);
  }
  const published = await davRequest('priya', 'POST', CAL, { headers: XML, body: '<cs:publish-calendar xmlns:cs="http://calendarserver.org/ns/"/>' });
  expect(published.status).toBe(202);
  const props = await davRequest('priya', 'PROPFIND', CAL, { headers: { Depth: '0', ...XML }, body: `<d:propfind ${NS} xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:publish-url/></d:prop></d:propfind>` });
  base = new URL(/<d:href>([^<]*public-calendars[^<]*)<\/d:href>/.exec(await props.text())![1]).pathname.replace(/\/?$/, '/');
});

describe('what a published calendar shows (CLASS, RFC 5545 §3.8.1.3)', () => {
  it('PROPFIND Depth 1 lists the public and the confidential event, not the private one', async () => {
    const res = await anon('PROPFIND', base, { headers: { Depth: '1', ...XML }, body: `<d:propfind ${NS}><d:prop><d:getetag/><cal:calendar-data/></d:prop></d:propfind>` });
    expect(res.status).toBe(207);
    const xml = await res.text();
    const hrefs = [...responsesOf(xml).keys()].map((h) => h.slice(base.length)).filter(Boolean).sort();
    expect(hrefs).toEqual(['confidential.ics', 'open.ics']);
    expect(xml).not.toContain('hidden-words-confidential');
    expect(xml).not.toContain('Secret summary of confidential');
    expect(xml).toContain('hidden-words-open');
  });

  it('GET: the private event is 404, the confidential one keeps its times and says Busy, nothing else', async () => {
    expect((await anon('GET', `${base}private.ics`)).status).toBe(404);
    const res = await anon('GET', `${base}confidential.ics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('SUMMARY:Busy');
    expect(text).toContain('DTSTART:20250610T090000Z');
    for (const gone of ['hidden-words', 'Secret summary', 'Room 42', 'VALARM', 'alarm-text']) expect(text).not.toContain(gone);
    expect(res.headers.get('ETag')).not.toBe((await davRequest('priya', 'GET', `${CAL}confidential.ics`)).headers.get('ETag'));
  });

  it('calendar-query filters cannot find hidden text, and time-range queries skip the private event', async () => {
    const query = (filter: string) => anon('REPORT', base, {
      headers: { Depth: '1', ...XML },
      body: `<cal:calendar-query ${NS}><d:prop><d:getetag/></d:prop><cal:filter><cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT">${filter}</cal:comp-filter></cal:comp-filter></cal:filter></cal:calendar-query>`,
    }).then(async (r) => { expect(r.status).toBe(207); return [...responsesOf(await r.text()).keys()].map((h) => h.slice(base.length)).sort(); });
    expect(await query('<cal:prop-filter name="DESCRIPTION"><cal:text-match>hidden-words</cal:text-match></cal:prop-filter>')).toEqual(['open.ics']);
    expect(await query('<cal:time-range start="20250601T000000Z" end="20250701T000000Z"/>')).toEqual(['confidential.ics', 'open.ics']);
  });

  it('sync-collection and ?export show the same', async () => {
    const sync = await anon('REPORT', base, { headers: { Depth: '0', ...XML }, body: `<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>` });
    expect(sync.status).toBe(207);
    expect([...responsesOf(await sync.text()).keys()].map((h) => h.slice(base.length)).sort()).toEqual(['confidential.ics', 'open.ics']);
    const exported = await (await anon('GET', `${base}?export`)).text();
    expect(exported).toContain('UID:open');
    expect(exported).toContain('UID:confidential');
    expect(exported).not.toContain('UID:private');
    expect(exported).not.toContain('hidden-words-confidential');
  });

  it('an event made private after a sync reads as removed to the public reader', async () => {
    const first = await anon('REPORT', base, { headers: { Depth: '0', ...XML }, body: `<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>` });
    const token = /<d:sync-token>([^<]*)<\/d:sync-token>\s*<\/d:multistatus>/.exec(await first.text())![1];
    const current = await davRequest('priya', 'GET', `${CAL}open.ics`);
    expect((await davRequest('priya', 'PUT', `${CAL}open.ics`, { headers: { ...PUT_HEADERS, 'If-Match': current.headers.get('ETag')! }, body: event('open', 'PRIVATE') })).status).toBe(204);
    const next = await anon('REPORT', base, { headers: { Depth: '0', ...XML }, body: `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>` });
    const blocks = responsesOf(await next.text());
    expect([...blocks.keys()].map((h) => h.slice(base.length))).toEqual(['open.ics']);
    expect([...blocks.values()][0]).toContain('404');
  });
});
