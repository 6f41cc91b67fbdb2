import { describe, expect, it } from 'vitest';
import { parseCard, type ParsedCard } from '../../../worker/contacts/vcard';
import { appleGroup, applePerson, davx5V4, googleNoUidNoFn, vcard } from './fixtures';

function ok(result: ParsedCard) {
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return result;
}

describe('parseCard: RFC 6352 §6.3.2.1 preconditions', () => {
  it('valid-address-data: garbage, empty text, iCalendar, an unterminated card', () => {
    for (const text of ['hello', '', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n']) {
      const r = parseCard(text);
      expect(r.ok, JSON.stringify(text)).toBe(false);
      expect(!r.ok && r.precondition).toBe('valid-address-data');
    }
  });

  it('RFC 6352 §5.1: one vCard per resource — two cards are refused', () => {
    const r = parseCard(applePerson + appleGroup);
    expect(!r.ok && r.precondition).toBe('valid-address-data');
  });

  it('vCard 2.1 and cards without VERSION are refused (SabreDAV refuses 2.1 on CardDAV too)', () => {
    expect(parseCard(vcard('3.0', 'UID:x', 'FN:x').replace('VERSION:3.0', 'VERSION:2.1')).ok).toBe(false);
    expect(parseCard('BEGIN:VCARD\r\nUID:x\r\nFN:x\r\nEND:VCARD\r\n').ok).toBe(false);
  });

  it('max-resource-size in UTF-8 bytes', () => {
    const text = vcard('3.0', 'UID:x', `FN:${'é'.repeat(50)}`);
    const bytes = new TextEncoder().encode(text).length;
    const r = parseCard(text, { maxBytes: bytes - 1 });
    expect(!r.ok && r.precondition).toBe('max-resource-size');
    expect(parseCard(text, { maxBytes: bytes }).ok).toBe(true);
  });

  it('a card with neither FN nor anything to name it by is refused (RFC 6350 §6.2.1)', () => {
    expect(parseCard(vcard('4.0', 'UID:x', 'NOTE:nameless')).ok).toBe(false);
  });
});

describe('parseCard: accepted cards', () => {
  it('Apple 3.0: UID, FN, birthday without year (X-APPLE-OMIT-YEAR), photo; stored as sent', () => {
    const r = ok(parseCard(applePerson));
    expect(r.info).toEqual({ uid: 'A1B2C3D4-E5F6-4789-ABCD-EF0123456789', version: '3.0', fn: 'Johnny Appleseed', bday: '--03-15', hasPhoto: true });
    expect(r.repaired).toBeUndefined();
  });

  it('DAVx5 4.0: urn:uuid UID, BDAY --MMDD, data: URI photo', () => {
    expect(ok(parseCard(davx5V4)).info).toEqual({ uid: 'urn:uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', version: '4.0', fn: 'Dana Scully', bday: '--02-23', hasPhoto: true });
  });

  it('BDAY forms: basic and extended dates, date-times, free text', () => {
    const bday = (version: '3.0' | '4.0', line: string) => ok(parseCard(vcard(version, 'UID:x', 'FN:x', line))).info.bday;
    expect(bday('3.0', 'BDAY:1985-04-12')).toBe('1985-04-12');
    expect(bday('4.0', 'BDAY:19850412')).toBe('1985-04-12');
    expect(bday('4.0', 'BDAY:19850412T101500Z')).toBe('1985-04-12');
    expect(bday('3.0', 'BDAY;X-APPLE-OMIT-YEAR=1604:1604-11-30')).toBe('--11-30');
    expect(bday('4.0', 'BDAY;VALUE=text:circa 1800')).toBeNull();
    expect(bday('4.0', 'NOTE:no birthday')).toBeNull();
  });

  it('RFC 6352 §6.3.2.1 (as SabreDAV repairs it): a missing UID and FN are added, the rest kept byte for byte', () => {
    const r = ok(parseCard(googleNoUidNoFn));
    expect(r.info.fn).toBe('Fox Mulder');
    expect(r.info.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.repaired).toBe(googleNoUidNoFn.replace('END:VCARD', `UID:${r.info.uid}\r\nFN:Fox Mulder\r\nEND:VCARD`));
    // The repaired text is itself a complete card with that UID.
    expect(ok(parseCard(r.repaired!)).info).toMatchObject({ uid: r.info.uid, fn: 'Fox Mulder' });
    expect(ok(parseCard(r.repaired!)).repaired).toBeUndefined();
  });

  it('FN is derived from ORG, then EMAIL, when N is empty; text is escaped', () => {
    const org = ok(parseCard(vcard('3.0', 'UID:x', 'N:;;;;', 'ORG:Acme\\, Inc.;Sales')));
    expect(org.info.fn).toBe('Acme, Inc.');
    expect(org.repaired).toContain('FN:Acme\\, Inc.\r\n');
    expect(ok(parseCard(vcard('4.0', 'UID:x', 'EMAIL:someone@example.com'))).info.fn).toBe('someone@example.com');
  });

  it('a byte-order mark is accepted', () => {
    expect(ok(parseCard('\uFEFF' + applePerson)).info.fn).toBe('Johnny Appleseed');
  });

  it('LF line endings are accepted and kept when repairing', () => {
    const text = vcard('3.0', 'FN:Lf').replace(/\r\n/g, '\n');
    const r = ok(parseCard(text));
    expect(r.repaired).toMatch(/\nUID:[^\r\n]+\nEND:VCARD\n$/);
  });
});
