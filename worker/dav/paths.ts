import { DavError } from './errors';

/** Longest name a segment may have, in UTF-8 bytes (common filesystem limit, and Nextcloud's). */
const MAX_SEGMENT_BYTES = 255;
const CONTROL = /[\u0000-\u001f\u007f]/;
const ASCII = /^[\u0000-\u007f]*$/;
const encoder = new TextEncoder();

/**
 * Turns the raw (still percent-encoded) part of a URL path below a DAV mount into a clean
 * relative path: segments decoded, NFC-normalised, empty segments (`//`) dropped. Anything that
 * could escape the tree or confuse storage — `.`/`..`, encoded slashes, backslashes, NUL and
 * control characters, bad encodings, over-long names — is a 400.
 */
export function decodeRelativePath(raw: string): string {
  const out: string[] = [];
  for (const seg of raw.split('/')) {
    if (seg === '') continue;
    if (/%2f/i.test(seg)) throw new DavError(400, 'Encoded slashes are not allowed in names');
    let name: string;
    try {
      name = decodeURIComponent(seg);
    } catch {
      throw new DavError(400, 'Malformed percent-encoding in path');
    }
    if (!ASCII.test(name)) name = name.normalize('NFC'); // ASCII is NFC already
    if (name === '.' || name === '..') throw new DavError(400, 'Path segments . and .. are not allowed');
    if (name.includes('\\')) throw new DavError(400, 'Backslashes are not allowed in names');
    if (CONTROL.test(name)) throw new DavError(400, 'Control characters are not allowed in names');
    // A UTF-16 unit is at most 3 bytes of UTF-8: shorter names need no count.
    if (name.length * 3 > MAX_SEGMENT_BYTES && encoder.encode(name).length > MAX_SEGMENT_BYTES) throw new DavError(400, 'Name too long');
    if (name !== name.trim() && name.trim() === '') throw new DavError(400, 'Blank names are not allowed');
    out.push(name);
  }
  return out.join('/');
}

/** Percent-encodes a relative path segment by segment (RFC 3986 unreserved characters stay). */
export function encodeRelativePath(path: string): string {
  if (path === '') return '';
  return path.split('/').map(encodeSegment).join('/');
}

/** Percent-encodes one path segment; most names need nothing, and listings encode thousands. */
export function encodeSegment(s: string): string {
  if (UNRESERVED.test(s)) return s;
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

const UNRESERVED = /^[A-Za-z0-9._~-]*$/;

/** The parent of a relative path ('' for a top-level entry; null for the root itself). */
export function parentPath(path: string): string | null {
  if (path === '') return null;
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The last segment of a relative path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a relative collection path and a child name. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** True when `path` is `ancestor` itself or lies below it. */
export function isSameOrBelow(path: string, ancestor: string): boolean {
  return ancestor === '' || path === ancestor || path.startsWith(ancestor + '/');
}

/** Every ancestor of a path from the root ('') down to its parent. */
export function ancestorsOf(path: string): string[] {
  if (path === '') return [];
  const parts = path.split('/');
  const out = [''];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}
