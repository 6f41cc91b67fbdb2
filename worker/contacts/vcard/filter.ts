import type ICAL from 'ical.js';
import { textMatches, type Collation } from '../../calendars/ical';
import { tryReadCard } from './read';

// RFC 6352 §10.5 addressbook-query filters evaluated on one vCard.

export interface CardTextMatch { value: string; collation: Collation; negate: boolean; matchType: 'equals' | 'contains' | 'starts-with' | 'ends-with' }
export interface CardParamFilter { name: string; isNotDefined: boolean; textMatch: CardTextMatch | null }
export interface CardPropFilter { name: string; test: 'anyof' | 'allof'; isNotDefined: boolean; textMatches: CardTextMatch[]; paramFilters: CardParamFilter[] }
export interface CardFilter { test: 'anyof' | 'allof'; propFilters: CardPropFilter[] }

/** A property's value as text-match sees it: structured parts joined by ';', list values each and joined by ','. */
function valueTexts(p: ICAL.Property): string[] {
  const values = p.getValues().map((v) => (Array.isArray(v) ? v.map((part) => (Array.isArray(part) ? part.join(',') : String(part))).join(';') : String(v)));
  const texts = values.length > 1 ? [values.join(','), ...values] : values;
  // TEL as a tel: URI (vCard 4.0) matches on the number too.
  return p.name === 'tel' ? [...texts, ...texts.filter((t) => /^tel:/i.test(t)).map((t) => t.slice(4))] : texts;
}

function paramMatches(p: ICAL.Property, f: CardParamFilter): boolean {
  const raw = p.getParameter(f.name.toLowerCase());
  const values = raw === undefined || raw === null ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
  if (f.isNotDefined) return values.length === 0;
  if (values.length === 0) return false;
  return !f.textMatch || textMatches(values, f.textMatch);
}

function propFilterMatches(card: ICAL.Component, f: CardPropFilter): boolean {
  const props = card.getAllProperties(f.name.toLowerCase());
  if (f.isNotDefined) return props.length === 0;
  if (props.length === 0) return false;
  if (f.textMatches.length === 0 && f.paramFilters.length === 0) return true;
  // RFC 6352 §10.5.1: the test combines the text-matches and param-filters of one property
  // (so "EMAIL contains work AND TYPE=work" holds for the same address).
  return props.some((p) => {
    const checks = [...f.textMatches.map((m) => () => textMatches(valueTexts(p), m)), ...f.paramFilters.map((pf) => () => paramMatches(p, pf))];
    return f.test === 'allof' ? checks.every((c) => c()) : checks.some((c) => c());
  });
}

/** RFC 6352 §10.5 addressbook-query filter on one card (an empty filter matches every card). */
export function matchesCardFilter(text: string, filter: CardFilter): boolean {
  const card = tryReadCard(text);
  if (!card) return false;
  if (filter.propFilters.length === 0) return true;
  return filter.test === 'allof' ? filter.propFilters.every((f) => propFilterMatches(card, f)) : filter.propFilters.some((f) => propFilterMatches(card, f));
}
