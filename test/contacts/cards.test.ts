import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { makeUser } from '../helpers';
import { davRequest, okPart, propfindBody, responsesOf } from '../calendars/dav-helpers';
import { card3, card4, PHOTO_30, PNG_BASE64, VCARD_TYPE } from './fixtures';

const BOOK = '/remote.php/dav/addressbooks/users/vera/contacts/';
const vera = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('vera', method, BOOK + path, init);

/** Live cards of vera, and the change-log rows and sync token of her default address book. */
async function state(): Promise<{ cards: number; changes: number; synctoken: number }> {
  const row = await env.DB.prepare(
    `SELECT (SELECT COUNT(*) FROM cards c WHERE c.addressbook_id = a.id) AS cards,
            (SELECT COUNT(*) FROM addressbook_changes x WHERE x.addressbook_id = a.id) AS changes, a.synctoken AS synctoken
     FROM addressbooks a WHERE a.owner = 'vera' AND a.uri = 'contacts'`).first<{ cards: number; changes: number; synctoken: number }>();
  return row!;
}

beforeAll(async () => {
  await makeUser('vera');
});

describe('address object resources (RFC 6352 §6.3.2, RFC 9110 §13)', () => {
  it('PUT with If-None-Match: * creates (201 + ETag); GET returns it as text/vcard, byte for byte, with the same ETag', async () => {
    const vcf = card3('card-1', 'Ada Lovelace', 'EMAIL;TYPE=INTERNET:ada@example.org');
    const put = await vera('PUT', 'card-1.vcf', { headers: { ...VCARD_TYPE, 'If-None-Match': '*' }, body: vcf });
    expect(put.status).toBe(201);
    const etag = put.headers.get('ETag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const get = await vera('GET', 'card-1.vcf');
    expect(get.status).toBe(200);
    expect(get.headers.get('Content-Type')).toBe('text/vcard; charset=utf-8');
    expect(get.headers.get('ETag')).toBe(etag);
    expect(await get.text()).toBe(vcf);
  });

  it('every change bumps the sync token and appends one change-log row (one batch)', async () => {
    const before = await state();
    expect((await vera('PUT', 'log.vcf', { headers: VCARD_TYPE, body: card4('log', 'Log One') })).status).toBe(201);
    expect((await vera('PUT', 'log.vcf', { headers: VCARD_TYPE, body: card4('log', 'Log Two') })).status).toBe(204);
    expect((await vera('DELETE', 'log.vcf')).status).toBe(204);
    const after = await state();
    expect(after.synctoken - before.synctoken).toBe(3);
    expect(after.changes - before.changes).toBe(3);
    expect(after.cards).toBe(before.cards);
  });

  it('RFC 9110 §13.1.2: If-None-Match: * on an existing card → 412, unchanged', async () => {
    const before = await state();
    const res = await vera('PUT', 'card-1.vcf', { headers: { ...VCARD_TYPE, 'If-None-Match': '*' }, body: card3('card-1', 'Someone Else') });
    expect(res.status).toBe(412);
    expect(await (await vera('GET', 'card-1.vcf')).text()).toContain('FN:Ada Lovelace');
    expect(await state()).toEqual(before);
  });

  it('RFC 9110 §13.1.1: If-Match with the current ETag updates (204, new ETag); a stale one → 412', async () => {
    const etag = (await vera('GET', 'card-1.vcf')).headers.get('ETag')!;
    const upd = await vera('PUT', 'card-1.vcf', { headers: { ...VCARD_TYPE, 'If-Match': etag }, body: card3('card-1', 'Ada King') });
    expect(upd.status).toBe(204);
    expect(upd.headers.get('ETag')).not.toBe(etag);
    const stale = await vera('PUT', 'card-1.vcf', { headers: { ...VCARD_TYPE, 'If-Match': etag }, body: card3('card-1', 'Ada Stale') });
    expect(stale.status).toBe(412);
    expect(await (await vera('GET', 'card-1.vcf')).text()).toContain('FN:Ada King');
  });

  it('RFC 6352 §6.3.2.1 no-uid-conflict: a second card with the same UID → 403 naming the existing href, nothing stored', async () => {
    const before = await state();
    const res = await vera('PUT', 'other.vcf', { headers: VCARD_TYPE, body: card4('card-1', 'Duplicate') });
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(xml).toContain('no-uid-conflict xmlns:c="urn:ietf:params:xml:ns:carddav"');
    expect(xml).toContain(`<d:href>${BOOK}card-1.vcf</d:href>`);
    expect(await state()).toEqual(before);
  });

  it('RFC 6352 §6.3.2.1 valid-address-data: not a vCard, vCard 2.1, two cards → 400, never stored', async () => {
    const before = await state();
    const bodies = [
      'this is not a vCard',
      'BEGIN:VCARD\r\nVERSION:2.1\r\nUID:old\r\nFN:Old\r\nEND:VCARD\r\n',
      card3('two-a', 'Two A') + card3('two-b', 'Two B'),
      'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n',
    ];
    for (const body of bodies) {
      const res = await vera('PUT', 'junk.vcf', { headers: VCARD_TYPE, body });
      expect(res.status, body).toBe(400);
      expect(await res.text()).toContain('valid-address-data xmlns:c="urn:ietf:params:xml:ns:carddav"');
    }
    expect(await state()).toEqual(before);
  });

  it('RFC 6352 §6.3.2.1 supported-address-data: another media type → 415', async () => {
    const res = await vera('PUT', 'x.vcf', { headers: { 'Content-Type': 'text/calendar' }, body: card3('x-1', 'X') });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain('supported-address-data');
    // Older clients' vCard types are fine.
    expect((await vera('PUT', 'x.vcf', { headers: { 'Content-Type': 'text/x-vcard' }, body: card3('x-1', 'X') })).status).toBe(201);
  });

  it('RFC 6352 §6.3.2.1 max-resource-size: a card over the limit → 403, never stored', async () => {
    const before = await state();
    const big = card3('big', 'Big Photo', `PHOTO;ENCODING=b;TYPE=PNG:${'A'.repeat(1024 * 1024 + 10)}`);
    const res = await vera('PUT', 'big.vcf', { headers: VCARD_TYPE, body: big });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('max-resource-size xmlns:c="urn:ietf:params:xml:ns:carddav"');
    expect(await state()).toEqual(before);
  });

  it('RFC 4918 §9.7.1: a card without UID is stored repaired (a UID added) and the answer carries no ETag', async () => {
    const res = await vera('PUT', 'nouid.vcf', { headers: VCARD_TYPE, body: 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Uid\r\nEND:VCARD\r\n' });
    expect(res.status).toBe(201);
    expect(res.headers.get('ETag')).toBeNull();
    const stored = await (await vera('GET', 'nouid.vcf')).text();
    expect(stored).toMatch(/\r\nUID:[0-9a-f-]{36}\r\n/);
    expect(stored).toContain('FN:No Uid');
  });

  it('contact photos: PHOTO inside the card is kept as sent', async () => {
    const vcf = card3('photo', 'Pic Ture', PHOTO_30);
    expect((await vera('PUT', 'photo.vcf', { headers: VCARD_TYPE, body: vcf })).status).toBe(201);
    const text = await (await vera('GET', 'photo.vcf')).text();
    expect(text).toBe(vcf);
    expect(text).toContain(PNG_BASE64);
  });

  it('RFC 4918 §9.1: PROPFIND Depth 1 lists cards with getetag, getcontenttype, getcontentlength and address-data', async () => {
    const res = await davRequest('vera', 'PROPFIND', BOOK, {
      headers: { Depth: '1' }, body: propfindBody('<d:getetag/><d:getcontenttype/><d:getcontentlength/><card:address-data/>'),
    });
    expect(res.status).toBe(207);
    const all = responsesOf(await res.text());
    const block = okPart(all.get(`${BOOK}card-1.vcf`));
    const body = await (await vera('GET', 'card-1.vcf')).text();
    expect(block).toMatch(/<d:getetag>&quot;[0-9a-f]{32}&quot;<\/d:getetag>/);
    expect(block).toContain('<d:getcontenttype>text/vcard; charset=utf-8</d:getcontenttype>');
    expect(block).toContain(`<d:getcontentlength>${new TextEncoder().encode(body).byteLength}</d:getcontentlength>`);
    expect(block).toContain('FN:Ada King');
    expect(all.has(`${BOOK}photo.vcf`)).toBe(true);
  });

  it('RFC 4918 §9.6: DELETE with a stale If-Match → 412; then DELETE → 204 and GET → 404', async () => {
    expect((await vera('PUT', 'del.vcf', { headers: VCARD_TYPE, body: card3('del', 'Del Me') })).status).toBe(201);
    expect((await vera('DELETE', 'del.vcf', { headers: { 'If-Match': '"0123456789abcdef0123456789abcdef"' } })).status).toBe(412);
    expect((await vera('GET', 'del.vcf')).status).toBe(200);
    expect((await vera('DELETE', 'del.vcf')).status).toBe(204);
    expect((await vera('GET', 'del.vcf')).status).toBe(404);
    expect((await vera('DELETE', 'del.vcf')).status).toBe(404);
  });

  it('a card outside an address book, or in one that does not exist, is refused', async () => {
    expect((await davRequest('vera', 'PUT', '/remote.php/dav/addressbooks/users/vera/loose.vcf', { headers: VCARD_TYPE, body: card3('loose', 'Loose') })).status).toBe(403);
    expect((await davRequest('vera', 'PUT', '/remote.php/dav/addressbooks/users/vera/nobook/x.vcf', { headers: VCARD_TYPE, body: card3('nb', 'No Book') })).status).toBe(409);
  });
});
