import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { files, properties } from '../../schema';
import { ancestorsOf, baseName, parentPath } from '../dav/paths';
import { AlreadyExists, BadInput, Conflict, NotFound, PreconditionFailed, QuotaExceeded } from '../errors';
import { BodyTooLarge, copySegments, IncompleteBody, deleteBlobs, parseSegments, readSegments, storeBody, type Segment, type StoredContent } from './blobs';
import { contentTypeOf, FOLDER_TYPE } from './mimetypes';
import { fileRowFromArray, fileRowFromD1, prepareStatements, statementsBuiltOnce, type Statement } from './batch';
import type { Prefetched } from './prefetch';
import { settleReplaced } from './versions/expire';
import { ReplacedContent } from './versions/keep';
import { nextTrashPlace, trashStatements, type TrashAlsoFor, type TrashPlace } from './trash/statements';
import { trashEntryName } from './trash/names';
import { TrashService } from './trash/service';
import { pathsReadTogether, below, fileidAt, guard, newEtag, propagate, sizeOf, translateBatchError, TRASH_ROOT, WriteChecksFailed, type FileRow } from './tree';

export type { FileRow } from './tree';

export interface WriteFileOptions {
  length: number | null;
  /** Seconds since the epoch, from the client. */
  mtime: number | null;
  /** OC-Checksum as sent, e.g. `SHA1:0beec7b5…`. */
  checksum: string | null;
  /** The ETag the file must still have; null: it must not exist; undefined: don't care. */
  expectEtag?: string | null;
}

/** Who deleted a row, when not the owner (a share recipient, later), and who else's trash lists it. */
export interface TrashedBy {
  deletedBy?: string;
  alsoFor?: TrashAlsoFor[];
}

/** Checksum types we compute while streaming (and therefore verify and store). */
const VERIFIABLE = new Set(['SHA1', 'MD5']);

/** Options of `commitSegments`. */
export interface CommitSegmentsOptions {
  /** Seconds since the epoch, from the client. */
  mtime: number | null;
  /** What oc:checksums will say, e.g. `SHA1:…`; null when nothing was computed. */
  checksums: string | null;
  /** The ETag the file must still have; null: it must not exist; undefined: don't care. */
  expectEtag?: string | null;
  /** Statements that run in the same batch, before the file's own. */
  alsoRun?: Statement[];
  /** The replaced content becomes a version even within two minutes of the last (a version restore). */
  alwaysKeepReplaced?: boolean;
}

/** Parses OC-Checksum (`SHA1:hex`, algorithm in any case); null when absent, BadInput when malformed. */
export function parseChecksum(raw: string | null): { algo: string; value: string } | null {
  if (!raw) return null;
  const m = /^\s*([A-Za-z0-9]+):([0-9a-fA-F]+)\s*$/.exec(raw);
  if (!m) throw new BadInput('Malformed OC-Checksum header');
  return { algo: m[1].toUpperCase(), value: m[2].toLowerCase() };
}

type ParsedChecksum = NonNullable<ReturnType<typeof parseChecksum>>;

/** Whether stored content has the OC-Checksum the client sent (true when none, or one we cannot compute). */
function checksumMatches(expected: ParsedChecksum | null, stored: StoredContent): boolean {
  return !expected || !VERIFIABLE.has(expected.algo) || stored.digests[expected.algo] === expected.value;
}

/** Stored content as a file row takes it: segments, size, and oc:checksums (`SHA1:… MD5:…`). */
function contentOf(stored: StoredContent): { segments: Segment[]; size: number; checksums: string } {
  return { segments: stored.segments, size: stored.size, checksums: Object.entries(stored.digests).map(([a, v]) => `${a}:${v}`).join(' ') };
}

/**
 * Content stored for a request before its checks ran (FilesService.writeCheckingInBatch), handed
 * to the normal path when they failed. `settled` turns true once a write took it over; until
 * then whoever holds it deletes its blobs when the request ends.
 */
export interface StoredAhead {
  content: StoredContent;
  settled: boolean;
}

/**
 * Checks that a write which read nothing first makes in its batch (writeCheckingInBatch): SQL built
 * once by the caller with placeholders, and the values to bind them to. It may use the commit's
 * own placeholders (see commitBuilt: owner, path, now…), which hold the commit's values.
 */
