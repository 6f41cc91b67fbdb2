// vCard for CardDAV: validation and indexing of address object resources, 3.0 ⇄ 4.0 conversion,
// addressbook-query filters. Pure functions over text, built on ical.js.
// Contract with the CardDAV server: /work/notes/ical-api.md; see README.md.

export { parseCard, type CardInfo, type ParsedCard } from './parse';
export { convertCard } from './convert';
export { matchesCardFilter, type CardFilter, type CardParamFilter, type CardPropFilter, type CardTextMatch } from './filter';
