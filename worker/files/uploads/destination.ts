import { DavError } from '../../dav/errors';
import { decodeRelativePath } from '../../dav/paths';

/** The URL prefixes (decoded segments) that address `user`'s files, as worker/files/routes.ts mounts them. */
export function filesPrefixes(user: string): string[][] {
  return [['remote.php', 'dav', 'files', user], ['remote.php', 'webdav']];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s).normalize('NFC');
  } catch {
    return s;
  }
}

/**
 * Maps a Destination header (full URL or absolute path, as clients send it) to a path below
 * `user`'s home; null when it points anywhere else. The desktop client sends a percent-encoded
 * absolute path, other clients full URLs; another host is a 502 as for any DAV MOVE.
 */
export function filesPathOf(href: string, request: Request, user: string): string | null {
  let url: URL;
  try {
    url = new URL(href, request.url);
  } catch {
    throw new DavError(400, 'Malformed Destination header');
  }
  if (url.host !== new URL(request.url).host) throw new DavError(502, 'The destination is on another server');
  const raw = url.pathname.replace(/^\/index\.php(?=\/)/, '').split('/').filter((s) => s !== '');
  for (const prefix of filesPrefixes(user)) {
    if (prefix.length > raw.length) continue;
    if (prefix.every((seg, i) => safeDecode(raw[i]) === seg)) return decodeRelativePath(raw.slice(prefix.length).join('/'));
  }
  return null;
}

/** OC-Total-Length: decimal bytes; null when absent, 400 when malformed. */
export function parseTotalLength(raw: string | null): number | null {
  if (raw === null) return null;
  if (!/^\d{1,16}$/.test(raw.trim())) throw new DavError(400, 'Invalid OC-Total-Length header');
  return Number(raw.trim());
}
