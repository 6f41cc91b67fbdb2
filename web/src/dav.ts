/**
 * What every app's WebDAV calls share: the namespaces, the error of a failed request, the URL of a
 * path of a user's files, path helpers, and the reading of a multistatus answer (namespace-aware:
 * clients and servers may use any prefix).
 */
export const DAV = 'DAV:';
export const OC = 'http://owncloud.org/ns';
export const NC = 'http://nextcloud.org/ns';

/** A WebDAV request answered with an unexpected status. */
export class DavError extends Error {
  constructor(readonly status: number) {
    super(`WebDAV answered ${status}`);
  }
}

/** The WebDAV URL of a path of a user's files (each segment percent-encoded; a trailing "/" kept). */
export function davUrl(user: string, path: string): string {
  const segments = path.split('/').filter(Boolean).map(encodeURIComponent);
  return `/remote.php/dav/files/${encodeURIComponent(user)}/${segments.join('/')}${segments.length && path.endsWith('/') ? '/' : ''}`;
}

/** The parent folder of a path ("/a/b.txt" → "/a", "/b.txt" → "/"). */
export function parentOf(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last segment of a path. */
export function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? '';
}

/** The text of the first descendant element `ns`:`name`, or null when there is none. */
export function propText(parent: Element, ns: string, name: string): string | null {
  const el = parent.getElementsByTagNameNS(ns, name)[0];
  return el ? el.textContent ?? '' : null;
}

/** One DAV:response of a multistatus: its href (as sent) and the DAV:prop of its 200 propstat. */
export interface DavResponse { href: string; prop: Element }

/** The responses of a multistatus that have a 200 propstat (others — 404s, errors — are left out). */
export function okResponses(xml: string): DavResponse[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const out: DavResponse[] = [];
  for (const response of Array.from(doc.getElementsByTagNameNS(DAV, 'response'))) {
    const href = propText(response, DAV, 'href');
    if (href === null) continue;
    for (const propstat of Array.from(response.getElementsByTagNameNS(DAV, 'propstat'))) {
      if (!/\s200\s/.test(` ${propText(propstat, DAV, 'status') ?? ''} `)) continue;
      const prop = propstat.getElementsByTagNameNS(DAV, 'prop')[0];
      if (prop) out.push({ href, prop });
      break;
    }
  }
  return out;
}
