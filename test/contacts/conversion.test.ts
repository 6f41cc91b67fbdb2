import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../helpers';
import { davRequest, okPart, propfindBody, responsesOf } from '../calendars/dav-helpers';
import { card3, card4, CARD_NS, PHOTO_30, PHOTO_40, PNG_BASE64, VCARD_TYPE } from './fixtures';

const BOOK = '/remote.php/dav/addressbooks/users/wes/contacts/';
const wes = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('wes', method, BOOK + path, init);
const V3 = card3('v3', 'Three Person', 'EMAIL;TYPE=INTERNET,WORK:three@example.org', PHOTO_30);
const V4 = card4('v4', 'Four Person', 'EMAIL;TYPE=work:four@example.org', PHOTO_40);

/** Unfolded content lines of a card (as sent, or as escaped inside address-data). */
const lines = (text: string) => text.replace(/&#13;/g, '\r').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
  .replace(/\r\n[ \t]/g, '').split(/\r?\n/);

beforeAll(async () => {
  await makeUser('wes');
  expect((await wes('PUT', 'v3.vcf', { headers: VCARD_TYPE, body: V3 })).status).toBe(201);
  expect((await wes('PUT', 'v4.vcf', { headers: VCARD_TYPE, body: V4 })).status).toBe(201);
});

describe('vCard versions on GET (RFC 6352 §5.1.1, RFC 9110 §12.5.1)', () => {
  it('without a version in Accept, the card comes as stored', async () => {
    for (const accept of [null, 'text/vcard', '*/*', 'text/vcard; version=3.0;q=0.5, text/vcard;q=0.9']) {
      const res = await wes('GET', 'v4.vcf', { headers: accept ? { Accept: accept } : {} });
      expect(await res.text(), String(accept)).toBe(V4);
    }
  });

  it('Accept: text/vcard; version=4.0 on a 3.0 card converts it; the inline photo becomes a data: URI; the ETag stays', async () => {
    const stored = await wes('GET', 'v3.vcf');
    const res = await wes('GET', 'v3.vcf', { headers: { Accept: 'text/vcard; version=4.0' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/vcard; charset=utf-8; version=4.0');
    expect(res.headers.get('ETag')).toBe(stored.headers.get('ETag'));
    expect(res.headers.get('Vary')).toContain('Accept');
    const text = await res.text();
    expect(Number(res.headers.get('Content-Length'))).toBe(new TextEncoder().encode(text).byteLength);
    const l = lines(text);
    expect(l).toContain('VERSION:4.0');
    expect(l).toContain('UID:v3');
    expect(l.find((x) => x.startsWith('PHOTO'))).toBe(PHOTO_40);
  });

  it('Accept: text/vcard; version=3.0 on a 4.0 card converts it; the data: URI photo becomes ENCODING=b', async () => {
    const res = await wes('GET', 'v4.vcf', { headers: { Accept: 'text/vcard;version=3.0' } });
    const l = lines(await res.text());
    expect(l).toContain('VERSION:3.0');
    expect(l.find((x) => x.startsWith('PHOTO'))).toBe(`PHOTO;ENCODING=b;TYPE=PNG:${PNG_BASE64}`);
    // The stored card is untouched.
    expect(await (await wes('GET', 'v4.vcf')).text()).toBe(V4);
  });
});

describe('address-data with content-type, version and property selection (RFC 6352 §10.4)', () => {
  it('PROPFIND with address-data version="4.0" converts 3.0 cards and leaves 4.0 ones as stored', async () => {
    const res = await davRequest('wes', 'PROPFIND', BOOK, {
      headers: { Depth: '1' }, body: propfindBody('<card:address-data content-type="text/vcard" version="4.0"/>'),
    });
    const all = responsesOf(await res.text());
    expect(okPart(all.get(`${BOOK}v3.vcf`))).toContain('VERSION:4.0');
    expect(okPart(all.get(`${BOOK}v3.vcf`))).toContain('PHOTO:data:image/png;base64,');
    expect(okPart(all.get(`${BOOK}v4.vcf`))).toContain('EMAIL;TYPE=work:four@example.org');
  });

  it('§10.4.2: PROPFIND address-data with card:prop returns only those properties of the card as stored', async () => {
    const res = await davRequest('wes', 'PROPFIND', `${BOOK}v3.vcf`, {
      headers: { Depth: '0' }, body: propfindBody('<card:address-data><card:prop name="EMAIL"/></card:address-data>'),
    });
    const l = lines(okPart(responsesOf(await res.text()).get(`${BOOK}v3.vcf`)));
    expect(l).toContain('EMAIL;TYPE=INTERNET,WORK:three@example.org');
    expect(l).toContain('VERSION:3.0');
    expect(l.some((x) => x.startsWith('PHOTO') || x.startsWith('N:'))).toBe(false);
  });

  it('§10.4.2: card:prop selects properties (UID, VERSION and FN always stay), in a multiget with a version', async () => {
    const res = await davRequest('wes', 'REPORT', BOOK, {
      headers: { Depth: '0' },
      body: `<card:addressbook-multiget ${CARD_NS}><d:prop><d:getetag/><card:address-data content-type="text/vcard" version="3.0">` +
        `<card:prop name="EMAIL"/></card:address-data></d:prop><d:href>${BOOK}v4.vcf</d:href><d:href>${BOOK}v3.vcf</d:href></card:addressbook-multiget>`,
    });
    expect(res.status).toBe(207);
    const all = responsesOf(await res.text());
    for (const [href, uid, email] of [[`${BOOK}v4.vcf`, 'v4', 'four@example.org'], [`${BOOK}v3.vcf`, 'v3', 'three@example.org']]) {
      const data = /<card:address-data>([\s\S]*?)<\/card:address-data>/.exec(okPart(all.get(href)))![1];
      const l = lines(data).filter((x) => x);
      expect(l[0]).toBe('BEGIN:VCARD');
      expect(l).toContain('VERSION:3.0');
      expect(l).toContain(`UID:${uid}`);
      expect(l.some((x) => x.startsWith('FN:'))).toBe(true);
      expect(l.some((x) => x.includes(email))).toBe(true);
      expect(l.some((x) => x.startsWith('PHOTO') || x.startsWith('PRODID'))).toBe(false);
    }
  });

  it('§8.7 supported-address-data: an unsupported content-type or version → 403', async () => {
    for (const attrs of ['content-type="application/vcard+json"', 'content-type="text/vcard" version="2.1"']) {
      const res = await davRequest('wes', 'REPORT', BOOK, {
        body: `<card:addressbook-multiget ${CARD_NS}><d:prop><card:address-data ${attrs}/></d:prop><d:href>${BOOK}v3.vcf</d:href></card:addressbook-multiget>`,
      });
      expect(res.status, attrs).toBe(403);
      expect(await res.text()).toContain('supported-address-data');
    }
  });
});
