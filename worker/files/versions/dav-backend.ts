import type { DavBackend, DavResource, LockStore, PropertyDef } from '../../dav/backend';
import { DavError } from '../../dav/errors';
import { lockCovers } from '../../dav/locks';
import { clark, NS } from '../../dav/namespaces';
import { escapeXml, textOf } from '../../dav/xml';
import { dav } from '../dav-backend';
import { ocId } from '../dav-properties';
import { D1LockStore } from '../locks';
import { FOLDER_TYPE } from '../mimetypes';
import type { FileRow, FilesService } from '../service';
import type { VersionRow, VersionsService } from './service';

const NC = (l: string) => clark(NS.NC, l);

/** What a path of `/remote.php/dav/versions/{user}/` names (Nextcloud's VersionRoot, VersionCollection, VersionFile, RestoreFolder). */
type Kind = 'home' | 'versions' | 'file' | 'version' | 'restore' | 'restored';

/** A node of the versions tree as the DAV core sees it. */
export class VersionNode implements DavResource {
  constructor(
    readonly path: string,
    readonly kind: Kind,
    private readonly now: number,
    readonly file: FileRow | null = null,
    readonly version: VersionRow | null = null,
  ) {}
  get isCollection() { return this.kind !== 'version' && this.kind !== 'restored'; }
  get etag() { return this.version?.etag ?? this.file?.etag ?? 'versions'; }
  /** A version's own modification time, as Nextcloud reports it (the web UI dates versions by it). */
  get lastModifiedMs() { return (this.version?.mtime ?? this.file?.mtime ?? Math.floor(this.now / 1000)) * 1000; }
  /** When the content was replaced: the version's name. */
  get createdMs() { return (this.version?.timestamp ?? this.file?.createdAt ?? Math.floor(this.now / 1000)) * 1000; }
  get contentLength() { return this.version?.size ?? 0; }
  get contentType() { return this.version?.contentType ?? FOLDER_TYPE; }
}

/** Versions hold no locks; LOCK and UNLOCK are refused by the route. */
const NO_LOCKS: LockStore = {
  locksAround: async () => [],
  create: async () => { throw new DavError(405, 'Versions cannot be locked'); },
  refresh: async () => null,
  remove: async () => {},
  removeAtOrBelow: async () => {},
};

/** A fileid or a version name: decimal digits only, so `007` or `1e3` name nothing. */
function parseId(segment: string | undefined): number | null {
  if (segment === undefined || !/^[1-9]\d{0,14}$/.test(segment)) return null;
  return Number(segment);
}

/** Content-Disposition naming the file the version belongs to (as Nextcloud's versions plugin does). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename*=UTF-8''${encodeURIComponent(name)}; filename="${ascii}"`;
}

const forbidden = (message: string) => new DavError(403, message);

/**
 * The DAV backend of `/remote.php/dav/versions/{user}/`: `versions/{fileid}` lists a file's
 * versions (named by timestamp), GET downloads one, DELETE deletes it for good, PROPPATCH of
 * nc:version-label labels it, and MOVE of it to `restore/{anything}` restores it. Nothing else
 * can be written: a version's content never changes.
 */
export class VersionsDavBackend implements DavBackend<VersionNode> {
  readonly properties: readonly PropertyDef<VersionNode, any>[];
  readonly locks = NO_LOCKS;
  /** Labels PROPPATCH asked for, written in patchDeadProperties so a refused request writes nothing. */
  private readonly pendingLabels = new Map<VersionNode, string | null>();

  constructor(
    readonly versions: VersionsService,
    private readonly files: FilesService,
    private readonly env: Env,
    private readonly now: number,
  ) {
    this.properties = [
      {
        name: NC('version-label'),
        get: (n) => (n.version?.label ? escapeXml(n.version.label) : undefined),
        set: async (n, value) => {
          if (n.kind !== 'version') throw forbidden('Only a version has a label');
          this.pendingLabels.set(n, value === null ? null : textOf(value));
        },
      },
      { name: NC('version-author'), get: (n) => (n.version?.author ? escapeXml(n.version.author) : undefined) },
      // No previews are generated yet; Nextcloud clients then show an icon.
      { name: NC('has-preview'), get: (n) => (n.kind === 'version' ? 'false' : undefined) },
      { name: clark(NS.OC, 'fileid'), get: (n) => (n.file ? String(n.file.fileid) : undefined) },
    ];
  }

