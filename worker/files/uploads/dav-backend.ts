import type { DavBackend, DavResource, LockStore, PropertyDef, WriteOptions } from '../../dav/backend';
import { DavError } from '../../dav/errors';
import { QuotaExceeded } from '../../errors';
import { dav } from '../dav-backend';
import { FOLDER_TYPE } from '../mimetypes';
import { parseChecksum, type FilesService } from '../service';
import { compareNatural } from './order';
import { CHAINABLE_NAME, chainStart } from './chained-sha1';
import { filesPathOf, parseTotalLength } from './destination';
import { MAX_CHUNKS, type ChunkRow, type UploadRow, type UploadStore } from './store';

/** The name under which an upload folder offers its assembled content to MOVE. */
export const FUTURE_FILE = '.file';

/** The uploads home, an upload folder, or one chunk, as the DAV core sees it. */
export class UploadNode implements DavResource {
  constructor(readonly path: string, readonly upload: UploadRow | null, readonly chunk: ChunkRow | null, private readonly now: number) {}
  get isCollection() { return this.chunk === null; }
  get etag() {
    // A chunk's blobs are new on every write, so its first key names this version of it.
    if (this.chunk) return /"blobs\/([^"]+)"/.exec(this.chunk.segments)?.[1] ?? `empty-${this.upload?.version ?? 0}`;
    return this.upload ? `${this.upload.createdAt}-${this.upload.version}` : 'uploads';
  }
  get lastModifiedMs() { return this.upload?.updatedAt ?? this.now; }
  get createdMs() { return this.upload?.createdAt ?? this.now; }
  get contentLength() { return this.chunk?.size ?? 0; }
  get contentType() { return this.chunk ? 'application/octet-stream' : FOLDER_TYPE; }
}

/** Uploads hold no locks (clients never lock chunks); LOCK is refused by the route. */
const NO_LOCKS: LockStore = {
  locksAround: async () => [],
  create: async () => { throw new DavError(405, 'Uploads cannot be locked'); },
  refresh: async () => null,
  remove: async () => {},
  removeAtOrBelow: async () => {},
};

/**
 * The DAV backend of `/remote.php/dav/uploads/{user}/`: upload folders (MKCOL), chunks (PUT,
 * listed by PROPFIND with their sizes), DELETE of either. Completing an upload (MOVE of `.file`
 * into the files tree) crosses mounts and lives in finish.ts.
 */
export class UploadsDavBackend implements DavBackend<UploadNode> {
  readonly properties: readonly PropertyDef<UploadNode, unknown>[] = [];
  readonly locks = NO_LOCKS;
  private readonly memo = new Map<string, Promise<UploadRow | null>>();

  constructor(
    private readonly store: UploadStore,
    private readonly files: FilesService,
    private readonly request: Request,
    private readonly now: number,
  ) {}

  private upload(id: string): Promise<UploadRow | null> {
    let p = this.memo.get(id);
    if (!p) this.memo.set(id, (p = this.store.get(id)));
    return p;
  }

  async resolve(path: string): Promise<UploadNode | null> {
    if (path === '') return new UploadNode('', null, null, this.now);
    const [id, name, ...rest] = path.split('/');
    const upload = await this.upload(id);
    if (!upload || rest.length > 0) return null;
    if (name === undefined) return new UploadNode(id, upload, null, this.now);
    const chunk = await this.store.chunk(id, name);
    return chunk ? new UploadNode(path, upload, chunk, this.now) : null;
  }

  async children(collection: UploadNode): Promise<UploadNode[]> {
    if (!collection.upload) return (await this.store.list()).map((u) => new UploadNode(u.id, u, null, this.now));
    const chunks = (await this.store.chunks(collection.upload.id)).sort((a, b) => compareNatural(a.name, b.name));
    return chunks.map((c) => new UploadNode(`${c.uploadId}/${c.name}`, collection.upload, c, this.now));
  }

