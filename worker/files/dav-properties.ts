import type { PropertyDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { clark, NS } from '../dav/namespaces';
import { escapeXml, textOf } from '../dav/xml';
import type { FileNode, FilesDavBackend } from './dav-backend';

const OC = (l: string) => clark(NS.OC, l);
const NC = (l: string) => clark(NS.NC, l);
const D = (l: string) => clark(NS.DAV, l);

/** Nextcloud's instance id, part of every oc:id (fileid padded to 8 digits + instance id). */
export const INSTANCE_ID = 'occumulus';

export function ocId(fileid: number): string {
  return String(fileid).padStart(8, '0') + INSTANCE_ID;
}

/** Nextcloud's permission letters for one's own files: G read, D delete, N rename, V move, W write, C/K create. */
export function permissionsOf(node: FileNode): string {
  return node.isCollection ? 'RGDNVCK' : 'RGDNVW';
}


/** oc:favorite: a dead property clients set by PROPPATCH, read as a live one (0 when unset). */
export const FAVORITE = OC('favorite');

/** The Files live properties beyond the core DAV set (nextcloud-api.md §3). */
export function filesProperties(backend: FilesDavBackend): PropertyDef<FileNode, any>[] {
  return [
    { name: OC('id'), inAllprop: true, get: (n) => ocId(n.row.fileid) },
    { name: OC('fileid'), inAllprop: true, get: (n) => String(n.row.fileid) },
    { name: OC('permissions'), inAllprop: true, get: (n) => permissionsOf(n) },
    { name: OC('size'), inAllprop: true, get: (n) => String(n.row.size) },
    { name: OC('checksums'), get: (n) => (n.row.checksums ? `<oc:checksum>${escapeXml(n.row.checksums)}</oc:checksum>` : undefined) },
    { name: OC('owner-id'), get: () => escapeXml(backend.owner.id) },
    { name: OC('owner-display-name'), get: () => escapeXml(backend.owner.displayName) },
    // Constant: a changed fingerprint makes the desktop client think the server was restored from backup.
    { name: OC('data-fingerprint'), get: () => '' },
    { name: OC('share-types'), get: () => '' },
    { name: NC('has-preview'), get: () => 'false' },
    {
      name: FAVORITE,
      prepare: (resources) => backend.deadPropertiesOf(resources),
      get: (n, dead: Map<string, Map<string, string>>) => (dead.get(n.path)?.get(FAVORITE) === '1' ? '1' : '0'),
      async set(n, value) {
        const v = value ? textOf(value).trim() : '0';
        if (v !== '0' && v !== '1') throw new DavError(400, 'oc:favorite must be 0 or 1');
        await backend.service.patchProperties(n.row, v === '1' ? new Map([[FAVORITE, '1']]) : new Map(), v === '1' ? [] : [FAVORITE]);
      },
    },
    {
      name: D('quota-used-bytes'),
      prepare: () => backend.service.usedBytes(),
      get: (n, used: number) => String(n.isCollection ? (n.path === '' ? used : n.row.size) : n.row.size),
    },
    {
      name: D('quota-available-bytes'),
      prepare: () => backend.service.freeBytes(),
      // -3 is Nextcloud's "unlimited" (FileInfo::SPACE_UNLIMITED); clients know it.
      get: (n, free: number) => (n.isCollection ? (free === Number.POSITIVE_INFINITY ? '-3' : String(free)) : undefined),
    },
  ];
}
