/** Names in the trash and of restored items, as Nextcloud forms them. */

/** Longest path segment in UTF-8 bytes (worker/dav/paths.ts refuses longer ones in URLs). */
const MAX_SEGMENT_BYTES = 255;
const encoder = new TextEncoder();

function bytes(s: string): number {
  return encoder.encode(s).length;
}

/** Cuts code points out of the middle of `s` until it fits in `max` bytes (Nextcloud cuts the middle too). */
function fitMiddle(s: string, max: number): string {
  const chars = [...s];
  while (bytes(chars.join('')) > max) chars.splice(Math.floor(chars.length / 2), 1);
  return chars.join('');
}

/**
 * The name of a trash entry, `<name>.d<deletedAt>` (Nextcloud's trash file names, which clients see
 * in the entry's URL), with `-<n>` when an earlier entry of the same name and second holds the plain
 * one. Always a valid URL segment: a long name loses characters from its middle.
 */
export function trashEntryName(name: string, deletedAt: number, clash = 1): string {
  const tail = `.d${deletedAt}`;
  // Room for the longest clash suffix, so every clash of one name shares the same cut.
  return fitMiddle(name, MAX_SEGMENT_BYTES - bytes(tail) - 10) + tail + (clash > 1 ? `-${clash}` : '');
}

/** The clash number in a trash entry name made by trashEntryName for `name` and `deletedAt` (1 for the plain one); null if it is not one. */
export function clashNumberOf(entryName: string, plain: string): number | null {
  if (entryName === plain) return 1;
  if (!entryName.startsWith(plain + '-')) return null;
  const n = entryName.slice(plain.length + 1);
  return /^[1-9]\d{0,8}$/.test(n) ? Number(n) : null;
}

/**
 * The candidates for a restored item's name in the order Nextcloud tries them (getUniqueFilename):
 * the name itself, then `stem (restored).ext`, `stem (restored 2).ext`, … where the extension is what
 * follows the last dot, as PHP's pathinfo splits it.
 */
export function* restoreNames(name: string): Generator<string> {
  yield name;
  const dot = name.lastIndexOf('.');
  const stem = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 || dot === name.length - 1 ? '' : name.slice(dot);
  for (let i = 1; ; i++) {
    const tag = i === 1 ? ' (restored)' : ` (restored ${i})`;
    yield fitMiddle(stem, MAX_SEGMENT_BYTES - bytes(tag + ext)) + tag + ext;
  }
}
