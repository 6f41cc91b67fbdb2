import type { Collation, TextMatch } from './types';

// RFC 4790 collations as CalDAV (RFC 4791 §7.5) and CardDAV (RFC 6352 §8.3) use them.

function fold(s: string, collation: Collation): string {
  switch (collation) {
    case 'i;octet':
      return s;
    case 'i;ascii-casemap':
      // RFC 4790 §9.2: only A–Z fold; other characters compare as they are.
      return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    case 'i;unicode-casemap':
      // RFC 5051: full case folding, then canonical decomposition (NFKD).
      return s.toUpperCase().toLowerCase().normalize('NFKD');
  }
}

function found(h: string, n: string, matchType: TextMatch['matchType']): boolean {
  switch (matchType) {
    case 'equals':
      return h === n;
    case 'starts-with':
      return h.startsWith(n);
    case 'ends-with':
      return h.endsWith(n);
    default:
      return h.includes(n);
  }
}

/**
 * RFC 4791 §9.7.5 / RFC 6352 §10.5.4: does the value match? Several values (a multi-valued
 * property or parameter) match when one does; negate-condition then inverts the whole answer,
 * so "does not contain x" fails as soon as one value contains x.
 */
export function textMatches(values: string | string[], match: TextMatch): boolean {
  const needle = fold(match.value, match.collation);
  const any = (Array.isArray(values) ? values : [values]).some((v) => found(fold(v, match.collation), needle, match.matchType));
  return match.negate ? !any : any;
}