  async resolve(path: string): Promise<VersionNode | null> {
    if (path === '') return new VersionNode('', 'home', this.now);
    const [top, first, second, ...rest] = path.split('/');
    if (rest.length > 0) return null;
    if (top === 'restore') return first === undefined ? new VersionNode(path, 'restore', this.now) : null;
    if (top !== 'versions') return null;
    if (first === undefined) return new VersionNode(path, 'versions', this.now);
    const fileid = parseId(first);
    const file = fileid === null ? null : await this.versions.file(fileid);
    if (!file) return null;
    if (second === undefined) return new VersionNode(path, 'file', this.now, file);
    const timestamp = parseId(second);
    const version = timestamp === null ? null : await this.versions.get(file.fileid, timestamp);
    return version ? new VersionNode(path, 'version', this.now, file, version) : null;
  }

  async children(collection: VersionNode): Promise<VersionNode[]> {
    if (collection.kind === 'home') return [new VersionNode('versions', 'versions', this.now), new VersionNode('restore', 'restore', this.now)];
    if (collection.kind !== 'file') return []; // like Nextcloud, the files with versions are not enumerated
    const file = collection.file!;
    return (await this.versions.list(file.fileid)).map((v) => new VersionNode(`versions/${file.fileid}/${v.timestamp}`, 'version', this.now, file, v));
  }

  async deadProperties(): Promise<Map<string, Map<string, string>>> {
    return new Map();
  }

  patchDeadProperties(resource: VersionNode, set: Map<string, string>, remove: string[]): Promise<void> {
    return dav(async () => {
      if (set.size > 0 || remove.length > 0) throw forbidden('Versions have no properties to set but nc:version-label');
      const label = this.pendingLabels.get(resource);
      if (label === undefined) return;
      this.pendingLabels.delete(resource);
      await this.versions.setLabel(resource.version!, label);
    });
  }

  async read(resource: VersionNode, range?: { offset: number; length: number }): Promise<ReadableStream<Uint8Array>> {
    if (!resource.version) throw forbidden('Only a version has content');
    return this.versions.read(resource.version, range);
  }

  async write(): Promise<never> {
    throw forbidden('A version cannot be written');
  }

  async createCollection(): Promise<never> {
    throw forbidden('Nothing can be created here');
  }

  delete(resource: VersionNode): Promise<void> {
    return dav(async () => {
      if (!resource.version) throw forbidden('Only a version can be deleted');
      await this.versions.delete(resource.version);
    });
  }

  async copy(): Promise<never> {
    throw forbidden('Versions cannot be copied; MOVE one to restore/target to restore it');
  }

  /** MOVE of a version into `restore/` restores it (Nextcloud's RestoreFolder takes any name there). */
  move(source: VersionNode, dest: string): Promise<VersionNode> {
    return dav(async () => {
      const [top, name, ...rest] = dest.split('/');
      if (source.kind !== 'version' || top !== 'restore' || name === undefined || rest.length > 0) {
        throw forbidden('Only a version can be moved, and only to restore/target');
      }
      const file = source.file!;
      // A WebDAV lock on the file guards it against every writer, restores included.
      const held = await new D1LockStore(this.env, this.versions.owner).locksAround(file.path, { descendants: false, now: this.now });
      if (held.some((l) => lockCovers(l, file.path))) throw new DavError(423, 'The file is locked', { condition: 'lock-token-submitted' });
      const row = await this.versions.restore(this.files, file, source.version!);
      return new VersionNode(dest, 'restored', this.now, row);
    });
  }

  writeHeaders(resource: VersionNode): Record<string, string> {
    if (resource.kind === 'restored') return { 'OC-FileId': ocId(resource.file!.fileid), 'OC-ETag': `"${resource.file!.etag}"` };
    if (resource.kind === 'version') return { 'Content-Disposition': attachment(resource.file!.name) };
    return {};
  }
}
