/**
 * Drives Debian's vdirsyncer (0.19) against a CalDAV/CardDAV server: a config with a CalDAV pair
 * ("cal") and a CardDAV pair ("card"), each between the server (storage "<pair>_server", found
 * from the URL given by vdirsyncer's own discovery: current-user-principal, then the home set,
 * /.well-known/caldav|carddav as fallback) and a filesystem store (storage "<pair>_local": one
 * directory per collection, one .ics/.vcf file per item), plus helpers to read and compare both
 * sides. vdirsyncer creates missing collections itself: on the server with extended MKCOL
 * (RFC 5689), never MKCALENDAR; discover() answers its "create it?" prompts with yes.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { davClient } from '../../support/dav.mjs';
import { run } from './run.mjs';

/** The pairs, by the kind of data they carry. */
export const PAIRS = {
  caldav: { pair: 'cal', storage: 'caldav', ext: '.ics', dir: 'calendars' },
  carddav: { pair: 'card', storage: 'carddav', ext: '.vcf', dir: 'contacts' },
};

/** A value in vdirsyncer's config syntax (JSON literals). */
const value = (v) => JSON.stringify(v);

/**
 * Counts vdirsyncer's sync log lines ("Copying (uploading) item X to S", "Copying (updating) item
 * X to S", "Deleting item X from S") into { toServer, toLocal } × { created, updated, deleted }
 * lists of item idents (the UID, or a hash for items without one).
 */
export function parseSyncActions(output) {
  const out = {
    toServer: { created: [], updated: [], deleted: [] },
    toLocal: { created: [], updated: [], deleted: [] },
  };
  for (const m of output.matchAll(/(Copying \(uploading\)|Copying \(updating\)|Deleting) item (\S+) (?:to|from) (\S+?)(?:_server|_local)(?:\/\S*)?\s*$/gm)) {
    const side = /_server/.test(m[0]) ? out.toServer : out.toLocal;
    const kind = m[1].includes('uploading') ? 'created' : m[1].includes('updating') ? 'updated' : 'deleted';
    side[kind].push(m[2]);
  }
  return out;
}

/** Total number of actions in parseSyncActions' result. */
export function actionCount(actions) {
  return Object.values(actions).reduce((n, side) => n + side.created.length + side.updated.length + side.deleted.length, 0);
}

/** Unfolded content lines without empty ones (RFC 5545 §3.1 / RFC 6350 §3.2 folding). */
export function contentLines(text) {
  return text.replace(/\r\n|\r/g, '\n').replace(/\n[ \t]/g, '').split('\n').filter((l) => l.trim() !== '');
}

/**
 * A canonical form of an iCalendar object or vCard for comparisons: unfolded lines, each
 * component's properties sorted (their order carries no meaning, RFC 5545 §3.6, and Radicale
 * re-serializes items in its own order), subcomponents in their order; `ignore` drops property
 * names; `strictOrder` keeps the order as it is.
 */
export function canonical(text, { ignore = [], strictOrder = false } = {}) {
  const skip = new Set(ignore.map((n) => n.toUpperCase()));
  const lines = contentLines(text).filter((l) => !skip.has(l.split(/[;:]/)[0].toUpperCase()));
  if (strictOrder) return lines.join('\n');
  const stack = [{ props: [], subs: [] }];
  for (const line of lines) {
    if (/^BEGIN:/i.test(line)) {
      const comp = { begin: line, props: [], subs: [] };
      stack.at(-1).subs.push(comp);
      stack.push(comp);
    } else if (/^END:/i.test(line) && stack.length > 1) {
      stack.pop().end = line;
    } else {
      stack.at(-1).props.push(line);
    }
  }
  const render = (c) => [c.begin, ...[...c.props].sort(), ...c.subs.map(render), c.end].filter(Boolean).join('\n');
  return render(stack[0]);
}

/** The UID of an iCalendar object or vCard (the first UID line). */
export function uidOf(text) {
  const line = contentLines(text).find((l) => /^UID[;:]/i.test(l));
  return line ? line.slice(line.indexOf(':') + 1) : null;
}

