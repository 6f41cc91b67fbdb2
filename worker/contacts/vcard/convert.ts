import ICAL from 'ical.js';
import { cardVersion, readCard } from './read';

// vCard 3.0 (RFC 2426) ⇄ 4.0 (RFC 6350) for clients that ask for the version a card was not
// stored in (RFC 6352 §5.1.1 address-data content-type/version). The mapping follows what
// sabre/vobject's VCardConverter does, so cards look the same as on Nextcloud: binary ⇄ data: URIs,
// TYPE=PREF ⇄ PREF=1, Apple's group and year-less birthday extensions ⇄ KIND/MEMBER/--MMDD,
// ANNIVERSARY ⇄ X-ANNIVERSARY plus Apple's X-ABDATE.

/** A jCard property: [name, params, type, ...values]. */
type Prop = [string, Record<string, unknown>, string, ...unknown[]];

const APPLE_ANNIVERSARY = '_$!<Anniversary>!$_';
/** Apple's stand-in year for a birthday without one (vobject uses it too). */
const NO_YEAR = '1604';
const MEDIA = ['photo', 'logo', 'sound', 'key'];
const DATES = ['bday', 'anniversary', 'deathdate'];
/** Properties vCard 4.0 removed (RFC 6350 §A.2). */
const REMOVED_IN_4 = ['name', 'mailer', 'label', 'class'];
/** vCard 4.0 properties vCard 3.0 does not know; written there as raw values so no VALUE parameter appears. */
const NEW_IN_4 = ['gender', 'lang', 'related', 'clientpidmap', 'xml', 'caladruri', 'caluri', 'fburl', 'deathdate', 'deathplace', 'birthplace'];

function typeList(params: Record<string, unknown>): string[] {
  const t = params.type;
  return t === undefined ? [] : (Array.isArray(t) ? t : [t]).map(String);
}

function setTypes(params: Record<string, unknown>, types: string[]) {
  if (types.length === 0) delete params.type;
  else params.type = types.length === 1 ? types[0] : types;
}

function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

type DesignSet = { property: Record<string, { defaultType?: string } | undefined>; value: Record<string, unknown> };
const VCARD3 = ICAL.design.getDesignSet('vcard3') as unknown as DesignSet;
const base4 = ICAL.design.getDesignSet('vcard') as unknown as DesignSet;
// ical.js escapes commas in vCard 4 URIs ("data:image/png;base64\,…"), which clients then read as
// a broken URI: write URIs as they are, as RFC 6350 §3.4 has it.
const VCARD4 = { ...base4, value: { ...base4.value, uri: {} } } as DesignSet;

/** RFC 6350 §3.4 unescaping of a raw value. */
function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Re-types a converted property so the target version writes it without a needless VALUE parameter. */
function fitDesign(prop: Prop, design: DesignSet): Prop {
  const [name, params, type, ...values] = prop;
  const expected = design.property[name]?.defaultType ?? 'unknown';
  if (type === expected) return prop;
  if (expected === 'unknown' && type === 'text') {
    const raw = values.map((v) => (Array.isArray(v) ? v.map((part) => (Array.isArray(part) ? part.map((x) => escapeText(String(x))).join(',') : escapeText(String(part)))).join(';') : escapeText(String(v))));
    return [name, params, 'unknown', raw.join(',')];
  }
  if (expected === 'text' && type === 'unknown') return [name, params, 'text', ...values.map((v) => unescapeText(String(v)))];
  return prop;
}

/** vCard text with its VERSION changed to `to`; unchanged when already that version. */
export function convertCard(text: string, to: '3.0' | '4.0'): string {
  const card = readCard(text);
  if (cardVersion(card) === to) return text;
  const props = (card.jCal[1] as Prop[]).map((p) => {
    const copy = structuredClone(p);
    // ical.js leaves "\;" escaped in unstructured text (RFC 2426 §5 and RFC 6350 §3.4 escape it).
    if (copy[2] === 'text') for (let i = 3; i < copy.length; i++) if (typeof copy[i] === 'string') copy[i] = (copy[i] as string).replace(/\\;/g, ';');
    return copy;
  });
  const design = to === '4.0' ? VCARD4 : VCARD3;
  const converted = (to === '4.0' ? to40(props) : to30(props)).map((p) => fitDesign(p, design));
  const jcard = ['vcard', [['version', {}, 'text', to], ...converted], []];
  return ICAL.stringify.component(jcard, design as never) + '\r\n';
}

