/**
 * Where a shared collection appears in a sharee's home: `{uri}_shared_by_{owner}`, Nextcloud's
 * name for it. Rows handed to a sharee carry that URI; code that files things under the owner's
 * own name (the birthday calendar, for one) gets it back with ownUri.
 */
export const SHARED_MARK = '_shared_by_';

export function sharedUri(uri: string, owner: string): string {
  return `${uri}${SHARED_MARK}${owner}`;
}

/** The owner's URI of a collection row, whether it is the owner's row or a sharee's view of it. */
export function ownUri(row: { uri: string; owner: string }): string {
  const suffix = `${SHARED_MARK}${row.owner}`;
  return row.uri.endsWith(suffix) ? row.uri.slice(0, -suffix.length) : row.uri;
}
