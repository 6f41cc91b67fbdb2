import { sqliteTable, text, integer, uniqueIndex, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

/**
 * The file cache: one row per file or folder of a user's tree. `path` is relative to the user's
 * home ('' is the home itself, 'a/b.txt' below it), NFC-normalised. `fileid` is stable across
 * renames and moves and never reused. Content lives in R2 as an ordered list of immutable blobs.
 */
export const files = sqliteTable('files', {
  fileid: integer('fileid').primaryKey({ autoIncrement: true }),
  owner: text('owner').notNull().references(() => users.id, { onDelete: 'cascade' }),
  path: text('path').notNull(),
  parentId: integer('parent_id'),
  name: text('name').notNull(),
  isDir: integer('is_dir', { mode: 'boolean' }).notNull(),
  /** File: content length. Folder: sum of everything below it. */
  size: integer('size').notNull().default(0),
  /** Seconds since the epoch (client-settable through X-OC-Mtime). */
  mtime: integer('mtime').notNull(),
  createdAt: integer('created_at').notNull(),
  etag: text('etag').notNull(),
  contentType: text('content_type').notNull(),
  /** Stored checksums, Nextcloud style: `SHA1:… MD5:…`. */
  checksums: text('checksums'),
  /** JSON array of [r2Key, byteLength] segments; null for folders. */
  segments: text('segments'),
}, (t) => [
  uniqueIndex('files_owner_path').on(t.owner, t.path),
  index('files_parent').on(t.parentId),
]);

/** Dead properties set by PROPPATCH, per file; `value` is the property element's XML. */
export const properties = sqliteTable('properties', {
  fileid: integer('fileid').notNull().references(() => files.fileid, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  value: text('value').notNull(),
}, (t) => [primaryKey({ columns: [t.fileid, t.name] })]);

/** WebDAV locks (RFC 4918 §6–7) on paths of one user's tree, live until `expiresAt`. */
export const locks = sqliteTable('locks', {
  token: text('token').primaryKey(),
  owner: text('owner').notNull().references(() => users.id, { onDelete: 'cascade' }),
  path: text('path').notNull(),
  depth: integer('depth').notNull(),
  exclusive: integer('exclusive', { mode: 'boolean' }).notNull(),
  /** The lock's DAV:owner element as XML, returned in lockdiscovery. */
  ownerXml: text('owner_xml'),
  /** Who took it: only that principal may use the token. */
  principal: text('principal').notNull(),
  timeoutSeconds: integer('timeout_seconds').notNull(),
  expiresAt: integer('expires_at').notNull(),
}, (t) => [index('locks_owner_path').on(t.owner, t.path)]);

/**
 * Never holds a row. A D1 batch has no IF: a guard statement inserts NULL here when its condition
 * fails, the NOT NULL constraint aborts, and the whole batch rolls back. The column names the
 * failed condition in the error message.
 */
export const batchGuards = sqliteTable('batch_guards', {
  etagMatches: integer('etag_matches').notNull().default(1),
  quotaAvailable: integer('quota_available').notNull().default(1),
  targetFree: integer('target_free').notNull().default(1),
  sourceUnchanged: integer('source_unchanged').notNull().default(1),
  /** What a write that read nothing first checks in its own batch (files/optimistic-put.ts). */
  writeChecks: integer('write_checks').notNull().default(1),
});
