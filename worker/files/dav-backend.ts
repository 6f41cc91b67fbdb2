import type { DavBackend, DavResource, PropertyDef, ReportDef, WriteOptions } from '../dav/backend';
import { DavError } from '../dav/errors';
import { AlreadyExists, BadInput, Conflict, DomainError, Forbidden, Locked, NotFound, PreconditionFailed, QuotaExceeded } from '../errors';
import { filesProperties, ocId } from './dav-properties';
import { D1LockStore } from './locks';
import { filesReports } from './reports';
import { acceptsZip, zipResponse } from './zip';
import type { DavRequest } from '../dav/request';
import type { FileRow, FilesService } from './service';

/** A file or folder as the DAV core sees it. */
export class FileNode implements DavResource {
  constructor(readonly row: FileRow) {}
  get path() { return this.row.path; }
  get isCollection() { return this.row.isDir; }
  get etag() { return this.row.etag; }
  get lastModifiedMs() { return this.row.mtime * 1000; }
  get createdMs() { return this.row.createdAt * 1000; }
  get contentLength() { return this.row.size; }
  get contentType() { return this.row.contentType; }
}

/** Domain errors become DAV errors here (the uploads backend shares this through `dav`). */
function toDav(e: unknown): unknown {
  if (!(e instanceof DomainError)) return e;
  if (e instanceof NotFound) return new DavError(404, e.message);
  if (e instanceof AlreadyExists) return new DavError(412, e.message);
  if (e instanceof Conflict) return new DavError(409, e.message);
  if (e instanceof PreconditionFailed) return new DavError(412, e.message);
  if (e instanceof QuotaExceeded) return new DavError(507, e.message);
  if (e instanceof Locked) return new DavError(423, e.message);
  if (e instanceof Forbidden) return new DavError(403, e.message);
  if (e instanceof BadInput) return new DavError(400, e.message);
  return new DavError(400, e.message);
}

/** Runs a service call, turning its domain errors into DAV errors. */
export async function dav<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw toDav(e);
  }
}

/** The DAV backend of one user's files (`/remote.php/dav/files/{user}/`). */
export class FilesDavBackend implements DavBackend<FileNode> {
  readonly properties: readonly PropertyDef<FileNode, any>[];
  readonly reports: readonly ReportDef<FileNode>[];
  readonly locks: D1LockStore;

  constructor(
    readonly service: FilesService,
    readonly owner: { id: string; displayName: string },
    env: Env,
    private readonly now: number,
  ) {
    this.properties = filesProperties(this);
    this.reports = filesReports(this);
    this.locks = new D1LockStore(env, service.owner);
  }

  async resolve(path: string): Promise<FileNode | null> {
    // Locks load in parallel with the first lookup: most requests ask about both.
    const [row] = await Promise.all([this.service.get(path), this.locks.preload(this.now)]);
    return row ? new FileNode(row) : null;
  }

  /** GET of a folder with Accept: application/zip → the folder as a streamed ZIP (zip.ts). */
  async getCollection(r: DavRequest<FileNode>, target: FileNode): Promise<Response | null> {
    return acceptsZip(r.req) ? zipResponse(this.service, target.row, r.req, r.req.method === 'HEAD') : null;
  }

  async children(collection: FileNode): Promise<FileNode[]> {
    return (await this.service.children(collection.row)).map((r) => new FileNode(r));
  }

  async deadProperties(target: FileNode, depth: 0 | 1): Promise<Map<string, Map<string, string>>> {
    const byId = await this.service.deadProperties(target.row, depth === 1 && target.isCollection);
    if (byId.size === 0) return new Map();
    const rows = depth === 1 && target.isCollection ? [target.row, ...(await this.service.children(target.row))] : [target.row];
    const out = new Map<string, Map<string, string>>();
    for (const r of rows) {
      const props = byId.get(r.fileid);
      if (props) out.set(r.path, props);
    }
    return out;
  }

  /**
   * Dead properties of a set of resources, keyed by path: a PROPFIND's target and its children in
   * one query; anything else (a report's scattered results) by fileid.
   */
  async deadPropertiesOf(resources: readonly FileNode[]): Promise<Map<string, Map<string, string>>> {
    const [first, ...rest] = resources;
    if (!first) return new Map();
    if (rest.every((n) => n.row.parentId === first.row.fileid)) return this.deadProperties(first, rest.length > 0 ? 1 : 0);
    const byId = await this.service.propertiesOf(resources.map((n) => n.row.fileid));
    return new Map(resources.filter((n) => byId.has(n.row.fileid)).map((n) => [n.path, byId.get(n.row.fileid)!]));
  }

  patchDeadProperties(resource: FileNode, set: Map<string, string>, remove: string[]): Promise<void> {
    return dav(() => this.service.patchProperties(resource.row, set, remove));
  }

  read(resource: FileNode, range?: { offset: number; length: number }): Promise<ReadableStream<Uint8Array>> {
    return this.service.read(resource.row, range);
  }

  write(path: string, body: ReadableStream<Uint8Array> | null, opts: WriteOptions) {
    return dav(async () => {
      const { row, created } = await this.service.writeFile(path, body, opts);
      return { resource: new FileNode(row), created };
    });
  }

  createCollection(path: string) {
    return dav(async () => new FileNode(await this.service.mkdir(path)));
  }

  delete(resource: FileNode) {
    return dav(() => this.service.delete(resource.row));
  }

  copy(source: FileNode, dest: string, opts: { depth: 0 | 'infinity'; replace: FileNode | null }) {
    return dav(async () => new FileNode(await this.service.copy(source.row, dest, opts.depth, opts.replace?.row ?? null)));
  }

  move(source: FileNode, dest: string, opts: { replace: FileNode | null }) {
    return dav(async () => new FileNode(await this.service.move(source.row, dest, opts.replace?.row ?? null)));
  }

  writeHeaders(resource: FileNode): Record<string, string> {
    return fileWriteHeaders(resource.row);
  }
}

/** Nextcloud's headers on a written file: its id and ETag (OC-ETag, as sync clients read it). */
export function fileWriteHeaders(row: FileRow): Record<string, string> {
  return { 'OC-FileId': ocId(row.fileid), 'OC-ETag': `"${row.etag}"` };
}
