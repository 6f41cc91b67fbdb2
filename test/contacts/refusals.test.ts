import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { makeUser } from '../helpers';
import { davRequest } from '../calendars/dav-helpers';
import { card3, CARD_NS, MKCOL_ADDRESSBOOK, VCARD_TYPE } from './fixtures';

const HOME = '/remote.php/dav/addressbooks/users/tina/';
const BOOK = `${HOME}contacts/`;

async function tinaRows(): Promise<{ books: number; cards: number; changes: number }> {
  return (await env.DB.prepare(
    `SELECT (SELECT COUNT(*) FROM addressbooks WHERE owner = 'tina') AS books,
            (SELECT COUNT(*) FROM cards c JOIN addressbooks a ON a.id = c.addressbook_id WHERE a.owner = 'tina') AS cards,
            (SELECT COUNT(*) FROM addressbook_changes x JOIN addressbooks a ON a.id = x.addressbook_id WHERE a.owner = 'tina') AS changes`,
  ).first<{ books: number; cards: number; changes: number }>())!;
}

beforeAll(async () => {
  await makeUser('tina');
  await makeUser('mallory');
  expect((await davRequest('tina', 'PUT', `${BOOK}t.vcf`, { headers: VCARD_TYPE, body: card3('t', 'Tina Card') })).status).toBe(201);
});

describe('who may do this', () => {
  it('another user → 403 on every method, on the home, the address book and a card; nothing changes', async () => {
    const before = await tinaRows();
    const bodies: Record<string, string | null> = {
      PROPFIND: null, GET: null, DELETE: null, OPTIONS: null,
      PUT: card3('m', 'Mallory'), MKCOL: MKCOL_ADDRESSBOOK('Evil'),
      REPORT: `<d:sync-collection ${CARD_NS}><d:sync-token/><d:prop><d:getetag/></d:prop></d:sync-collection>`,
      PROPPATCH: `<d:propertyupdate ${CARD_NS}><d:set><d:prop><d:displayname>Owned</d:displayname></d:prop></d:set></d:propertyupdate>`,
    };
    for (const path of [HOME, BOOK, `${BOOK}t.vcf`, `${HOME}evil/`]) {
      for (const [method, body] of Object.entries(bodies)) {
        const res = await davRequest('mallory', method, path, { body, headers: method === 'PUT' ? VCARD_TYPE : {} });
        expect(res.status, `${method} ${path}`).toBe(403);
      }
    }
    expect(await tinaRows()).toEqual(before);
  });

  it('unauthenticated → 401 with the Basic challenge; a wrong password → 401', async () => {
    for (const method of ['PROPFIND', 'GET', 'PUT', 'REPORT']) {
      const res = await davRequest(null, method, BOOK);
      expect(res.status, method).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toContain('Basic');
    }
    const wrong = await davRequest(null, 'PROPFIND', HOME, { headers: { Authorization: 'Basic ' + btoa('tina:wrong') } });
    expect(wrong.status).toBe(401);
  });
});

describe('bad input → 4xx, never 500, nothing stored', () => {
  it('malformed XML bodies on PROPFIND, PROPPATCH, REPORT and MKCOL → 400', async () => {
    const before = await tinaRows();
    for (const method of ['PROPFIND', 'PROPPATCH', 'REPORT', 'MKCOL']) {
      const res = await davRequest('tina', method, method === 'MKCOL' ? `${HOME}broken/` : BOOK, { body: '<d:prop xmlns:d="DAV:"><unclosed>' });
      expect(res.status, method).toBe(400);
    }
    expect(await tinaRows()).toEqual(before);
  });

  it('a REPORT the address book does not know → 403 supported-report; a calendar-query on it too', async () => {
    const res = await davRequest('tina', 'REPORT', BOOK, { body: '<x:unknown-report xmlns:x="urn:x"/>' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('supported-report');
    const cal = await davRequest('tina', 'REPORT', BOOK, { body: '<c:calendar-query xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:d="DAV:"><d:prop/></c:calendar-query>' });
    expect(cal.status).toBe(403);
  });

  it('LOCK, COPY and MOVE are refused on cards; a PUT with a broken body never stores anything', async () => {
    const before = await tinaRows();
    expect((await davRequest('tina', 'COPY', `${BOOK}t.vcf`, { headers: { Destination: `${BOOK}copy.vcf` } })).status).toBe(403);
    expect((await davRequest('tina', 'MOVE', `${BOOK}t.vcf`, { headers: { Destination: `${BOOK}moved.vcf` } })).status).toBe(403);
    const lock = await davRequest('tina', 'LOCK', `${BOOK}t.vcf`, {
      body: '<d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>',
    });
    // CardDAV clients synchronise by ETag; address books keep no WebDAV locks.
    expect(lock.status).toBe(405);
    for (const body of ['', 'BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n', 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:x\r\nFN:x\r\nBDAY:\r\n']) {
      const res = await davRequest('tina', 'PUT', `${BOOK}broken.vcf`, { headers: VCARD_TYPE, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await tinaRows()).toEqual(before);
  });
});
