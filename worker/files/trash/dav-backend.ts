import type { DavBackend, DavResource, LockStore, PropertyDef, WriteOptions } from '../../dav/backend';
import { DavError } from '../../dav/errors';
import { dav } from '../dav-backend';
import { ocId } from '../dav-properties';
import { FOLDER_TYPE } from '../mimetypes';
import { trashProperties } from './dav-properties';
import { entryNameOf, type TrashedRow, type TrashService } from './service';

/** The trashbin home (''), its `trash` and `restore` collections, a trashed row, or a row just restored. */
type Kind = 'home' | 'trash' | 'restore' | 'item' | 'restored';

/** A node of `/remote.php/dav/trashbin/{user}/` as the DAV core sees it. */
export class TrashNode implements DavResource {
  constructor(
    readonly path: string,
    readonly kind: Kind,
    /** The trashed (or restored) row with its entry; null for the three collections. */
    readonly item: TrashedRow | null,
    private readonly collectionEtag: string,
  ) {}
  /** True for the top of an entry (Nextcloud's TrashFile/TrashFolder, as opposed to rows inside a trashed folder). */
  get isEntry() { return this.item !== null && this.item.row.fileid === this.item.entry.fileid; }
  get isCollection() { return this.item === null || this.item.row.isDir; }
  get etag() { return this.item?.row.etag ?? this.collectionEtag; }
  // An entry's modification time is its deletion time, as in Nextcloud (its name ends in .d<that time>).
  get lastModifiedMs() { return this.item ? (this.isEntry ? this.item.entry.deletedAt : this.item.row.mtime) * 1000 : 0; }
  get createdMs() { return (this.item?.row.createdAt ?? 0) * 1000; }
  get contentLength() { return this.item?.row.size ?? 0; }
  get contentType() { return this.item?.row.contentType ?? FOLDER_TYPE; }
}

/** The trash holds no locks; LOCK is refused by the route. */
const NO_LOCKS: LockStore = {
  locksAround: async () => [],
  create: async () => { throw new DavError(405, 'The trash bin cannot be locked'); },
  refresh: async () => null,
  remove: async () => {},
  removeAtOrBelow: async () => {},
};

/** Content-Disposition with the item's real name (RFC 5987 UTF-8 and an ASCII fallback), as Nextcloud's TrashbinPlugin sends. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename*=UTF-8''${encodeURIComponent(name)}; filename="${ascii}"`;
}

/**
 * The DAV backend of `/remote.php/dav/trashbin/{user}/` (Nextcloud's files_trashbin tree):
 * `trash/` lists the entries (`<name>.d<deletion time>`) and can be browsed into; GET downloads;
 * DELETE deletes for good (on `trash` itself: empties it); MOVE of an item to `restore/<anything>`
 * restores it. Nothing else can be written.
 */
export class TrashDavBackend implements DavBackend<TrashNode> {
  readonly properties: readonly PropertyDef<TrashNode, any>[];
  readonly locks = NO_LOCKS;
  private rootEtag: Promise<string> | null = null;

  constructor(
    readonly service: TrashService,
    readonly user: { id: string; displayName: string },
  ) {
    this.properties = trashProperties(this);
  }

  /** The ETag of the trash collection: the trash root's, which changes with every trash change. */
  private etagOfTrash(): Promise<string> {
    this.rootEtag ??= this.service.root().then((r) => r?.etag ?? 'empty');
    return this.rootEtag;
  }

  async resolve(path: string): Promise<TrashNode | null> {
    if (path === '') return new TrashNode('', 'home', null, 'trashbin');
    const [top, name, ...rest] = path.split('/');
    if (top === 'restore') return name === undefined ? new TrashNode('restore', 'restore', null, 'restore') : null;
    if (top !== 'trash') return null;
    if (name === undefined) return new TrashNode('trash', 'trash', null, await this.etagOfTrash());
    const item = await this.service.find(name, rest.join('/'));
    return item ? new TrashNode(path, 'item', item, '') : null;
  }

  async children(collection: TrashNode): Promise<TrashNode[]> {
    switch (collection.kind) {
      case 'home':
        return [(await this.resolve('trash'))!, (await this.resolve('restore'))!];
      case 'trash':
        return (await this.service.entries()).map((entry) => new TrashNode(`trash/${entryNameOf(entry)}`, 'item', { entry, row: entry.row }, ''));
      case 'item': {
        const { entry, row } = collection.item!;
        if (!row.isDir) return [];
        return (await this.service.children(row)).map((r) => new TrashNode(`${collection.path}/${r.name}`, 'item', { entry, row: r }, ''));
      }
      default:
        return [];
    }
  }

  // Dead properties stay with the fileid while trashed and come back on restore; the trash does not show them.
  async deadProperties(): Promise<Map<string, Map<string, string>>> {
    return new Map();
  }

  async patchDeadProperties(): Promise<void> {
    throw new DavError(403, 'Items in the trash bin cannot be changed');
  }

  async read(resource: TrashNode, range?: { offset: number; length: number }): Promise<ReadableStream<Uint8Array>> {
    if (!resource.item || resource.item.row.isDir) throw new DavError(403, 'Only files can be downloaded');
    return this.service.read(resource.item.row, range);
  }

  async write(_path: string, _body: ReadableStream<Uint8Array> | null, _opts: WriteOptions): Promise<{ resource: TrashNode; created: boolean }> {
    throw new DavError(403, 'Nothing can be uploaded into the trash bin');
  }

  async createCollection(): Promise<TrashNode> {
    throw new DavError(403, 'Folders cannot be created in the trash bin');
  }

  delete(resource: TrashNode): Promise<void> {
    return dav(async () => {
      if (resource.kind === 'trash') return this.service.empty();
      if (resource.kind !== 'item') throw new DavError(403, 'This collection cannot be deleted');
      return this.service.deleteForGood(resource.item!);
    });
  }

  async copy(): Promise<TrashNode> {
    throw new DavError(403, 'Items in the trash bin cannot be copied; restore them with MOVE to restore/');
  }

  /** Restores: MOVE of a trashed item to `restore/<any name>` (the name is not used: it goes back where it was). */
  move(source: TrashNode, dest: string) {
    return dav(async () => {
      if (source.kind !== 'item') throw new DavError(403, 'Only items in the trash can be restored');
      const [top, name, ...rest] = dest.split('/');
      if (top !== 'restore' || name === undefined || rest.length > 0) {
        throw new DavError(403, 'Items can only be moved to restore/ (which restores them)');
      }
      const row = await this.service.restore(source.item!);
      return new TrashNode(dest, 'restored', { entry: source.item!.entry, row }, '');
    });
  }

  writeHeaders(resource: TrashNode): Record<string, string> {
    if (!resource.item) return {};
    const headers: Record<string, string> = { 'OC-FileId': ocId(resource.item.row.fileid) };
    if (resource.kind === 'item' && !resource.item.row.isDir) {
      headers['Content-Disposition'] = attachment(resource.isEntry ? resource.item.entry.name : resource.item.row.name);
    }
    return headers;
  }
}
