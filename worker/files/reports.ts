/**
 * REPORTs on the Files tree. `oc:filter-files` is how Nextcloud's web Files app and the mobile
 * apps list favorites: every file and folder below the target carrying the filter rules, with the
 * properties asked for. Favorites are the `oc:favorite` dead property set by PROPPATCH.
 */
import type { ReportDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { multistatusResponse } from '../dav/multistatus';
import { propResponses, requestedProps } from '../dav/methods/report';
import { clark, NS } from '../dav/namespaces';
import { child, elements, textOf } from '../dav/xml';
import { FileNode, type FilesDavBackend } from './dav-backend';
import { FAVORITE } from './dav-properties';

const OC = (l: string) => clark(NS.OC, l);

export function filesReports(backend: FilesDavBackend): ReportDef<FileNode>[] {
  return [{
    name: OC('filter-files'),
    appliesTo: (n) => n.isCollection,
    async run(r, target, body) {
      const rules = child(body, NS.OC, 'filter-rules');
      const given = rules ? elements(rules) : [];
      if (given.length === 0) throw new DavError(400, 'oc:filter-files needs oc:filter-rules');
      for (const rule of given) {
        // Tags (oc:systemtag) arrive with the tags feature; until then they are refused, not ignored.
        if (clark(rule.ns, rule.local) !== FAVORITE) throw new DavError(400, `Unsupported filter rule ${clark(rule.ns, rule.local)}`);
        if (textOf(rule).trim() !== '1') throw new DavError(400, 'oc:favorite filters on 1 only');
      }
      const rows = await backend.service.withPropertyBelow(target.row, FAVORITE, '1');
      return multistatusResponse(await propResponses(r, rows.map((row) => new FileNode(row)), requestedProps(body)));
    },
  }];
}