/**
 * Sets up vdirsyncer for one account; resolves the driver. `kinds` picks the pairs
 * (['caldav', 'carddav']); `caldavUrl` / `carddavUrl` default to `url` (a server root, a
 * principal or a home: vdirsyncer discovers from any). `collections` is the pairs' collections
 * setting (default ["from a", "from b"]: every collection on either side, created on the other);
 * `conflictResolution` null (a conflict is an error), "a wins" (the server) or "b wins".
 * @param {{ url: string, user: string, password: string, workDir: string, kinds?: string[],
 *   caldavUrl?: string, carddavUrl?: string, collections?: unknown[], conflictResolution?: string | null }} options
 */
export async function vdirsyncerFor({ url, user, password, workDir, kinds = ['caldav', 'carddav'], caldavUrl = url, carddavUrl = url, collections = ['from a', 'from b'], conflictResolution = null }) {
  const config = path.join(workDir, 'vdirsyncer.conf');
  const statusDir = path.join(workDir, 'vdirsyncer-status');
  await mkdir(statusDir, { recursive: true });
  const sections = [`[general]\nstatus_path = ${value(`${statusDir}/`)}\n`];
  for (const kind of kinds) {
    const p = PAIRS[kind];
    if (!p) throw new Error(`unknown kind ${kind} (caldav, carddav)`);
    await mkdir(path.join(workDir, p.dir), { recursive: true });
    sections.push(
      [
        `[pair ${p.pair}]`,
        `a = ${value(`${p.pair}_server`)}`,
        `b = ${value(`${p.pair}_local`)}`,
        `collections = ${value(collections)}`,
        ...(conflictResolution ? [`conflict_resolution = ${value(conflictResolution)}`] : []),
        '',
        `[storage ${p.pair}_server]`,
        `type = ${value(p.storage)}`,
        `url = ${value(kind === 'caldav' ? caldavUrl : carddavUrl)}`,
        `username = ${value(user)}`,
        `password = ${value(password)}`,
        '',
        `[storage ${p.pair}_local]`,
        'type = "filesystem"',
        `path = ${value(`${path.join(workDir, p.dir)}/`)}`,
        `fileext = ${value(p.ext)}`,
        '',
      ].join('\n'),
    );
  }
  // The password sits in this file (mode 0600), never on a command line.
  await writeFile(config, sections.join('\n'), { mode: 0o600 });

  const pairsOf = (kind) => (kind ? [PAIRS[kind].pair] : kinds.map((k) => PAIRS[k].pair));
  const vdirsyncer = (args, { input, timeoutMs = 10 * 60_000 } = {}) =>
    run('vdirsyncer', ['--verbosity', 'INFO', '--config', config, ...args], { input, timeoutMs });

  /** A local collection's directory. */
  const localDir = (kind, collection) => path.join(workDir, PAIRS[kind].dir, collection);

  /** The server URL of each collection of a pair, from vdirsyncer's discovery cache. */
  async function serverCollections(kind) {
    const file = path.join(statusDir, `${PAIRS[kind].pair}.collections`);
    const cache = JSON.parse(await readFile(file, 'utf8'));
    const out = {};
    for (const [name, [a]] of cache.collections) out[name] = a.url;
    return out;
  }

  /** Local items of a collection: Map uid → { file, text }. */
  async function localItems(kind, collection) {
    const dir = localDir(kind, collection);
    const items = new Map();
    for (const file of (await readdir(dir)).filter((f) => f.endsWith(PAIRS[kind].ext)).sort()) {
      const text = await readFile(path.join(dir, file), 'utf8');
      items.set(uidOf(text) ?? file, { file, text });
    }
    return items;
  }

  /** Server items of a collection (PROPFIND Depth 1, then GET each): Map uid → { href, etag, text }. */
  async function serverItems(kind, collection) {
    const collectionUrl = (await serverCollections(kind))[collection];
    if (!collectionUrl) throw new Error(`${kind} collection ${collection} is not in vdirsyncer's discovery cache`);
    const dav = davClient(collectionUrl, user, password);
    try {
      // vdirsyncer keeps collection URLs without the trailing slash; hrefs are decoded.
      const path = (u) => decodeURIComponent(new URL(u, collectionUrl).pathname).replace(/\/$/, '');
      const members = (await dav.propfind('', 1)).filter((r) => path(r.href) !== path(collectionUrl));
      const items = new Map();
      for (const r of members) {
        const name = r.href.replace(/\/$/, '').split('/').pop();
        const text = (await dav.get(name)).toString('utf8');
        items.set(uidOf(text) ?? name, { href: r.href, etag: r.props['{DAV:}getetag'] ?? null, text });
      }
      return items;
    } finally {
      dav.close();
    }
  }

  /**
   * Both sides of a collection by UID: { onlyLocal, onlyServer, differ } (UIDs), contents compared
   * in canonical() form (options `ignore`, `strictOrder` as there).
   */
  async function compare(kind, collection, options = {}) {
    const [local, server] = await Promise.all([localItems(kind, collection), serverItems(kind, collection)]);
    const norm = (text) => canonical(text, options);
    return {
      onlyLocal: [...local.keys()].filter((u) => !server.has(u)).sort(),
      onlyServer: [...server.keys()].filter((u) => !local.has(u)).sort(),
      differ: [...local.keys()].filter((u) => server.has(u) && norm(local.get(u).text) !== norm(server.get(u).text)).sort(),
    };
  }

  return {
    config,
    statusDir,
    /** vdirsyncer with this config: resolves { code, output }. */
    run: vdirsyncer,
    /** `vdirsyncer discover` for one kind or all; creates missing collections on either side. */
    discover: (kind) => vdirsyncer(['discover', ...pairsOf(kind)], { input: 'y\n'.repeat(100) }),
    /** `vdirsyncer sync` for one kind or all; resolves { code, output, actions }. */
    async sync(kind) {
      const r = await vdirsyncer(['sync', ...pairsOf(kind)]);
      return { ...r, actions: parseSyncActions(r.output) };
    },
    localDir,
    localItems,
    /** Writes one local item file (creating the collection directory). */
    async writeLocal(kind, collection, file, text) {
      await mkdir(localDir(kind, collection), { recursive: true });
      await writeFile(path.join(localDir(kind, collection), file), text);
    },
    removeLocal: (kind, collection, file) => rm(path.join(localDir(kind, collection), file)),
    serverCollections,
    serverItems,
    compare,
  };
}

