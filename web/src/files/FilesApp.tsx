/**
 * The Files app (its own chunk): lists the folder in the URL through WebDAV, with breadcrumbs,
 * sorting (folders first), the header's search as a name filter, and a virtualized table so a
 * folder of 10,000 entries scrolls smoothly.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../api';
import { t } from '../i18n';
import { useLocation } from '../router';
import { Breadcrumbs } from './Breadcrumbs';
import { DavError, listFolder, type FileEntry } from './dav';
import { FileTable } from './FileTable';
import { sortEntries, type SortOrder } from './sort';
import { folderOf } from './urls';

type Listing =
  | { state: 'loading'; path: string }
  | { state: 'loaded'; path: string; entries: FileEntry[] }
  | { state: 'failed'; path: string; status: number };

export function FilesApp({ user, query }: { user: SessionUser; query: string }) {
  const location = useLocation();
  const path = folderOf(location);
  const [loaded, setListing] = useState<Listing>({ state: 'loading', path });
  // Until the effect below has started the new listing, the old folder's entries are not shown.
  const listing: Listing = loaded.path === path ? loaded : { state: 'loading', path };
  const [order, setOrder] = useState<SortOrder>({ key: 'name', ascending: true });
  const heading = useRef<HTMLHeadingElement>(null);
  const firstLoad = useRef(true);

  useEffect(() => {
    const abort = new AbortController();
    setListing({ state: 'loading', path });
    listFolder(user.id, path, abort.signal).then(
      (entries) => setListing({ state: 'loaded', path, entries }),
      (err: unknown) => {
        if (abort.signal.aborted) return;
        const status = err instanceof DavError ? err.status : 0;
        // The session ended (logout elsewhere, expiry): back to the sign-in page.
        if (status === 401) window.location.assign(`/login?redirect_url=${encodeURIComponent(window.location.pathname + window.location.search)}`);
        setListing({ state: 'failed', path, status });
      },
    );
    return () => abort.abort();
  }, [user.id, path]);

  const folderName = path === '/' ? t('files.title') : path.slice(path.lastIndexOf('/') + 1);
  useEffect(() => {
    document.title = `${folderName} - ${t('files.title')} - ${t('app.name')}`;
  }, [folderName]);
  useLayoutEffect(() => {
    if (listing.state !== 'loaded') return;
    // After opening a folder, focus its heading so keyboard and screen-reader users start there.
    if (!firstLoad.current) heading.current?.focus();
    firstLoad.current = false;
  }, [loaded]);

  const visible = useMemo(() => {
    if (listing.state !== 'loaded') return [];
    const needle = query.trim().toLowerCase();
    const filtered = needle ? listing.entries.filter((e) => e.name.toLowerCase().includes(needle)) : listing.entries;
    return sortEntries(filtered, order);
  }, [listing, query, order]);

  return (
    <div class="files" data-dir={path} aria-busy={listing.state === 'loading'}>
      <Breadcrumbs path={path} />
      <h1 ref={heading} tabIndex={-1} class="folder-title">{folderName}</h1>
      {listing.state === 'loading' && <p role="status" class="loading">{t('files.loading')}</p>}
      {listing.state === 'failed' && <p role="alert" class="error">{t('files.error', { status: listing.status || '—' })}</p>}
      {listing.state === 'loaded' && (
        <>
          <p role="status" class="summary">
            {listing.entries.length === 0 ? t('files.empty')
              : visible.length === 0 ? t('files.noMatch', { query: query.trim() })
                : t('files.count', {
                  folders: visible.filter((e) => e.isFolder).length,
                  files: visible.filter((e) => !e.isFolder).length,
                })}
          </p>
          {visible.length > 0 && (
            <FileTable user={user.id} entries={visible} order={order} onOrder={setOrder}
              caption={t('files.list', { folder: path === '/' ? t('files.home') : path })} />
          )}
        </>
      )}
    </div>
  );
}