function to40(props: Prop[]): Prop[] {
  const out: Prop[] = [];
  const anniversaries = new Set<string>();
  const labels = new Map<string, string>();
  for (const [name, params, , value] of props) if (name === 'x-ablabel' && typeof params.group === 'string') labels.set(params.group.toLowerCase(), String(value));
  const addAnniversary = (value: unknown, group?: unknown) => {
    const key = String(value);
    if (anniversaries.has(key)) return;
    anniversaries.add(key);
    out.push(['anniversary', group ? { group } : {}, 'date-and-or-time', value]);
  };

  for (const prop of props) {
    let [name, params, type, ...values] = prop;
    params = { ...params };
    const first = String(values[0] ?? '');
    if (name === 'version' || REMOVED_IN_4.includes(name)) continue;
    if (name === 'x-addressbookserver-kind') {
      if (first.toLowerCase() === 'individual') continue; // the default KIND
      if (first.toLowerCase() === 'group') {
        out.push(['kind', {}, 'text', 'group']);
        continue;
      }
    }
    if (name === 'x-addressbookserver-member') {
      out.push(['member', {}, 'uri', first]);
      continue;
    }
    if (name === 'x-abshowas' && first.toUpperCase() === 'COMPANY') {
      out.push(['kind', {}, 'text', 'org']);
      continue;
    }
    if (name === 'x-ablabel' && first === APPLE_ANNIVERSARY) continue;
    if (name === 'x-anniversary') {
      addAnniversary(values[0]);
      continue;
    }
    if (name === 'x-abdate' && typeof params.group === 'string' && labels.get(params.group.toLowerCase()) === APPLE_ANNIVERSARY) {
      addAnniversary(values[0]);
      continue;
    }

    delete params.encoding;
    delete params.charset;
    const types = typeList(params);
    if (types.some((t) => t.toLowerCase() === 'pref')) {
      params.pref = '1';
      setTypes(params, types.filter((t) => t.toLowerCase() !== 'pref'));
    }

    if (type === 'binary' && MEDIA.includes(name)) {
      // vCard 4.0 has no inline binary: PHOTO;ENCODING=b;TYPE=JPEG:… becomes a data: URI.
      let mime = 'application/octet-stream';
      const kept: string[] = [];
      for (const t of typeList(params)) {
        if (/^(jpe?g|png|gif|bmp|tiff|webp)$/i.test(t)) mime = `image/${t.toLowerCase().replace('jpg', 'jpeg')}`;
        else if (/^[a-z]+\/[\w.+-]+$/i.test(t)) mime = t.toLowerCase();
        else kept.push(t);
      }
      setTypes(params, kept);
      out.push([name, params, 'uri', `data:${mime};base64,${first.replace(/\s+/g, '')}`]);
      continue;
    }
    if (DATES.includes(name) && (type === 'date' || type === 'date-time' || type === 'date-and-or-time')) {
      const omit = params['x-apple-omit-year'];
      delete params['x-apple-omit-year'];
      const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(first);
      const value = m && typeof omit === 'string' && omit === m[1] ? `--${m[2]}-${m[3]}` : first;
      out.push([name, params, 'date-and-or-time', value]);
      continue;
    }
    if (name === 'rev' && type === 'date-time') type = 'timestamp';
    if (name === 'tel' && type === 'phone-number') type = 'uri'; // 4.0's default TEL type in ical.js; RFC 6350 reads a bare value as text
    if (name === 'geo' && Array.isArray(values[0])) {
      out.push([name, params, 'uri', `geo:${(values[0] as unknown[]).join(',')}`]);
      continue;
    }
    out.push([name, params, type, ...values]);
  }
  return out;
}