/**
 * `count` events for a filesystem store, `recurring` of them weekly series (every third with an
 * EXDATE and an overridden instance): [{ file, uid, text }], deterministic, CRLF, in 2025.
 */
export function sampleEvents({ count = 200, recurring = 30, prefix = 'ev' } = {}) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const uid = `${prefix}-${i}@e2e.invalid`;
    const day = new Date(Date.UTC(2025, 0, 1 + ((i * 7) % 360)));
    const ymd = day.toISOString().slice(0, 10).replaceAll('-', '');
    const hour = String(8 + (i % 9)).padStart(2, '0');
    const lines = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Cumulus//e2e//EN',
      'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20250101T000000Z',
      `DTSTART:${ymd}T${hour}0000Z`, `DTEND:${ymd}T${hour}3000Z`, `SUMMARY:Event ${i}`,
    ];
    if (i < recurring) {
      lines.push('RRULE:FREQ=WEEKLY;COUNT=10');
      if (i % 3 === 0) {
        const skip = new Date(day.getTime() + 14 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
        const moved = new Date(day.getTime() + 21 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
        lines.push(`EXDATE:${skip}T${hour}0000Z`, 'END:VEVENT',
          'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20250101T000000Z', `RECURRENCE-ID:${moved}T${hour}0000Z`,
          `DTSTART:${moved}T${hour}1500Z`, `DTEND:${moved}T${hour}4500Z`, `SUMMARY:Event ${i} (moved)`);
      }
    }
    lines.push('END:VEVENT', 'END:VCALENDAR', '');
    out.push({ file: `${prefix}-${i}.ics`, uid, text: lines.join('\r\n') });
  }
  return out;
}

/** `count` vCards, alternately 3.0 and 4.0: [{ file, uid, text }], deterministic, CRLF. */
export function sampleContacts({ count = 200, prefix = 'card' } = {}) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const uid = `${prefix}-${i}@e2e.invalid`;
    const v4 = i % 2 === 1;
    const lines = [
      'BEGIN:VCARD', `VERSION:${v4 ? '4.0' : '3.0'}`, `UID:${v4 ? `urn:uuid:${uid}` : uid}`,
      `FN:Person ${i}`, `N:${i};Person;;;`, `EMAIL${v4 ? ';TYPE=work' : ';TYPE=INTERNET'}:person${i}@example.invalid`,
      `TEL;TYPE=cell:+49 30 ${String(1000000 + i)}`, 'END:VCARD', '',
    ];
    out.push({ file: `${prefix}-${i}.vcf`, uid: v4 ? `urn:uuid:${uid}` : uid, text: lines.join('\r\n') });
  }
  return out;
}
