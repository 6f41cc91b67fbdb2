import { sqliteTable, text, integer, primaryKey, foreignKey, index } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

/**
 * A chunked upload in progress (`/remote.php/dav/uploads/{owner}/{id}/`). `id` is chosen by the
 * client, so it is unique per owner only. `version` grows with every chunk change: completing the
 * upload guards on it, so chunks that change meanwhile can never be half-committed.
 */
export const uploads = sqliteTable('uploads', {
  owner: text('owner').notNull().references(() => users.id, { onDelete: 'cascade' }),
  id: text('id').notNull(),
  /** The final path below the owner's home, from MKCOL's Destination (chunked upload v2); null for v1. */
  destination: text('destination'),
  /** OC-Total-Length as announced by the client, when it did. */
  totalLength: integer('total_length'),
  /** Milliseconds since the epoch. */
  createdAt: integer('created_at').notNull(),
  /** Last chunk change (ms): abandoned uploads expire 24 h after it. */
  updatedAt: integer('updated_at').notNull(),
  version: integer('version').notNull().default(0),
}, (t) => [
  primaryKey({ columns: [t.owner, t.id] }),
  index('uploads_updated_at').on(t.updatedAt),
]);

/**
 * One chunk of an upload, stored as it came in: its blobs (one or more immutable segments, as
 * storeBody cuts them) become segments of the final file, in natural order of the chunk names.
 */
export const uploadChunks = sqliteTable('upload_chunks', {
  owner: text('owner').notNull(),
  uploadId: text('upload_id').notNull(),
  /** The client's chunk name (`00001`, `00000000`, a byte offset…); content order is natural order of names. */
  name: text('name').notNull(),
  /** JSON array of [r2Key, byteLength] segments, like `files.segments`; `[]` for an empty chunk. */
  segments: text('segments').notNull(),
  size: integer('size').notNull(),
  /**
   * The file's running SHA-1 after this chunk (RunningSha1.save), when the chunk continued the
   * state of the chunk before it in order (or was the first one); null when it was not hashed.
   */
  sha1State: text('sha1_state'),
  /** `segments` of the chunk whose state this one continued ('' for the first): a chunk re-sent since breaks the chain. */
  sha1After: text('sha1_after'),
}, (t) => [
  primaryKey({ columns: [t.owner, t.uploadId, t.name] }),
  foreignKey({ columns: [t.owner, t.uploadId], foreignColumns: [uploads.owner, uploads.id] }).onDelete('cascade'),
]);