export interface WriteChecks {
  sql: SQL;
  values: Record<string, unknown>;
}

/** What decides the statements of a content commit; one build per shape and D1 binding. */
interface CommitShape {
  /** The caller's checks when nothing was read first: the batch then finds parent and target itself. */
  checks: SQL | null;
  /** (After a read) the target existed: the replaced content becomes a version. */
  existing: boolean;
  /** The ETag precondition: none, the file must not exist, or it must have `expectEtag`. */
  expect: 'any' | 'absent' | 'etag';
  /** The owner has a quota: a guard, and the version totals for the 50 % rule. */
  quota: boolean;
  alwaysKeep: boolean;
  /** How many ancestors the path has (the IN list of the propagation). */
  ancestors: number;
}

/** Checks SQL by identity: each caller builds its own once. */
const checksIds = new WeakMap<SQL, number>();
let checksCount = 0;

/**
 * The statements of a content commit, built by drizzle once per shape with placeholders (owner,
 * path, parentPath, parentId, name, etag, now, size, mtime, checksums, segments, contentType,
 * expectEtag, quota, a0…an for the ancestors) and bound per write: building them costs drizzle
 * more CPU than the local D1 spends running them.
 */
const commitBuilt = statementsBuiltOnce((db, shape: CommitShape) => {
  const p = (name: string) => sql.placeholder(name);
  const [owner, path, now] = [p('owner'), p('path'), p('now')];
  const statements: Statement[] = [];
  const targetExists = sql`EXISTS (SELECT 1 FROM files AS f2 WHERE f2.owner = ${owner} AND f2.path = ${path})`;
  if (shape.checks) {
    const ownerHasNoQuota = sql`(SELECT u.quota FROM users AS u WHERE u.id = ${owner}) IS NULL`;
    const parentIsFolder = sql`EXISTS (SELECT 1 FROM files AS f2 WHERE f2.owner = ${owner} AND f2.path = ${p('parentPath')} AND f2.is_dir = 1)`;
    const targetIsFolder = sql`EXISTS (SELECT 1 FROM files AS f2 WHERE f2.owner = ${owner} AND f2.path = ${path} AND f2.is_dir = 1)`;
    statements.push(guard('writeChecks', sql`${ownerHasNoQuota} AND ${parentIsFolder} AND NOT ${targetIsFolder} AND (${shape.checks})`));
  }
  if (shape.expect === 'absent') statements.push(guard('etagMatches', sql`NOT ${targetExists}`));
  if (shape.expect === 'etag') {
    statements.push(guard('etagMatches', sql`EXISTS (SELECT 1 FROM files AS f2 WHERE f2.owner = ${owner} AND f2.path = ${path} AND f2.etag = ${p('expectEtag')})`));
  }
  // Only an overwrite pays for versions: a new file's batch has none of these statements. A write
  // that read nothing does not know, and runs them (they change nothing for a new file).
  const replaced = shape.checks || shape.existing
    ? new ReplacedContent(owner, path, now, { always: shape.alwaysKeep, author: owner, withTotals: shape.quota })
    : null;
  const replacedAt = statements.length;
  if (replaced) statements.push(...replaced.before);
  const currentSize = sql`COALESCE((SELECT f2.size FROM files AS f2 WHERE f2.owner = ${owner} AND f2.path = ${path}), 0)`;
  if (shape.quota) {
    statements.push(guard('quotaAvailable',
      sql`(SELECT f2.size FROM files AS f2 WHERE f2.owner = ${owner} AND f2.path = '') + ${p('size')} - ${currentSize} <= ${p('quota')}`));
  }
  const parentId = shape.checks ? fileidAt(owner, p('parentPath')) : p('parentId');
  // A new file changes its folder's mtime too.
  const touch = shape.checks
    ? { fileid: parentId, mtime: sql`(CASE WHEN ${targetExists} THEN ${files.mtime} ELSE ${now} END)` }
    : shape.existing ? undefined : { fileid: parentId, mtime: now };
  const ancestors = Array.from({ length: shape.ancestors }, (_, i) => p(`a${i}`));
  statements.push(...propagate(db, owner, ancestors, p('etag'), sql`(${p('size')} - ${currentSize})`, touch));
  const set = { size: p('size'), mtime: p('mtime'), etag: p('etag'), checksums: p('checksums'), segments: p('segments'), contentType: p('contentType') };
  statements.push(db.insert(files)
    .values({ owner, path, parentId, name: p('name'), isDir: false, createdAt: now, ...set })
    .onConflictDoUpdate({ target: [files.owner, files.path], set: Object.fromEntries(Object.entries(set).map(([k, v]) => [k, sql`${v}`])) })
    .returning());
  const rowAt = statements.length - 1;
  if (replaced) statements.push(...replaced.after);
  return { statements, meta: { replaced, replacedAt, rowAt } };
}, (shape) => {
  let checks = 0;
  if (shape.checks) {
    checks = checksIds.get(shape.checks) ?? ++checksCount;
    checksIds.set(shape.checks, checks);
  }
  return `${checks}/${shape.existing}/${shape.expect}/${shape.quota}/${shape.alwaysKeep}/${shape.ancestors}`;
});

