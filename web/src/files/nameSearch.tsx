/**
 * The header search across all folders: from 2 characters on and 250 ms after the last keystroke,
 * a DAV SEARCH by name over the user's whole tree (searchByName.ts, a chunk of its own, loaded
 * then). The Files app lists the answer below the current folder's own matches, and says how it
 * went in the folder's summary.
 */
import { useEffect, useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n';
import { DavError, NAME_SEARCH_CAP, type FileEntry } from './dav';

/** Shorter queries only filter the current folder (one letter matches nearly everything). */
export const MIN_SEARCH_LENGTH = 2;
const DEBOUNCE_MS = 250;
const OFF = { phase: 'off' } as const;

/** Where the search for `query` stands; `off` when the query is too short (or searching is off). */
export type NameSearch =
  | { phase: 'off' }
  | { phase: 'searching'; query: string }
  | { phase: 'done'; query: string; entries: FileEntry[]; truncated: boolean }
  | { phase: 'failed'; query: string; status: number };

/**
 * The search for `query` (trimmed), redone when `tick` changes (after a rename, delete, move…)
 * without dropping the answer shown meanwhile. A newer keystroke aborts the request in flight.
 */
export function useNameSearch(user: string, query: string, enabled: boolean, tick: number): NameSearch {
  const text = query.trim();
  const active = enabled && text.length >= MIN_SEARCH_LENGTH;
  const [state, setState] = useState<NameSearch>(OFF);

  useEffect(() => {
    if (!active) return;
    const abort = new AbortController();
    setState((old) => (old.phase !== 'off' && old.query === text ? old : { phase: 'searching', query: text }));
    const timer = setTimeout(() => {
      import('./searchByName').then((m) => m.searchByName(user, text, abort.signal)).then(
        ({ entries, truncated }) => setState({ phase: 'done', query: text, entries, truncated }),
        (err: unknown) => {
          if (!abort.signal.aborted) setState({ phase: 'failed', query: text, status: err instanceof DavError ? err.status : 0 });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [user, text, active, tick]);

  if (!active) return OFF;
  // Until the effect has started the search for this text, an older answer is not shown.
  return state.phase !== 'off' && state.query === text ? state : { phase: 'searching', query: text };
}

/** How many results outside the current folder, in words. */
function resultsText(count: number, query: string): string {
  return count === 0 ? t('files.searchNone', { query })
    : t(count === 1 ? 'files.searchOne' : 'files.searchMany', { count: count.toLocaleString(currentLanguage()), query });
}

/**
 * What the search of all folders adds to the folder's summary (its live region, so it is
 * announced): searching, how many results the other folders have (or none), the cap notice when
 * the server stopped early, or the failure.
 */
export function SearchSummary({ search, elsewhere }: { search: NameSearch; elsewhere: number }) {
  if (search.phase === 'off') return null;
  return (
    // The leading space keeps it a sentence apart from the folder's in the summary's text.
    <span class="search-summary">
      {' '}{search.phase === 'searching' ? t('files.searching')
        : search.phase === 'failed' ? t('files.searchFailed', { status: search.status || '—' }) : resultsText(elsewhere, search.query)}
      {search.phase === 'done' && search.truncated && (
        <> <strong class="search-cap">{t('files.searchCapped', { count: NAME_SEARCH_CAP.toLocaleString(currentLanguage()) })}</strong></>
      )}
    </span>
  );
}
