import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../helpers';
import { davRequest } from '../calendars/dav-helpers';
import { card3, card4, CARD_NS, PHOTO_30, VCARD_TYPE } from './fixtures';

const HOME = '/remote.php/dav/addressbooks/users/vex/';
const BOOK = `${HOME}contacts/`;
const vex = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('vex', method, path, init);

/** More cards than one streamed page (50), so the export must walk several pages. */
const MANY = 57;
const stored = new Map<string, string>();

beforeAll(async () => {
  await makeUser('vex');
  await makeUser('vexmallory');
  const put = async (name: string, body: string) => {
    const res = await vex('PUT', BOOK + name, { headers: VCARD_TYPE, body });
    expect(res.status, name).toBe(201);
    stored.set(name, body);
  };
  await put('ada.vcf', card3('ada', 'Ada Lovelace', PHOTO_30, 'EMAIL;TYPE=INTERNET:ada@example.org'));
  await put('grace.vcf', card4('grace', 'Grace Hopper', 'TEL;VALUE=uri:tel:+1-555-0100'));
  for (let i = 0; i < MANY; i++) await put(`p${i}.vcf`, card4(`p${i}`, `Person ${i}`));
  await put('gone.vcf', card3('gone', 'Gone Away'));
  expect((await vex('DELETE', BOOK + 'gone.vcf')).status).toBe(204);
  stored.delete('gone.vcf');
  const patch = await vex('PROPPATCH', BOOK, {
    headers: { 'Content-Type': 'application/xml; charset=utf-8' },
    body: `<d:propertyupdate ${CARD_NS}><d:set><d:prop><d:displayname>Büro; Team</d:displayname></d:prop></d:set></d:propertyupdate>`,
  });
  expect(patch.status).toBe(207);
});

/** The cards of an export, split at each END:VCARD line (CRLF kept). */
function cardsOf(text: string): string[] {
  return text.split(/(?<=END:VCARD\r\n)/).filter((c) => c !== '');
}

describe('?export of an address book (SabreDAV VCFExportPlugin, as Nextcloud serves it)', () => {
  it('one text/vcard with every live card exactly as stored, across pages, as an attachment named after the book', async () => {
    const res = await vex('GET', `${BOOK}?export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/vcard; charset=utf-8');
    expect(res.headers.get('Content-Disposition')).toMatch(
      /^attachment; filename\*=UTF-8''B%C3%BCro%3B%20Team-\d{4}-\d{2}-\d{2}\.vcf; filename="B_ro; Team-\d{4}-\d{2}-\d{2}\.vcf"$/);
    const cards = cardsOf(await res.text());
    expect(cards).toHaveLength(MANY + 2);
    // Byte for byte what was PUT (3.0 and 4.0 side by side, the photo inline), the deleted card gone.
    expect([...cards].sort()).toEqual([...stored.values()].sort());
    expect(cards.some((c) => c.includes('UID:gone'))).toBe(false);
    // Each card whole: one BEGIN and one END per piece.
    for (const c of cards) expect(c.match(/BEGIN:VCARD/g)).toHaveLength(1);
  });

  it('without a trailing slash too; HEAD gives the headers without a body', async () => {
    expect(cardsOf(await (await vex('GET', `${HOME}contacts?export`)).text())).toHaveLength(MANY + 2);
    const head = await vex('HEAD', `${BOOK}?export`);
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Disposition')).toMatch(/^attachment; /);
    expect(await head.text()).toBe('');
  });

  it('an empty address book exports as an empty text/vcard', async () => {
    const mk = await vex('MKCOL', `${HOME}empty/`, {
      headers: { 'Content-Type': 'application/xml; charset=utf-8' },
      body: `<?xml version="1.0" encoding="utf-8"?><d:mkcol ${CARD_NS}><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>` +
        '<d:displayname>Empty</d:displayname></d:prop></d:set></d:mkcol>',
    });
    expect(mk.status).toBe(201);
    const res = await vex('GET', `${HOME}empty/?export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Disposition')).toContain('Empty-');
    expect(await res.text()).toBe('');
  });

  it('an unknown address book is 404', async () => {
    expect((await vex('GET', `${HOME}nope/?export`)).status).toBe(404);
  });

  it('only the owner: another user gets 403, an anonymous caller 401', async () => {
    const other = await davRequest('vexmallory', 'GET', `${BOOK}?export`);
    expect(other.status).toBe(403);
    expect(await other.text()).not.toContain('BEGIN:VCARD');
    const anon = await davRequest(null, 'GET', `${BOOK}?export`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
  });

  it('a card inside the book with ?export is the card itself, not an export', async () => {
    const res = await vex('GET', `${BOOK}ada.vcf?export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Disposition') ?? '').not.toContain('Team');
    expect(await res.text()).toBe(stored.get('ada.vcf'));
  });
});