/**
 * The Files domain for one owner's tree: the only code that writes the files and properties
 * tables. Protocol-neutral (DAV, OCS and the web app all call it); throws domain errors.
 */
export class FilesService {
  readonly db: DrizzleD1Database;
  private readonly cache = new Map<string, FileRow | null>();
  private readonly childrenMemo = new Map<number, FileRow[]>();

  constructor(
    private readonly env: Env,
    readonly owner: string,
    /** The owner's quota in bytes; null = unlimited. */
    private readonly quota: number | null,
    private readonly clock: () => number = Date.now,
  ) {
    this.db = drizzle(env.DB);
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** Fills the memo with rows read ahead (prefetch.ts); a missing home is left to get() to create. */
  seed(prefetched: Prefetched): void {
    const { path, rows, children } = prefetched;
    for (const p of pathsReadTogether(path)) {
      const row = rows.find((r) => r.path === p) ?? null;
      if (row || p !== '') this.cache.set(p, row);
    }
    const target = this.cache.get(path);
    if (children && target) this.childrenMemo.set(target.fileid, children);
  }

  /** The row at a path, or null. Memoised for the request; writes clear the memo. */
  async get(path: string): Promise<FileRow | null> {
    if (this.cache.has(path)) return this.cache.get(path)!;
    // One round trip also fetches the parent and the home: a write needs all three (parent must
    // exist, home size for the quota), and D1 round trips dominate small requests.
    const wanted = pathsReadTogether(path).filter((p) => !this.cache.has(p));
    const found = await this.db.select().from(files).where(and(eq(files.owner, this.owner), inArray(files.path, wanted)));
    // A missing home is never memoised as missing: asking for it creates it.
    for (const p of wanted) {
      const row = found.find((r) => r.path === p) ?? null;
      if (row || p !== '') this.cache.set(p, row);
    }
    // Answer from this query, not the memo: a concurrent write on this service may clear it.
    const row = found.find((r) => r.path === path) ?? null;
    if (row || path !== '') return row;
    const home = await this.createHome();
    this.cache.set('', home);
    return home;
  }

  /** The home folder is made on first use. */
  private async createHome(): Promise<FileRow> {
    const now = this.nowSeconds();
    await this.db.insert(files).values({
      owner: this.owner, path: '', parentId: null, name: '', isDir: true, size: 0, mtime: now, createdAt: now,
      etag: newEtag(), contentType: FOLDER_TYPE,
    }).onConflictDoNothing();
    return (await this.db.select().from(files).where(and(eq(files.owner, this.owner), eq(files.path, ''))))[0];
  }

  async children(dir: FileRow): Promise<FileRow[]> {
    const memo = this.childrenMemo.get(dir.fileid);
    if (memo) return memo;
    // Raw rows mapped by hand: listings are the hot path, and drizzle's mapping costs a third of it.
    const { sql: text, params } = this.db.select().from(files).where(eq(files.parentId, dir.fileid)).toSQL();
    const rows = await this.env.DB.prepare(text).bind(...params).raw();
    return rows.map(fileRowFromArray);
  }

  /** Everything below a folder, parents before children. */
  async descendants(dir: FileRow): Promise<FileRow[]> {
    return this.db.select().from(files).where(below(this.owner, dir.path)).orderBy(asc(files.path));
  }

  read(row: FileRow, range?: { offset: number; length: number }): Promise<ReadableStream<Uint8Array>> {
    return readSegments(this.env.FILES, parseSegments(row.segments), range);
  }

  /** Bytes the owner may still store; `freed` is what the write replaces. */
  async freeBytes(freed = 0): Promise<number> {
    if (this.quota === null) return Number.POSITIVE_INFINITY;
    const home = (await this.get(''))!;
    return Math.max(0, this.quota - home.size + freed);
  }

  /** Bytes used by the owner's tree. */
  async usedBytes(): Promise<number> {
    return (await this.get(''))!.size;
  }

  private async requireFolder(path: string): Promise<FileRow> {
    const parent = await this.get(path);
    if (!parent || !parent.isDir) throw new Conflict('The parent folder does not exist');
    return parent;
  }

  private runBatch(stmts: Statement[], onFailure?: () => Promise<void>): Promise<D1Result<Record<string, unknown>>[]> {
    return this.runPrepared(prepareStatements(this.env.DB, stmts), onFailure);
  }

  /** Runs statements already prepared and bound as one batch; the memo is cleared. */
  private async runPrepared(stmts: D1PreparedStatement[], onFailure?: () => Promise<void>): Promise<D1Result<Record<string, unknown>>[]> {
    this.cache.clear();
    this.childrenMemo.clear();
    try {
      return await this.env.DB.batch<Record<string, unknown>>(stmts);
    } catch (e) {
      await onFailure?.();
      throw translateBatchError(e);
    }
  }

  /**
   * Writes a file: content streams into new blobs, then one batch points the file at them and
   * propagates ETags and sizes. Readers see the old or the new content, never a mix. Content
   * stored ahead for this request (useStoredAhead) is taken instead of the body.
   */
  async writeFile(path: string, body: ReadableStream<Uint8Array> | null, opts: WriteFileOptions): Promise<{ row: FileRow; created: boolean }> {
    const { parent, existing, free } = await this.prepareWrite(path, opts.expectEtag, opts.length);
    const expected = parseChecksum(opts.checksum);
    const stored = this.takeStoredAhead() ?? await this.store(body, opts.length, expected, free);
    const dropNew = () => deleteBlobs(this.env.FILES, stored.segments.map(([k]) => k));
    if (!checksumMatches(expected, stored)) {
      await dropNew();
      throw new BadInput(`The ${expected!.algo} checksum does not match the content`);
    }
    return this.commitContent(path, { parent, existing }, contentOf(stored), opts, [], dropNew);
  }

  /**
   * Writes a file without reading anything first (optimistic-put.ts): the body is stored, then
   * one batch checks what writeFile checks before storing — the parent is a folder, the target is
   * not, the ETag precondition (`expectEtag`), the owner still has no quota — and the caller's
   * `checks`, and commits. When a check fails (or the checksum does not match, or the batch fails
   * otherwise) nothing is written and the stored content is handed back for the normal path,
   * which answers as it would have. Only for an owner without quota: a quota is checked before
   * any byte is stored.
   */
  async writeCheckingInBatch(
    path: string, body: ReadableStream<Uint8Array> | null, opts: WriteFileOptions, checks: WriteChecks,
  ): Promise<{ row: FileRow; created: boolean } | StoredAhead> {
    if (this.quota !== null) throw new Error('writeCheckingInBatch is for owners without quota');
    const expected = parseChecksum(opts.checksum);
    const stored = await this.store(body, opts.length, expected, Number.POSITIVE_INFINITY);
    if (!checksumMatches(expected, stored)) return { content: stored, settled: false };
    try {
      return await this.commitContent(path, { checks }, contentOf(stored), opts, []);
    } catch (e) {
      // A failed check (or any other failure of the batch): the normal path decides.
      if (!(e instanceof WriteChecksFailed) && !(e instanceof PreconditionFailed)) console.warn('a write checked in its batch failed; the normal path takes over:', e);
      return { content: stored, settled: false };
    }
  }

  private storedAhead: StoredAhead | null = null;

  /** Content stored for this request before its checks ran (writeCheckingInBatch), for writeFile to take. */
  useStoredAhead(ahead: StoredAhead): void {
    this.storedAhead = ahead;
  }

  private takeStoredAhead(): StoredContent | null {
    const ahead = this.storedAhead;
    if (!ahead) return null;
    this.storedAhead = null;
    ahead.settled = true; // writeFile commits or deletes it from here on
    return ahead.content;
  }

  /** Stores a body, hashing it with SHA-1 and with the algorithm of OC-Checksum when we can. */
  private async store(body: ReadableStream<Uint8Array> | null, length: number | null, expected: ParsedChecksum | null, free: number) {
    const algorithms = ['SHA1'];
    if (expected?.algo === 'MD5') algorithms.push('MD5');
    try {
      return await storeBody(this.env.FILES, body, length, algorithms, { maxBytes: free });
    } catch (e) {
      if (e instanceof BodyTooLarge) throw new QuotaExceeded('Not enough quota for this file');
      // Sabre answers an upload cut short with 400 too; the previous content is untouched.
      if (e instanceof IncompleteBody) throw new BadInput(e.message);
      throw e;
    }
  }

  /**
   * Points a file at blobs that are already stored (a chunked upload's chunks, in order): a
   * metadata write whatever the size. `alsoRun` joins the same batch (the caller's guards and
   * clean-up), so the file and the caller's rows change together or not at all. On failure the
   * blobs are left to the caller, which still owns them.
   */
  async commitSegments(path: string, segments: Segment[], opts: CommitSegmentsOptions): Promise<{ row: FileRow; created: boolean }> {
    const size = segments.reduce((n, [, s]) => n + s, 0);
    const { parent, existing } = await this.prepareWrite(path, opts.expectEtag, size);
    return this.commitContent(path, { parent, existing }, { segments, size, checksums: opts.checksums }, opts, opts.alsoRun ?? []);
  }

  /** The checks a write makes before storing anything: parent, type, ETag precondition, quota. */
  private async prepareWrite(path: string, expectEtag: string | null | undefined, length: number | null) {
    const parent = await this.requireFolder(parentPath(path)!);
    const existing = await this.get(path);
    if (existing?.isDir) throw new Conflict('A folder exists at this path');
    if (expectEtag === null && existing) throw new PreconditionFailed('The file exists already');
    if (typeof expectEtag === 'string' && existing?.etag !== expectEtag) throw new PreconditionFailed('The ETag does not match');
    const free = await this.freeBytes(existing?.size ?? 0);
    if (length !== null && length > free) throw new QuotaExceeded('Not enough quota for this file');
    return { parent, existing, free };
  }

  /**
   * One batch points `path` at stored content: the ETag and quota guards, ETag and size
   * propagation to every ancestor, and the file row. Replaced content becomes a version in the
   * same batch (versions/keep.ts); when the two-minute rule makes none, its blobs go afterwards.
   * A write that read nothing first (`checks`) finds its parent and target in the batch. The
   * statements are built once per shape (commitBuilt); `alsoRun` runs before them.
   */
  private async commitContent(
    path: string,
    known: { parent: FileRow; existing: FileRow | null } | { checks: WriteChecks },
    content: { segments: Segment[]; size: number; checksums: string | null },
    opts: { mtime: number | null; expectEtag?: string | null; alwaysKeepReplaced?: boolean },
    alsoRun: Statement[],
    onFailure?: () => Promise<void>,
  ): Promise<{ row: FileRow; created: boolean }> {
    const etag = newEtag();
    const now = this.nowSeconds();
    const checks = 'checks' in known ? known.checks : null;
    const read = 'checks' in known ? null : known;
    const ancestors = ancestorsOf(path);
    const shape: CommitShape = {
      checks: checks?.sql ?? null,
      existing: read !== null && read.existing !== null,
      expect: opts.expectEtag === null ? 'absent' : typeof opts.expectEtag === 'string' ? 'etag' : 'any',
      quota: this.quota !== null,
      alwaysKeep: opts.alwaysKeepReplaced === true,
      ancestors: ancestors.length,
    };
    const values: Record<string, unknown> = {
      ...(read ? { parentId: read.parent.fileid } : checks!.values),
      owner: this.owner, path, parentPath: parentPath(path), name: baseName(path), etag, now, size: content.size,
      mtime: opts.mtime ?? now, checksums: content.checksums, segments: JSON.stringify(content.segments),
      contentType: contentTypeOf(baseName(path)), expectEtag: opts.expectEtag ?? null, quota: this.quota,
      ...Object.fromEntries(ancestors.map((a, i) => [`a${i}`, a])),
    };
    const { statements, meta } = commitBuilt(this.env.DB, shape, values);
    const at = alsoRun.length;
    const results = await this.runPrepared([...prepareStatements(this.env.DB, alsoRun), ...statements], onFailure);
    const row = fileRowFromD1(results[at + meta.rowAt].results[0]);
    // Without a read, the replaced content's SELECT tells whether the file existed (it is not a folder).
    const existed = read ? read.existing !== null : results[at + meta.replacedAt].results.length > 0;
    if (meta.replaced) {
      await settleReplaced(this.env, this.owner, this.quota, now, meta.replaced.outcome(results, at + meta.replacedAt, at + meta.rowAt + 1));
    }
    return { row, created: !existed };
  }

  /** Creates a folder; its parent must exist. */
  async mkdir(path: string): Promise<FileRow> {
    const parent = await this.requireFolder(parentPath(path)!);
    if (await this.get(path)) throw new AlreadyExists('The target exists already');
    const now = this.nowSeconds();
    const etag = newEtag();
    const results = await this.runBatch([
      ...propagate(this.db, this.owner, ancestorsOf(path), etag, null, { fileid: parent.fileid, mtime: now }),
      this.db.insert(files).values({
        owner: this.owner, path, parentId: parent.fileid, name: baseName(path), isDir: true, size: 0, mtime: now,
        createdAt: now, etag, contentType: FOLDER_TYPE,
      }).returning(),
    ]);
    return fileRowFromD1(results[results.length - 1].results[0]);
  }

  /**
   * Statements that move a row and its subtree into the owner's trash at `place` (trash/statements.ts):
   * metadata only, sizes and ETags propagated out of the home, no blob touched. The row must still
   * be where it was read.
   */
  private removeStatements(row: FileRow, etag: string, place: TrashPlace, by: TrashedBy = {}): Statement[] {
    const opts = { etag, deletedBy: by.deletedBy ?? this.owner, alsoFor: by.alsoFor };
    return [this.sourceUnchanged(row), ...trashStatements(this.db, this.owner, row, place, opts)];
  }

  /**
   * Runs `stmts` as one batch after the statements that trash `row`, at `<name>.d<now>` or, when an
   * entry of that name and second holds it, at the next free place. Then the trash's 50 % rule,
   * which never fails the change that already happened (the cron applies it again).
   */
  private async runTrashing(row: FileRow, etag: string, stmts: Statement[], by: TrashedBy = {}): Promise<D1Result<Record<string, unknown>>[]> {
    const deletedAt = this.nowSeconds();
    let place: TrashPlace = { name: trashEntryName(row.name, deletedAt), deletedAt };
    const sizes = this.db.select({ path: files.path, size: files.size }).from(files)
      .where(and(eq(files.owner, this.owner), inArray(files.path, ['', TRASH_ROOT])));
    for (let attempt = 1; ; attempt++) {
      let results: D1Result<Record<string, unknown>>[];
      try {
        results = await this.runBatch([...this.removeStatements(row, etag, place, by), ...stmts, sizes]);
      } catch (e) {
        if (!(e instanceof AlreadyExists) || attempt === 8) throw e;
        const next = await nextTrashPlace(this.env.DB, this.owner, row.name, deletedAt, place.name, attempt * attempt);
        if (!next) throw e; // the clash was not the trash's
        place = next;
        continue;
      }
      const found = results.pop()!.results as { path: string; size: number }[];
      const size = (p: string) => found.find((r) => r.path === p)?.size ?? 0;
      await new TrashService(this.env, this.owner, this.quota, this.clock).afterTrashing({ used: size(''), trash: size(TRASH_ROOT) })
        .catch((e) => console.error('trash: the 50 % rule failed after a delete:', e));
      return results;
    }
  }

  private sourceUnchanged(row: FileRow) {
    return guard('sourceUnchanged', sql`EXISTS (SELECT 1 FROM files AS f2 WHERE f2.fileid = ${row.fileid} AND f2.path = ${row.path})`);
  }

  /**
   * Deletes a file or a folder with everything below it into the owner's trash: one batch of
   * metadata, no blob deleted (that happens when the trash lets it go, trash/service.ts). `by`
   * is for sharing: a recipient's delete also lands in the recipient's trash.
   */
  async delete(row: FileRow, by: TrashedBy = {}): Promise<void> {
    if (row.path === '') throw new Conflict('The home folder cannot be deleted');
    const parent = parentPath(row.path)!;
    await this.runTrashing(row, newEtag(), [
      this.db.update(files).set({ mtime: this.nowSeconds() }).where(and(eq(files.owner, this.owner), eq(files.path, parent))),
    ], by);
  }

  /**
   * Moves (renames) as metadata only: one row changes, descendants' paths are rewritten by one
   * indexed UPDATE, R2 is not touched. `replace` is an existing target to overwrite.
   */
  async move(row: FileRow, dest: string, replace: FileRow | null): Promise<FileRow> {
    if (row.path === '' || dest === row.path || dest.startsWith(row.path + '/')) throw new Conflict('Cannot move a folder into itself');
    const destParent = await this.requireFolder(parentPath(dest)!);
    const etag = newEtag();
    const now = this.nowSeconds();
    const o = this.owner;
    const stmts: Statement[] = [this.sourceUnchanged(row)];
    // An overwritten target goes to the trash (runTrashing, below), as in Nextcloud where Sabre deletes it first.
    if (!replace) stmts.push(guard('targetFree', sql`NOT EXISTS (SELECT 1 FROM files AS f2 WHERE f2.owner = ${o} AND f2.path = ${dest})`));
    stmts.push(...propagate(this.db, o, ancestorsOf(row.path), etag, sql`(0 - ${sizeOf(row.fileid)})`));
    stmts.push(...propagate(this.db, o, ancestorsOf(dest), etag, sizeOf(row.fileid)));
    if (row.isDir) {
      // SQLite's substr counts characters (code points), not UTF-16 units.
      const cut = [...row.path].length + 1;
      stmts.push(this.db.update(files).set({ path: sql`${dest} || substr(${files.path}, ${cut})` }).where(below(o, row.path)));
    }
    stmts.push(this.db.update(files).set({ mtime: now }).where(and(eq(files.owner, o), inArray(files.path, [parentPath(row.path)!, parentPath(dest)!]))));
    stmts.push(this.db.update(files).set({ path: dest, name: baseName(dest), parentId: destParent.fileid }).where(eq(files.fileid, row.fileid)).returning());
    const results = replace ? await this.runTrashing(replace, etag, stmts) : await this.runBatch(stmts);
    return fileRowFromD1(results[results.length - 1].results[0]);
  }

  /**
   * Copies a file or a folder (with depth 'infinity', its whole subtree). Content is copied into
   * new blobs first; then one batch inserts every row (parents resolved by path inside the batch),
   * so a failed copy leaves nothing behind.
   */
  async copy(row: FileRow, dest: string, depth: 0 | 'infinity', replace: FileRow | null): Promise<FileRow> {
    if (row.path === '' || dest === row.path || dest.startsWith(row.path + '/')) throw new Conflict('Cannot copy a folder into itself');
    await this.requireFolder(parentPath(dest)!);
    const rows = row.isDir && depth === 'infinity' ? [row, ...(await this.descendants(row))] : [row];
    const copiedSize = rows.filter((r) => !r.isDir).reduce((n, r) => n + r.size, 0);
    const free = await this.freeBytes(replace?.size ?? 0);
    if (copiedSize > free) throw new QuotaExceeded('Not enough quota for this copy');
    const newKeys: string[] = [];
    const etag = newEtag();
    const now = this.nowSeconds();
    const o = this.owner;
    const stmts: Statement[] = [];
    try {
      for (const r of rows) {
        const path = dest + r.path.slice(row.path.length);
        const segments = r.isDir ? null : await copySegments(this.env.FILES, parseSegments(r.segments));
        segments?.forEach(([k]) => newKeys.push(k));
        stmts.push(this.db.insert(files).values({
          owner: o, path, parentId: fileidAt(o, parentPath(path)!), name: baseName(path), isDir: r.isDir,
          size: r.isDir ? 0 : r.size, mtime: r.mtime, createdAt: now, etag: newEtag(), contentType: r.contentType,
          checksums: r.checksums, segments: segments ? JSON.stringify(segments) : null,
        }));
        stmts.push((sql`INSERT INTO properties (fileid, name, value) SELECT ${fileidAt(o, path)}, name, value FROM properties WHERE fileid = ${r.fileid}`));
      }
      // Folder sizes inside the copy: each copied folder holds the sum of its copied files.
      for (const r of rows) {
        if (!r.isDir || r === row && depth === 0) continue;
        const path = dest + r.path.slice(row.path.length);
        const inner = rows.filter((x) => !x.isDir && x.path.startsWith(r.path + '/')).reduce((n, x) => n + x.size, 0);
        if (inner) stmts.push(this.db.update(files).set({ size: inner }).where(and(eq(files.owner, o), eq(files.path, path))));
      }
      stmts.push(...propagate(this.db, o, ancestorsOf(dest), etag, copiedSize));
      stmts.push(this.db.update(files).set({ mtime: now }).where(and(eq(files.owner, o), eq(files.path, parentPath(dest)!))));
      if (this.quota !== null) {
        stmts.push(guard('quotaAvailable', sql`(SELECT f2.size FROM files AS f2 WHERE f2.owner = ${o} AND f2.path = '') <= ${this.quota}`));
      }
      // An overwritten target goes to the trash first (runTrashing), as in Nextcloud where Sabre deletes it.
      if (replace) await this.runTrashing(replace, etag, stmts);
      else await this.runBatch(stmts);
    } catch (e) {
      await deleteBlobs(this.env.FILES, newKeys);
      throw translateBatchError(e);
    }
    const copied = await this.get(dest);
    if (!copied) throw new NotFound('The copy vanished');
    return copied;
  }

  /** Dead properties of a row and, with `withChildren`, of its children: fileid → name → XML. */
  async deadProperties(row: FileRow, withChildren: boolean): Promise<Map<number, Map<string, string>>> {
    const query = this.db.select({ fileid: properties.fileid, name: properties.name, value: properties.value }).from(properties);
    const rows = withChildren
      ? await query.innerJoin(files, eq(files.fileid, properties.fileid)).where(or(eq(files.fileid, row.fileid), eq(files.parentId, row.fileid)))
      : await query.where(eq(properties.fileid, row.fileid));
    const out = new Map<number, Map<string, string>>();
    for (const p of rows) {
      let m = out.get(p.fileid);
      if (!m) out.set(p.fileid, (m = new Map()));
      m.set(p.name, p.value);
    }
    return out;
  }

  /** Dead properties of any set of files, by fileid (chunked: D1 binds at most 100 parameters). */
  async propertiesOf(fileids: number[]): Promise<Map<number, Map<string, string>>> {
    const out = new Map<number, Map<string, string>>();
    for (let i = 0; i < fileids.length; i += 90) {
      const rows = await this.db.select({ fileid: properties.fileid, name: properties.name, value: properties.value })
        .from(properties).where(inArray(properties.fileid, fileids.slice(i, i + 90)));
      for (const p of rows) {
        let m = out.get(p.fileid);
        if (!m) out.set(p.fileid, (m = new Map()));
        m.set(p.name, p.value);
      }
    }
    return out;
  }

  /** The owner's files and folders below `dir` that carry dead property `name` = `value` (favorites). */
  async withPropertyBelow(dir: FileRow, name: string, value: string): Promise<FileRow[]> {
    const rows = await this.db.select().from(files).innerJoin(properties, eq(properties.fileid, files.fileid))
      .where(and(below(this.owner, dir.path), eq(properties.name, name), eq(properties.value, value))).orderBy(asc(files.path));
    return rows.map((r) => r.files);
  }

  /** Sets and removes dead properties in one batch. */
  async patchProperties(row: FileRow, set: Map<string, string>, remove: string[]): Promise<void> {
    const stmts: Statement[] = [];
    for (const [name, value] of set) {
      stmts.push(this.db.insert(properties).values({ fileid: row.fileid, name, value })
        .onConflictDoUpdate({ target: [properties.fileid, properties.name], set: { value } }));
    }
    for (let i = 0; i < remove.length; i += 90) {
      stmts.push(this.db.delete(properties).where(and(eq(properties.fileid, row.fileid), inArray(properties.name, remove.slice(i, i + 90)))));
    }
    if (stmts.length) await this.runBatch(stmts);
  }
}
