import { BadInput } from '../../errors';
import { parseSegments, type Segment } from '../blobs';

/**
 * Natural order of chunk names (digit runs compare as numbers), as Nextcloud assembles them
 * (strnatcmp): `2` before `10`, and zero-padded names of any width sort as their numbers.
 */
export function compareNatural(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i];
    const y = rb[i];
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = x.replace(/^0+(?=\d)/, '');
      const ny = y.replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The content of an upload: its chunks' segments in natural order of the chunk names. Refuses (BadInput)
 * when chunks are evidently missing: all-numeric names must either count up by one from 0 or 1
 * (indexes: the desktop client's 0-based, other clients' 1-based), or be byte offsets where each
 * name equals the bytes before it (ownCloud's style); and the total must match `expectedTotal`.
 * Other names (e.g. `start-end`) are only checked by the total.
 */
export function assemble(chunks: readonly { name: string; segments: string; size: number }[], expectedTotal: number | null): { segments: Segment[]; size: number } {
  const ordered = [...chunks].sort((a, b) => compareNatural(a.name, b.name));
  const size = ordered.reduce((n, c) => n + c.size, 0);
  if (ordered.length > 0 && ordered.every((c) => /^\d{1,15}$/.test(c.name))) {
    const numbers = ordered.map((c) => Number(c.name));
    const first = numbers[0];
    const indexes = (first === 0 || first === 1) && numbers.every((n, i) => n === first + i);
    let offset = 0;
    const offsets = ordered.every((c, i) => {
      const ok = numbers[i] === offset;
      offset += c.size;
      return ok;
    });
    if (!indexes && !offsets) {
      const gap = first > 1 ? 0 : numbers.findIndex((n, i) => n !== first + i);
      const where = gap === 0 ? `the first chunk is ${ordered[0].name}` : `chunk ${ordered[gap].name} follows ${ordered[gap - 1].name}`;
      throw new BadInput(`Chunks are missing: ${where}`);
    }
  }
  if (expectedTotal !== null && expectedTotal !== size) {
    throw new BadInput(`Chunks on server do not sum up to ${expectedTotal} but to ${size} bytes`);
  }
  return { segments: ordered.flatMap((c) => parseSegments(c.segments)), size };
}
