import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';
import { files } from './files';

/**
 * One entry of a user's trash bin. The trashed rows themselves stay in `files` (same fileids, so
 * properties, tags and comments survive a restore), moved below the owner's trash root
 * (worker/files/tree.ts TRASH_ROOT) where they count against no quota. `fileid` is the top of the
 * trashed subtree. When sharing arrives, a recipient's delete adds a second entry for the same
 * fileid with `user` = the recipient: each user lists the entries whose `user` is them.
 */
export const trashItems = sqliteTable('trash_items', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Whose trash lists this entry. */
  user: text('user').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** Whose tree the rows belong to (their `files.owner`). */
  owner: text('owner').notNull().references(() => users.id, { onDelete: 'cascade' }),
  fileid: integer('fileid').notNull().references(() => files.fileid, { onDelete: 'cascade' }),
  /** The name as the user knew it (nc:trashbin-filename). */
  name: text('name').notNull(),
  /** The path it was deleted from, relative to the user's home, name included (nc:trashbin-original-location). */
  originalLocation: text('original_location').notNull(),
  /** Seconds since the epoch (nc:trashbin-deletion-time). */
  deletedAt: integer('deleted_at').notNull(),
  /** Who deleted it (a share recipient, later; the owner for now). */
  deletedBy: text('deleted_by').notNull(),
  /** Bytes of the trashed subtree, for the trash's 50 % rule without a walk. */
  size: integer('size').notNull(),
}, (t) => [
  index('trash_items_user_deleted').on(t.user, t.deletedAt),
  index('trash_items_fileid').on(t.fileid),
]);

/**
 * A previous content of a file. Making a version is metadata only: the replaced content's blobs
 * simply become the version's (no copy). Rows go with their file (cascade); the blobs of a row
 * deleted for good are deleted by whoever deletes it, and the orphan collector counts
 * `file_versions.segments` as referenced.
 */
export const fileVersions = sqliteTable('file_versions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  fileid: integer('fileid').notNull().references(() => files.fileid, { onDelete: 'cascade' }),
  owner: text('owner').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** Seconds since the epoch when this content was replaced; the version's name in DAV URLs, unique per file. */
  timestamp: integer('timestamp').notNull(),
  /** The content's own mtime and ETag as it had them while current. */
  mtime: integer('mtime').notNull(),
  etag: text('etag').notNull(),
  size: integer('size').notNull(),
  contentType: text('content_type').notNull(),
  checksums: text('checksums'),
  /** JSON array of [r2Key, byteLength], like `files.segments`. */
  segments: text('segments').notNull(),
  /** nc:version-label, set through PROPPATCH; labelled versions are never thinned out. */
  label: text('label'),
  /** Who wrote this content (nc:version-author). */
  author: text('author'),
}, (t) => [
  uniqueIndex('file_versions_file_timestamp').on(t.fileid, t.timestamp),
  index('file_versions_owner').on(t.owner, t.timestamp),
]);
