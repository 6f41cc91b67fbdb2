/**
 * What every app's WebDAV calls share: the namespaces, the error of a failed request, the URL of a
 * path of a user's files, path helpers, and the reading of a multistatus answer (namespace-aware:
 * clients and servers may use any prefix).
 */
import { scanMultistatus } from './multistatus-scan';

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

/** The properties of a 200 propstat, however the answer was read. */
export interface DavProps {
  /** The text of property `ns`:`name` (its textContent), or null when it is not there. */
  text(ns: string, name: string): string | null;
  /** Whether the resourcetype says collection. */
  readonly isCollection: boolean;
}

/** The text of property `ns`:`name` of a propstat, or null when it is not there. */
export function propText(prop: DavProps, ns: string, name: string): string | null {
  return prop.text(ns, name);
}

/** One DAV:response of a multistatus: its href (as sent) and the properties of its 200 propstat. */
export interface DavResponse { href: string; prop: DavProps }

/** The text of the first descendant element `ns`:`name`, or null when there is none. */
function elementText(parent: Element, ns: string, name: string): string | null {
  const el = parent.getElementsByTagNameNS(ns, name)[0];
  return el ? el.textContent ?? '' : null;
}

/**
 * The responses of a multistatus that have a 200 propstat (others — 404s, errors — are left out).
 * Cumulus's own answers are scanned as strings (multistatus-scan.ts: a large listing parses ten
 * times faster); any other form goes through DOMParser.
 */
export function okResponses(xml: string): DavResponse[] {
  const scanned = scanMultistatus(xml);
  if (scanned) {
    return scanned.map(({ href, props }) => ({
      href,
      prop: {
        text: (ns, name) => props.get(`{${ns}}${name}`)?.text ?? null,
        isCollection: props.get(`{${DAV}}resourcetype`)?.children.includes(`{${DAV}}collection`) ?? false,
      },
    }));
  }
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const out: DavResponse[] = [];
  for (const response of Array.from(doc.getElementsByTagNameNS(DAV, 'response'))) {
    const href = elementText(response, DAV, 'href');
    if (href === null) continue;
    for (const propstat of Array.from(response.getElementsByTagNameNS(DAV, 'propstat'))) {
      if (!/\s200\s/.test(` ${elementText(propstat, DAV, 'status') ?? ''} `)) continue;
      const prop = propstat.getElementsByTagNameNS(DAV, 'prop')[0];
      if (prop) {
        out.push({
          href,
          prop: {
            text: (ns, name) => elementText(prop, ns, name),
            isCollection: prop.getElementsByTagNameNS(DAV, 'collection').length > 0,
          },
        });
      }
      break;
    }
  }
  return out;
}