  async deadProperties(): Promise<Map<string, Map<string, string>>> {
    return new Map();
  }

  async patchDeadProperties(): Promise<void> {
    throw new DavError(403, 'Uploads have no properties to set');
  }

  async read(): Promise<ReadableStream<Uint8Array>> {
    throw new DavError(403, 'Chunks cannot be downloaded');
  }

  /** Bytes the owner may still store for this upload: what the destination's current file frees counts. */
  private async freeFor(destination: string | null): Promise<number> {
    const dest = destination ? await this.files.get(destination) : null;
    return this.files.freeBytes(dest && !dest.isDir ? dest.size : 0);
  }

  write(path: string, body: ReadableStream<Uint8Array> | null, opts: WriteOptions) {
    return dav(async () => {
      const [id, name, ...rest] = path.split('/');
      if (name === undefined || rest.length > 0) throw new DavError(403, 'Chunks belong in an upload folder');
      if (name === FUTURE_FILE) throw new DavError(403, `${FUTURE_FILE} is the assembled file, not a chunk`);
      // R2 needs the length of each blob; every chunked-upload client sends it.
      if (opts.length === null) throw new DavError(411, 'A chunk needs a Content-Length');
      const upload = await this.upload(id);
      if (!upload) throw new DavError(409, 'The upload folder does not exist');
      const checksum = parseChecksum(opts.checksum);
      const numbered = CHAINABLE_NAME.test(name);
      const [replaced, usage, free, before] = await Promise.all([
        this.store.chunk(id, name), this.store.usage(id), this.freeFor(upload.destination), numbered ? this.store.chunkBefore(id, name) : null,
      ]);
      if (!replaced && usage.count >= MAX_CHUNKS) throw new DavError(400, `An upload holds at most ${MAX_CHUNKS} chunks`);
      // Quota is checked before any byte is stored: against the announced total (desktop clients
      // send OC-Total-Length on MKCOL and on chunks) and against what the chunks would add up to.
      const announced = Math.max(parseTotalLength(this.request.headers.get('OC-Total-Length')) ?? 0, upload.totalLength ?? 0);
      if (announced > free || usage.bytes - (replaced?.size ?? 0) + opts.length > free) {
        throw new QuotaExceeded('Not enough quota for this upload');
      }
      const chunk = await this.store.putChunk(upload, name, body, opts.length, checksum, numbered ? chainStart(before, name) : null);
      this.memo.delete(id);
      return { resource: new UploadNode(path, upload, chunk, this.now), created: !replaced };
    });
  }

  createCollection(path: string) {
    return dav(async () => {
      if (path.includes('/')) throw new DavError(403, 'Upload folders hold chunks, not folders');
      const totalLength = parseTotalLength(this.request.headers.get('OC-Total-Length'));
      const destHeader = this.request.headers.get('Destination');
      const destination = destHeader === null ? null : filesPathOf(destHeader, this.request, this.store.owner);
      if (destination === '' || (destHeader !== null && destination === null)) {
        throw new DavError(400, 'The Destination must be a file in your files');
      }
      if (totalLength !== null && totalLength > (await this.freeFor(destination))) throw new QuotaExceeded('Not enough quota for this upload');
      const upload = await this.store.create(path, { destination, totalLength });
      this.memo.delete(path);
      return new UploadNode(path, upload, null, this.now);
    });
  }

  delete(resource: UploadNode) {
    return dav(async () => {
      if (resource.chunk && resource.upload) await this.store.deleteChunk(resource.upload, resource.chunk.name);
      else if (resource.upload) await this.store.remove(resource.upload.id);
      this.memo.clear();
    });
  }

  async copy(): Promise<UploadNode> {
    throw new DavError(403, 'Uploads cannot be copied');
  }

  async move(): Promise<UploadNode> {
    throw new DavError(403, `Only ${FUTURE_FILE} can be moved, and only into the files tree`);
  }
}
