/** Sorting of a folder listing: folders first, then by the chosen column. */
import type { FileEntry } from './dav';

export type SortKey = 'name' | 'size' | 'modified';
export interface SortOrder { key: SortKey; ascending: boolean }

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** A new array in display order; ties are broken by name so the order is stable. */
export function sortEntries(entries: FileEntry[], order: SortOrder): FileEntry[] {
  const sign = order.ascending ? 1 : -1;
  return [...entries].sort((a, b) => {
    if (a.isFolder !== b.isFolder) return a.isFolder ? -1 : 1;
    let diff = 0;
    if (order.key === 'size') diff = a.size - b.size;
    else if (order.key === 'modified') diff = a.modified - b.modified;
    if (diff === 0) diff = collator.compare(a.name, b.name);
    return sign * diff;
  });
}
