/** A byte range already clamped to the content: inclusive start, length > 0. */
export interface ByteRange { offset: number; length: number }

/** More ranges than this in one request are ignored (served whole), as a guard against abuse. */
const MAX_RANGES = 64;

/**
 * Parses a Range header against a size (RFC 9110 §14). Returns null when the header is absent,
 * not a bytes range, or too complex (serve the whole content), 'unsatisfiable' when no range
 * overlaps the content (416), else the ranges.
 */
export function parseRange(header: string | null, size: number): ByteRange[] | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return null;
  const specs = m[1].split(',');
  if (specs.length > MAX_RANGES) return null;
  const out: ByteRange[] = [];
  for (const raw of specs) {
    const spec = raw.trim();
    const r = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
    if (!r || (r[1] === '' && r[2] === '')) return null;
    if (r[1] === '') {
      const suffix = Number(r[2]);
      if (suffix === 0 || size === 0) continue;
      const length = Math.min(suffix, size);
      out.push({ offset: size - length, length });
    } else {
      const start = Number(r[1]);
      const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
      if (r[2] !== '' && Number(r[2]) < start) return null;
      if (start >= size) continue;
      out.push({ offset: start, length: end - start + 1 });
    }
  }
  return out.length === 0 ? 'unsatisfiable' : out;
}
