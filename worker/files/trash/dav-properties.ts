import type { PropertyDef } from '../../dav/backend';
import { clark, NS } from '../../dav/namespaces';
import { baseName } from '../../dav/paths';
import { escapeXml } from '../../dav/xml';
import { ocId } from '../dav-properties';
import { originalLocationOf } from './service';
import type { TrashDavBackend, TrashNode } from './dav-backend';

const OC = (l: string) => clark(NS.OC, l);
const NC = (l: string) => clark(NS.NC, l);
const D = (l: string) => clark(NS.DAV, l);

/** The name a trashed row had (an entry's is the one it was deleted under). */
function filenameOf(n: TrashNode): string {
  return n.isEntry ? n.item!.entry.name : n.item!.row.name;
}

/** A value for trashed rows only; the three collections have none (404 propstat). */
function ofItem(get: (n: TrashNode) => string): (n: TrashNode) => string | undefined {
  return (n) => (n.item ? get(n) : undefined);
}

/** The trashbin properties of Nextcloud's files_trashbin (Sabre/TrashbinPlugin.php) and the oc: ones clients list with them. */
export function trashProperties(backend: TrashDavBackend): PropertyDef<TrashNode, any>[] {
  const deletedBy = (n: TrashNode) => n.item!.entry.deletedBy;
  return [
    { name: NC('trashbin-filename'), inAllprop: true, get: ofItem((n) => escapeXml(filenameOf(n))) },
    { name: NC('trashbin-original-location'), inAllprop: true, get: ofItem((n) => escapeXml(originalLocationOf(n.item!))) },
    { name: NC('trashbin-title'), get: ofItem((n) => escapeXml(originalLocationOf(n.item!))) },
    { name: NC('trashbin-deletion-time'), inAllprop: true, get: ofItem((n) => String(n.item!.entry.deletedAt)) },
    { name: NC('trashbin-deleted-by-id'), get: ofItem((n) => escapeXml(deletedBy(n))) },
    {
      name: NC('trashbin-deleted-by-display-name'),
      // Only the owner deletes into their trash until sharing arrives; then this reads display names.
      get: ofItem((n) => escapeXml(deletedBy(n) === backend.user.id ? backend.user.displayName : deletedBy(n))),
    },
    // The real name, not `<name>.d<time>` (Nextcloud passes the filename as displayname too).
    { name: D('displayname'), inAllprop: true, get: (n) => escapeXml(n.item ? filenameOf(n) : baseName(n.path)) },
    { name: OC('id'), inAllprop: true, get: ofItem((n) => ocId(n.item!.row.fileid)) },
    { name: OC('fileid'), inAllprop: true, get: ofItem((n) => String(n.item!.row.fileid)) },
    { name: OC('size'), inAllprop: true, get: ofItem((n) => String(n.item!.row.size)) },
    // Read and delete: what Nextcloud's trash offers.
    { name: OC('permissions'), inAllprop: true, get: ofItem(() => 'GD') },
    { name: NC('has-preview'), get: ofItem(() => 'false') },
    { name: NC('mount-type'), get: ofItem(() => '') },
  ];
}
