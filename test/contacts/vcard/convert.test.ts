import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { convertCard, parseCard } from '../../../worker/contacts/vcard';
import { appleGroup, applePerson, davx5GroupV4, davx5V4, vcard } from './fixtures';

/** Property lines of a card, unfolded, without BEGIN/END. */
function lines(text: string): string[] {
  return text.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l && !/^(BEGIN|END):VCARD$/.test(l));
}

describe('convertCard 3.0 → 4.0 (RFC 6350 §A, as sabre/vobject converts)', () => {
  const v4 = convertCard(applePerson, '4.0');
  const l = lines(v4);

  it('VERSION:4.0 comes first and the result parses as a 4.0 card with the same UID and FN', () => {
    expect(l[0]).toBe('VERSION:4.0');
    expect(parseCard(v4)).toMatchObject({ ok: true, info: { version: '4.0', uid: 'A1B2C3D4-E5F6-4789-ABCD-EF0123456789', fn: 'Johnny Appleseed' } });
  });

  it('PHOTO;ENCODING=b;TYPE=JPEG becomes an unescaped data: URI', () => {
    const photo = l.find((x) => x.startsWith('PHOTO'))!;
    expect(photo).toMatch(/^PHOTO:data:image\/jpeg;base64,\/9j\/4AAQ/);
    expect(photo).not.toContain('\\,');
    expect(photo).not.toContain('ENCODING');
  });

  it('TYPE=pref becomes PREF=1, other TYPEs stay', () => {
    expect(l).toContain('EMAIL;TYPE=INTERNET,WORK;PREF=1:johnny@example.com');
    expect(l).toContain('TEL;TYPE=CELL,VOICE;PREF=1:+1 (408) 555-0100');
  });

  it('BDAY with X-APPLE-OMIT-YEAR becomes --MMDD; Apple\'s X-ABDATE anniversary becomes ANNIVERSARY', () => {
    expect(l).toContain('BDAY:--0315');
    expect(l).toContain('ANNIVERSARY:20100612');
    expect(l.some((x) => x.includes('X-ABLABEL') || x.includes('X-ABDATE'))).toBe(false);
  });

  it('grouped properties keep their group; escaped text stays escaped once', () => {
    expect(l).toContain('ITEM1.X-ABADR:us');
    expect(l).toContain('NOTE:Met at WWDC\\, 2019');
  });

  it('Apple groups: X-ADDRESSBOOKSERVER-KIND/MEMBER become KIND/MEMBER', () => {
    const g = lines(convertCard(appleGroup, '4.0'));
    expect(g).toContain('KIND:group');
    expect(g).toContain('MEMBER:urn:uuid:A1B2C3D4-E5F6-4789-ABCD-EF0123456789');
    expect(g.some((x) => x.startsWith('X-ADDRESSBOOKSERVER'))).toBe(false);
  });

  it('properties vCard 4.0 removed (LABEL, NAME, MAILER, CLASS) are dropped', () => {
    const l2 = lines(convertCard(vcard('3.0', 'UID:x', 'FN:x', 'LABEL:1 Main St', 'CLASS:PUBLIC', 'MAILER:Mutt'), '4.0'));
    expect(l2).toEqual(['VERSION:4.0', 'UID:x', 'FN:x']);
  });

  it('a card already in 4.0 is returned unchanged', () => {
    expect(convertCard(davx5V4, '4.0')).toBe(davx5V4);
  });
});

describe('convertCard 4.0 → 3.0', () => {
  const v3 = convertCard(davx5V4, '3.0');
  const l = lines(v3);

  it('VERSION:3.0, and the result parses as 3.0 with the same UID', () => {
    expect(l[0]).toBe('VERSION:3.0');
    expect(parseCard(v3)).toMatchObject({ ok: true, info: { version: '3.0', uid: 'urn:uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', fn: 'Dana Scully', hasPhoto: true } });
  });

  it('a data: URI PHOTO becomes ENCODING=b;TYPE=PNG with the same bytes', () => {
    const photo = l.find((x) => x.startsWith('PHOTO'))!;
    expect(photo).toBe('PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==');
  });

  it('PREF=1 becomes TYPE=pref; a tel: URI becomes a plain number', () => {
    expect(l).toContain('TEL;TYPE=cell,pref:+1-202-555-0143');
    expect(l).toContain('TEL;TYPE=work:+1 202 555 0199');
  });

  it('BDAY --MMDD becomes 1604 with X-APPLE-OMIT-YEAR; ANNIVERSARY becomes X-ANNIVERSARY plus Apple\'s X-ABDATE', () => {
    const bday = l.find((x) => x.startsWith('BDAY'))!;
    expect(bday).toContain('X-APPLE-OMIT-YEAR=1604');
    expect(parseCard(v3)).toMatchObject({ ok: true, info: { bday: '--02-23' } });
    expect(l.some((x) => /^X-ANNIVERSARY.*:19980612$/.test(x))).toBe(true);
    expect(l).toContain('ITEM1.X-ABDATE:1998-06-12');
    expect(l).toContain('ITEM1.X-ABLABEL:_$!<Anniversary>!$_');
  });

  it('GEO becomes the 3.0 "lat;lon" form; new 4.0 properties stay without a VALUE parameter', () => {
    expect(l).toContain('GEO:38.8895;-77.0353');
    expect(l).toContain('GENDER:F');
    expect(l.some((x) => x.includes('VALUE=UNKNOWN') || x.includes('VALUE=TEXT'))).toBe(false);
  });

  it('KIND:group/MEMBER become Apple\'s X-ADDRESSBOOKSERVER-KIND/MEMBER', () => {
    const g = lines(convertCard(davx5GroupV4, '3.0'));
    expect(g).toContain('X-ADDRESSBOOKSERVER-KIND:group');
    expect(g).toContain('X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9');
  });

  it('round trip 3.0 → 4.0 → 3.0 keeps the data Apple reads (photo, no-year birthday, anniversary, group members)', () => {
    const back = convertCard(convertCard(applePerson, '4.0'), '3.0');
    const root = new ICAL.Component(ICAL.parse(back) as unknown[]);
    expect(root.getFirstProperty('photo')!.getParameter('encoding')).toBe('b');
    expect(String(root.getFirstProperty('photo')!.jCal[3])).toBe(String(new ICAL.Component(ICAL.parse(applePerson) as unknown[]).getFirstProperty('photo')!.jCal[3]));
    expect(root.getFirstProperty('bday')!.getParameter('x-apple-omit-year')).toBe('1604');
    expect(back).toContain('X-ABLABEL:_$!<Anniversary>!$_');
    const group = convertCard(convertCard(appleGroup, '4.0'), '3.0');
    expect(lines(group).filter((x) => x.startsWith('X-ADDRESSBOOKSERVER-MEMBER'))).toHaveLength(2);
  });
});