function to30(props: Prop[]): Prop[] {
  const out: Prop[] = [];
  const groups = new Set(props.map((p) => p[1].group).filter((g): g is string => typeof g === 'string').map((g) => g.toLowerCase()));
  let item = 1;
  const freshGroup = () => {
    while (groups.has(`item${item}`)) item++;
    groups.add(`item${item}`);
    return `item${item}`;
  };

  for (const prop of props) {
    let [name, params, type, ...values] = prop;
    params = { ...params };
    const first = String(values[0] ?? '');
    if (name === 'version') continue;
    if (name === 'kind') {
      const kind = first.toLowerCase();
      if (kind === 'individual') continue;
      if (kind === 'group') out.push(['x-addressbookserver-kind', {}, 'unknown', 'group']);
      else if (kind === 'org') out.push(['x-abshowas', {}, 'unknown', 'COMPANY']);
      else out.push(['kind', {}, 'unknown', escapeText(first)]);
      continue;
    }
    if (name === 'member') {
      out.push(['x-addressbookserver-member', {}, 'unknown', first]);
      continue;
    }

    if (params.pref !== undefined) {
      if (String(params.pref) === '1') setTypes(params, [...typeList(params), 'pref']);
      delete params.pref; // 3.0 has only "preferred", no ranking
    }

    if (MEDIA.includes(name) && type === 'uri' && first.startsWith('data:')) {
      const m = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(first);
      if (m && /;base64/i.test(m[2])) {
        const mime = m[1].toLowerCase();
        const sub = mime.split('/')[1] ?? '';
        params.encoding = 'b';
        if (sub) setTypes(params, [...typeList(params), sub === 'jpeg' ? 'JPEG' : sub.toUpperCase()]);
        out.push([name, params, 'binary', m[3]]);
        continue;
      }
    }
    if (DATES.includes(name) && (type === 'date-and-or-time' || type === 'date' || type === 'date-time')) {
      const noYear = /^--(\d{2})-?(\d{2})$/.exec(first);
      let value = first;
      let dateType = first.includes('T') ? 'date-time' : 'date';
      if (noYear) {
        // vCard 3.0 dates need a year: Apple's convention, understood by its clients and by vobject.
        value = `${NO_YEAR}-${noYear[1]}-${noYear[2]}`;
        params['x-apple-omit-year'] = NO_YEAR;
      } else if (!/^\d{4}-\d{2}-\d{2}/.test(first)) {
        dateType = 'unknown'; // a reduced-precision date (1985, 1985-04) has no 3.0 form; keep it as written
        value = first.replace(/-/g, '');
      }
      if (name === 'anniversary') {
        out.push(['x-anniversary', params, dateType === 'unknown' ? 'unknown' : dateType, value]);
        const group = freshGroup();
        out.push(['x-abdate', { group }, 'unknown', value]);
        out.push(['x-ablabel', { group }, 'unknown', APPLE_ANNIVERSARY]);
        continue;
      }
      out.push([name, params, dateType, value]);
      continue;
    }
    if (name === 'rev' && type === 'timestamp') type = 'date-time';
    if (name === 'tel') {
      out.push([name, params, 'phone-number', first.replace(/^tel:/i, '')]);
      continue;
    }
    if (name === 'geo' && type === 'uri' && /^geo:/i.test(first)) {
      const [lat, lon] = first.slice(4).split(/[,;]/);
      out.push([name, params, 'float', [Number(lat), Number(lon)]]);
      continue;
    }
    if (NEW_IN_4.includes(name) && (type === 'text' || type === 'uri' || type === 'language-tag')) {
      const raw = Array.isArray(values[0]) ? (values[0] as unknown[]).map((v) => escapeText(String(v))).join(';') : type === 'text' ? escapeText(first) : first;
      out.push([name, params, 'unknown', raw]);
      continue;
    }
    out.push([name, params, type, ...values]);
  }
  return out;
}
