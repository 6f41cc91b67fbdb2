import { describe, expect, it } from 'vitest';
import { matchesCardFilter, type CardFilter, type CardPropFilter, type CardTextMatch } from '../../../worker/contacts/vcard';
import { appleGroup, applePerson, davx5V4 } from './fixtures';

// RFC 6352 §10.5 uses i;unicode-casemap as the default collation.
const text = (value: string, opts: Partial<Omit<CardTextMatch, 'value'>> = {}): CardTextMatch => ({ value, collation: 'i;unicode-casemap', negate: false, matchType: 'contains', ...opts });
const prop = (name: string, opts: Partial<Omit<CardPropFilter, 'name'>> = {}): CardPropFilter => ({ name, test: 'anyof', isNotDefined: false, textMatches: [], paramFilters: [], ...opts });
const filter = (test: 'anyof' | 'allof', ...propFilters: CardPropFilter[]): CardFilter => ({ test, propFilters });

describe('RFC 6352 §10.5 addressbook-query filters', () => {
  it('an empty filter matches every card; garbage matches none', () => {
    expect(matchesCardFilter(applePerson, filter('anyof'))).toBe(true);
    expect(matchesCardFilter('nonsense', filter('anyof'))).toBe(false);
  });

  it('§10.5.1 prop-filter: an empty one tests existence, is-not-defined absence', () => {
    expect(matchesCardFilter(applePerson, filter('anyof', prop('PHOTO')))).toBe(true);
    expect(matchesCardFilter(appleGroup, filter('anyof', prop('PHOTO')))).toBe(false);
    expect(matchesCardFilter(appleGroup, filter('anyof', prop('EMAIL', { isNotDefined: true })))).toBe(true);
  });

  it('§10.5 filter test: anyof (default) vs allof across prop-filters', () => {
    const fnJohnny = prop('FN', { textMatches: [text('johnny')] });
    const emailScully = prop('EMAIL', { textMatches: [text('scully')] });
    expect(matchesCardFilter(applePerson, filter('anyof', fnJohnny, emailScully))).toBe(true);
    expect(matchesCardFilter(applePerson, filter('allof', fnJohnny, emailScully))).toBe(false);
  });

  it('§10.5.1 prop-filter test: anyof/allof across its text-matches and param-filters, for one property', () => {
    const homeAtWork = (test: 'anyof' | 'allof') => prop('EMAIL', { test, textMatches: [text('home.example')], paramFilters: [{ name: 'TYPE', isNotDefined: false, textMatch: text('work', { matchType: 'equals' }) }] });
    // johnny@example.com is TYPE=WORK, jappleseed@home.example is TYPE=HOME: no single address is both.
    expect(matchesCardFilter(applePerson, filter('anyof', homeAtWork('allof')))).toBe(false);
    expect(matchesCardFilter(applePerson, filter('anyof', homeAtWork('anyof')))).toBe(true);
  });

  it('§10.5.4 text-match: collations, match types, negate-condition', () => {
    expect(matchesCardFilter(davx5V4, filter('anyof', prop('FN', { textMatches: [text('DANA', { matchType: 'starts-with' })] })))).toBe(true);
    expect(matchesCardFilter(davx5V4, filter('anyof', prop('FN', { textMatches: [text('DANA', { matchType: 'starts-with', collation: 'i;octet' })] })))).toBe(false);
    expect(matchesCardFilter(davx5V4, filter('anyof', prop('FN', { textMatches: [text('scully', { matchType: 'ends-with' })] })))).toBe(true);
    expect(matchesCardFilter(davx5V4, filter('anyof', prop('FN', { textMatches: [text('dana scully', { matchType: 'equals' })] })))).toBe(true);
    expect(matchesCardFilter(davx5V4, filter('anyof', prop('FN', { textMatches: [text('mulder', { negate: true })] })))).toBe(true);
    expect(matchesCardFilter(davx5V4, filter('anyof', prop('FN', { textMatches: [text('scully', { negate: true })] })))).toBe(false);
  });

  it('i;unicode-casemap folds non-ASCII case (Müller finds MÜLLER); i;ascii-casemap does not', () => {
    const card = 'BEGIN:VCARD\r\nVERSION:4.0\r\nUID:m\r\nFN:MÜLLER\r\nEND:VCARD\r\n';
    expect(matchesCardFilter(card, filter('anyof', prop('FN', { textMatches: [text('müller')] })))).toBe(true);
    expect(matchesCardFilter(card, filter('anyof', prop('FN', { textMatches: [text('müller', { collation: 'i;ascii-casemap' })] })))).toBe(false);
  });

  it('structured values (N, ADR) match on their text; TEL as tel: URI matches on the number', () => {
    expect(matchesCardFilter(applePerson, filter('anyof', prop('ADR', { textMatches: [text('cupertino')] })))).toBe(true);
    expect(matchesCardFilter(applePerson, filter('anyof', prop('N', { textMatches: [text('appleseed;johnny', { matchType: 'starts-with' })] })))).toBe(true);
    expect(matchesCardFilter(davx5V4, filter('anyof', prop('TEL', { textMatches: [text('+1-202-555-0143', { matchType: 'equals' })] })))).toBe(true);
  });

  it('§10.5.2 param-filter: is-not-defined and a multi-valued TYPE', () => {
    const typed = (name: string, value: string) => filter('anyof', prop(name, { paramFilters: [{ name: 'TYPE', isNotDefined: false, textMatch: text(value, { matchType: 'equals' }) }] }));
    expect(matchesCardFilter(applePerson, typed('TEL', 'cell'))).toBe(true); // TYPE=CELL among CELL,VOICE,pref
    expect(matchesCardFilter(applePerson, typed('TEL', 'fax'))).toBe(false);
    expect(matchesCardFilter(appleGroup, filter('anyof', prop('FN', { paramFilters: [{ name: 'LANGUAGE', isNotDefined: true, textMatch: null }] })))).toBe(true);
  });

  it('grouped properties (item1.ADR) are found by their name', () => {
    expect(matchesCardFilter(applePerson, filter('anyof', prop('X-ABADR', { textMatches: [text('us', { matchType: 'equals' })] })))).toBe(true);
  });
});
