/**
 * The search of all folders by name: its own chunk, loaded with the first search (nameSearch.tsx),
 * so the Files app's first load does not carry it.
 */
import { escapeXml, NAME_SEARCH_CAP, searchFiles, type FileEntry } from './dav';

/**
 * Files and folders anywhere in the user's tree whose name contains `text` (case-insensitive), by
 * name; at most NAME_SEARCH_CAP, `truncated` when there were more.
 *
 * The server's d:like is SQL LIKE without an escape character (worker/files/search.ts), so a `%`
 * or `_` typed by the user cannot be escaped: every `%`, `_` and `\` of the text is sent as `_`
 * (any one character) and the answer is narrowed here to the names that contain the text as typed.
 */
export async function searchByName(user: string, text: string, signal?: AbortSignal): Promise<{ entries: FileEntry[]; truncated: boolean }> {
  const pattern = `%${text.replace(/[%_\\]/g, '_')}%`;
  // One more than shown: a server with a higher cap answers it in full, and the extra row says there are more.
  const found = await searchFiles(user,
    `<d:like><d:prop><d:displayname/></d:prop><d:literal>${escapeXml(pattern)}</d:literal></d:like>`,
    '<d:order><d:prop><d:displayname/></d:prop><d:ascending/></d:order>', NAME_SEARCH_CAP + 1, signal);
  const needle = text.toLowerCase();
  const entries = found.entries.filter((e) => e.name.toLowerCase().includes(needle));
  return { entries: entries.slice(0, NAME_SEARCH_CAP), truncated: found.truncated || found.entries.length > NAME_SEARCH_CAP };
}
