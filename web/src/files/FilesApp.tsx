/**
 * The Files app (its own chunk): a navigation of views (All files, Recent, Favorites, Deleted
 * files), the folder in the URL through WebDAV with breadcrumbs, sorting (folders first), the
 * header's search (a name filter on the folder, plus a search of all folders by name below its
 * matches), a virtualized table or a grid, selection with a bulk bar, row
 * actions (rename, move/copy, download, favorite, delete), drag-and-drop moves (copies with Ctrl or Alt), the New menu and
 * uploads (files and whole folders, by picker or drop) with a progress panel.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../api';
import { t } from '../i18n';
import { useLocation } from '../router';
import { lazyApp } from '../shell/lazy';
import { Breadcrumbs } from './Breadcrumbs';
import {
  createEmptyFile, createFolder, DavError, deleteItem, joinPath, listFavorites, listFolder, listRecent, parentOf,
  setFavorite, transfer, zipUrl, davUrl, type FileEntry,
} from './dav';
import { FolderPicker, NameDialog, SettingsDialog } from './dialogs';
import { FileGrid } from './FileGrid';
import { FileTable, type RowActions } from './FileTable';
import { MenuButton } from './Menu';
import { sortEntries, type SortOrder } from './sort';
import { TrashView } from './TrashView';
import { FilesNav, type View } from './FilesNav';
import { SearchSummary, useNameSearch } from './nameSearch';
import { fromDrop, fromFileList } from './sources';
import { enqueue, onIdle, type UploadSource } from './upload';
import { UploadPanel } from './UploadPanel';
import { folderOf } from './urls';

/** The details sidebar is its own chunk (it brings the viewer's Details panel): loaded when first opened. */
const DetailsPanel = lazyApp(() => import('./DetailsPanel').then((m) => m.DetailsPanel));

type Listing =
  | { state: 'loading'; key: string }
  | { state: 'loaded'; key: string; entries: FileEntry[] }
  | { state: 'failed'; key: string; status: number };

type DialogState =
  | { kind: 'picker'; entries: FileEntry[] }
  | { kind: 'newFolder' }
  | { kind: 'newFile' }
  | { kind: 'settings' }
  | null;

const HIDDEN_KEY = 'cumulus.files.showHidden';
const LAYOUT_KEY = 'cumulus.files.layout';

function viewOf(url: URL): View {
  const rest = url.pathname.replace(/^\/apps\/files\/?/, '').replace(/\/+$/, '');
  return rest === 'recent' || rest === 'favorites' || rest === 'trashbin' ? rest : 'files';
}

/** Whether a path is hidden (a segment starting with "."), as Nextcloud's "show hidden files" means it. */
function isHidden(path: string): boolean {
  return path.split('/').some((s) => s.startsWith('.'));
}

function stored(key: string): string | null {
  try { return localStorage.getItem(key); } catch { return null; }
}
function store(key: string, value: string): void {
  try { localStorage.setItem(key, value); } catch { /* private mode */ }
}

export function FilesApp({ user, query }: { user: SessionUser; query: string }) {
  const location = useLocation();
  const view = viewOf(location);
  const path = view === 'files' ? folderOf(location) : '/';
  const key = `${view}:${path}`;
  const [loaded, setListing] = useState<Listing>({ state: 'loading', key });
  // Until the effect below has started the new listing, the old folder's entries are not shown.
  const listing: Listing = loaded.key === key ? loaded : { state: 'loading', key };
  const [order, setOrder] = useState<SortOrder>({ key: 'name', ascending: true });
  const [tick, setTick] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const anchor = useRef<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [dialog, setDialog] = useState<DialogState>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [showHidden, setShowHidden] = useState(() => stored(HIDDEN_KEY) === '1');
  const [layout, setLayout] = useState<'list' | 'grid'>(() => (stored(LAYOUT_KEY) === 'grid' ? 'grid' : 'list'));
  const [dropping, setDropping] = useState(false);
  /** The entry shown in the details sidebar; `opened` counts the "Details" commands. */
  const [details, setDetails] = useState<{ path: string; opened: number } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const firstLoad = useRef(true);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const refresh = () => setTick((n) => n + 1);
  const search = useNameSearch(user.id, query, view === 'files', tick);
  const found = search.phase === 'done' ? search : null;
  /** The paths of the search results shown, so that a refresh of the folder keeps them selected. */
  const foundPaths = useRef<Set<string>>(new Set());
  /** A path whose row (link) takes the focus once it is rendered (after a rename, for instance). */
  const focusPath = useRef<string | null>(null);
  useLayoutEffect(() => {
    const p = focusPath.current;
    if (!p) return;
    // Only when focus was lost (the rename field went away): never pull it from where the user went since.
    const active = document.activeElement;
    if (active && active !== document.body && !active.matches('input.rename')) {
      focusPath.current = null;
      return;
    }
    const link = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(p)}"] a`);
    if (link) {
      focusPath.current = null;
      link.focus();
    }
  });

  useEffect(() => {
    setSelected(new Set());
    setRenaming(null);
    setError(null);
    setStatus('');
    setDetails(null);
  }, [key]);

  useEffect(() => {
    if (view === 'trashbin') return;
    const abort = new AbortController();
    setListing((old) => (old.key === key && old.state === 'loaded' ? old : { state: 'loading', key }));
    const load = view === 'recent' ? listRecent(user.id, 14, 100, abort.signal)
      : view === 'favorites' ? listFavorites(user.id, abort.signal)
        : listFolder(user.id, path, abort.signal);
    load.then(
      (entries) => {
        setListing({ state: 'loaded', key, entries });
        setSelected((s) => (s.size ? new Set([...s].filter((p) => foundPaths.current.has(p) || entries.some((e) => e.path === p))) : s));
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        const code = err instanceof DavError ? err.status : 0;
        // The session ended (logout elsewhere, expiry): back to the sign-in page.
        if (code === 401) window.location.assign(`/login?redirect_url=${encodeURIComponent(window.location.pathname + window.location.search)}`);
        setListing({ state: 'failed', key, status: code });
      },
    );
    return () => abort.abort();
  }, [user.id, key, tick]);

  useEffect(() => onIdle(refresh), []);

  const title = view === 'recent' ? t('files.recent') : view === 'favorites' ? t('files.favorites') : view === 'trashbin' ? t('files.trash')
    : path === '/' ? t('files.title') : path.slice(path.lastIndexOf('/') + 1);
  useEffect(() => {
    document.title = `${title} - ${t('files.title')} - ${t('app.name')}`;
  }, [title]);
  useLayoutEffect(() => {
    if (listing.state !== 'loaded') return;
    // After opening a folder, focus its heading so keyboard and screen-reader users start there.
    if (!firstLoad.current) heading.current?.focus();
    firstLoad.current = false;
  }, [loaded.key, loaded.state]);

  // A refresh that removed the focused row (moved, deleted) leaves focus nowhere: bring it to the heading.
  const shownKey = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (loaded.state !== 'loaded') return;
    const refreshed = shownKey.current === loaded.key;
    shownKey.current = loaded.key;
    if (refreshed && document.activeElement === document.body && !focusPath.current) heading.current?.focus();
  }, [loaded]);

  useEffect(() => {
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, [view]);

  /** The folder's matching rows, then (searching) the matches in every other folder. */
  const { visible, here, folders, elsewhere } = useMemo(() => {
    if (listing.state !== 'loaded') return { visible: [], here: 0, folders: 0, elsewhere: 0 };
    const needle = query.trim().toLowerCase();
    let list = showHidden ? listing.entries : listing.entries.filter((e) => !isHidden(e.path));
    if (needle) list = list.filter((e) => e.name.toLowerCase().includes(needle));
    const own = view === 'recent' ? list : sortEntries(list, order);
    // This folder's matches are its listing's rows already.
    const others = found ? found.entries.filter((e) => parentOf(e.path) !== path && (showHidden || !isHidden(e.path))) : [];
    return {
      visible: others.length ? [...own, ...sortEntries(others, order)] : own,
      here: own.length, folders: own.filter((e) => e.isFolder).length, elsewhere: others.length,
    };
  }, [listing, query, order, showHidden, view, path, found]);
  foundPaths.current = new Set(visible.slice(here).map((e) => e.path));

  const chosen = visible.filter((e) => selected.has(e.path));

  /** An entry of the folder or of the search results shown. */
  const entryAt = (p: string): FileEntry | undefined =>
    (listing.state === 'loaded' ? listing.entries.find((e) => e.path === p) : undefined) ?? found?.entries.find((e) => e.path === p);
  const detailsEntry = details && listing.state === 'loaded' ? entryAt(details.path) ?? null : null;
  // Its entry is gone (deleted, moved, renamed): the sidebar closes.
  useEffect(() => {
    if (details && listing.state === 'loaded' && !detailsEntry) setDetails(null);
  }, [listing, details]);
  const openDetails = (entry: FileEntry) => setDetails((d) => ({ path: entry.path, opened: (d?.opened ?? 0) + 1 }));
  const closeDetails = () => {
    const p = details?.path;
    setDetails(null);
    // Back to the row's name link once the sidebar is gone (the layout effect above); to the
    // heading when the row is scrolled out of the rendered part.
    if (p && document.querySelector(`[data-path="${CSS.escape(p)}"] a`)) focusPath.current = p;
    else heading.current?.focus();
  };

  /** Runs an action on several entries; collects the failures into one message. */
  const runAll = async (entries: FileEntry[], action: (e: FileEntry) => Promise<unknown>, done: string): Promise<string | null> => {
    const failures: string[] = [];
    for (const entry of entries) {
      try {
        await action(entry);
      } catch (err) {
        failures.push(describe(err, entry.name));
      }
    }
    refresh();
    if (failures.length) return failures.join(' ');
    setStatus(done);
    return null;
  };

  const describe = (err: unknown, name: string, folder?: string): string => {
    const code = err instanceof DavError ? err.status : 0;
    if (code === 412) return t('files.exists', { name, folder: folder ?? '' });
    if (code === 403 || code === 409) return t('files.notAllowed', { name, status: code });
    return t('files.failed', { name, status: code || '—' });
  };

  const remove = async (entries: FileEntry[]) => {
    setError(await runAll(entries, (e) => deleteItem(user.id, e.path), t('files.deleted', { count: entries.length })));
    setSelected(new Set());
  };

  const moveInto = async (entries: FileEntry[], folder: string, method: 'MOVE' | 'COPY'): Promise<string | null> => {
    const where = folder === '/' ? t('files.home') : folder;
    const failures: string[] = [];
    for (const entry of entries) {
      try {
        if (method === 'MOVE' && parentOf(entry.path) === folder) throw new DavError(412);
        await transfer(user.id, method, entry.path, joinPath(folder, entry.name));
      } catch (err) {
        failures.push(describe(err, entry.name, where));
      }
    }
    refresh();
    if (failures.length) return failures.join(' ');
    setStatus(t(method === 'MOVE' ? 'files.moved' : 'files.copied', { count: entries.length, folder: where }));
    setSelected(new Set());
    return null;
  };

  const toggleFavorite = async (entries: FileEntry[], on: boolean) => {
    setError(await runAll(entries, (e) => setFavorite(user.id, e.path, on), t(on ? 'files.favorited' : 'files.unfavorited', { count: entries.length })));
  };

  const downloadUrl = (entries: FileEntry[]): string | null => {
    if (entries.length === 1 && !entries[0]!.isFolder) return davUrl(user.id, entries[0]!.path);
    const parent = parentOf(entries[0]!.path);
    if (!entries.every((e) => parentOf(e.path) === parent)) return null;
    return zipUrl(user.id, parent, entries.map((e) => e.name));
  };

  const download = (entries: FileEntry[]) => {
    const url = downloadUrl(entries);
    if (!url) return;
    const a = document.createElement('a');
    a.href = url;
    a.download = entries.length === 1 && !entries[0]!.isFolder ? entries[0]!.name : `${entries.length === 1 ? entries[0]!.name : title}.zip`;
    document.body.append(a);
    a.click();
    a.remove();
  };

  const actions: RowActions = {
    selected,
    showLocation: view !== 'files' || search.phase !== 'off',
    onSelect: (p, mode) => {
      setSelected((s) => {
        const next = new Set(s);
        if (mode === 'range' && anchor.current) {
          const a = visible.findIndex((e) => e.path === anchor.current);
          const b = visible.findIndex((e) => e.path === p);
          if (a >= 0 && b >= 0) for (let i = Math.min(a, b); i <= Math.max(a, b); i++) next.add(visible[i]!.path);
        } else if (mode === 'add') next.add(p);
        else if (next.has(p)) next.delete(p);
        else next.add(p);
        return next;
      });
      if (mode === 'toggle') anchor.current = p;
    },
    onSelectAll: (all) => setSelected(all ? new Set(visible.map((e) => e.path)) : new Set()),
    renaming,
    onRename: (entry, name) => {
      transfer(user.id, 'MOVE', entry.path, joinPath(parentOf(entry.path), name)).then(
        () => {
          focusPath.current = joinPath(parentOf(entry.path), name);
          setRenaming(null);
          setError(null);
          setStatus(t('files.renamed', { name: entry.name, to: name }));
          refresh();
        },
        (err: unknown) => setError(describe(err, name, parentOf(entry.path) === '/' ? t('files.home') : parentOf(entry.path))),
      );
    },
    onCancelRename: () => {
      focusPath.current = renaming;
      setRenaming(null);
      setError(null);
    },
    menuItems: (entry) => [
      { label: t('files.rename'), onSelect: () => { setError(null); setRenaming(entry.path); } },
      { label: t('files.moveCopy'), onSelect: () => setDialog({ kind: 'picker', entries: [entry] }) },
      { label: t('files.details'), onSelect: () => openDetails(entry) },
      { label: t('files.downloadItem'), onSelect: () => download([entry]) },
      { label: entry.favorite ? t('files.unfavorite') : t('files.favorite'), onSelect: () => void toggleFavorite([entry], !entry.favorite) },
      { label: t('files.delete'), onSelect: () => void remove([entry]) },
    ],
    onFavorite: (entry) => void toggleFavorite([entry], !entry.favorite),
    onDropInto: (paths, folder, method) => {
      const entries = paths.map(entryAt).filter((e): e is FileEntry => !!e);
      void moveInto(entries, folder, method).then(setError);
    },
  };

  const uploadFiles = (sources: UploadSource[], folders: string[]) => {
    void (async () => {
      // Parents first: "a" before "a/b".
      for (const folder of [...new Set(folders)].sort((a, b) => a.split('/').length - b.split('/').length)) {
        try {
          await createFolder(user.id, joinPath(path, folder));
        } catch (err) {
          if (!(err instanceof DavError && err.status === 405)) setError(describe(err, folder));
        }
      }
      if (sources.length) enqueue(user.id, path, sources);
      else refresh();
    })();
  };

  const fromInput = (input: HTMLInputElement) => {
    const { files, folders } = fromFileList(Array.from(input.files ?? []));
    input.value = '';
    uploadFiles(files, folders);
  };

  const onDrop = (event: DragEvent) => {
    setDropping(false);
    const dt = event.dataTransfer;
    if (!dt || !dt.types.includes('Files') || view !== 'files') return;
    event.preventDefault();
    void fromDrop(dt).then(({ files, folders }) => uploadFiles(files, folders));
  };

  const zip = chosen.length ? downloadUrl(chosen) : null;
  const caption = search.phase !== 'off' ? t('files.searchCaption', { query: search.query })
    : t('files.list', { folder: view === 'files' ? (path === '/' ? t('files.home') : path) : title });
  return (
    <div class="files-layout">
      <FilesNav view={view} onSettings={() => setDialog({ kind: 'settings' })} />
      <div class={`files${dropping ? ' dropping' : ''}`} data-dir={path} data-view={view} aria-busy={view !== 'trashbin' && listing.state === 'loading'}
        onDragOver={(e) => {
          if (view === 'files' && e.dataTransfer?.types.includes('Files')) {
            e.preventDefault();
            setDropping(true);
          }
        }}
        onDragLeave={(e) => { if (e.currentTarget === e.target) setDropping(false); }}
        onDrop={onDrop}>
        {view === 'files' && <Breadcrumbs path={path} onDropInto={actions.onDropInto} />}
        <div class="title-line">
          <h1 ref={heading} tabIndex={-1} class="folder-title">{title}</h1>
          {view === 'files' && (
            <MenuButton label={t('files.new')} items={[
              { label: t('files.newFolder'), onSelect: () => setDialog({ kind: 'newFolder' }) },
              { label: t('files.newTextFile'), onSelect: () => setDialog({ kind: 'newFile' }) },
              { label: t('files.uploadFiles'), onSelect: () => fileInput.current?.click() },
              { label: t('files.uploadFolder'), onSelect: () => folderInput.current?.click() },
            ]} className="new-menu"><span aria-hidden="true">+ </span>{t('files.new')}</MenuButton>
          )}
          {view !== 'trashbin' && (
            <button type="button" class="layout-toggle" aria-pressed={layout === 'grid' ? 'true' : 'false'} onClick={() => {
              const next = layout === 'grid' ? 'list' : 'grid';
              setLayout(next);
              store(LAYOUT_KEY, next);
            }}>{t('files.gridView')}</button>
          )}
          <input ref={fileInput} type="file" multiple hidden class="upload-files" aria-label={t('files.uploadFiles')} onChange={(e) => fromInput(e.currentTarget as HTMLInputElement)} />
          <input ref={folderInput} type="file" multiple hidden class="upload-folder" aria-label={t('files.uploadFolder')} onChange={(e) => fromInput(e.currentTarget as HTMLInputElement)} />
        </div>
        {view === 'trashbin' ? <TrashView user={user.id} /> : (
          <>
            {chosen.length > 0 && (
              <div class="bulk-bar" role="group" aria-label={t('files.selection')}>
                <span>{t('files.selected', { count: chosen.length })}</span>
                {chosen.length === 1 && <button type="button" onClick={() => openDetails(chosen[0]!)}>{t('files.details')}</button>}
                {zip && <a class="button" href={zip} download>{t('files.downloadSelection')}</a>}
                <button type="button" onClick={() => setDialog({ kind: 'picker', entries: chosen })}>{t('files.moveCopy')}</button>
                <button type="button" onClick={() => void toggleFavorite(chosen, !chosen.every((e) => e.favorite))}>
                  {chosen.every((e) => e.favorite) ? t('files.unfavorite') : t('files.favorite')}</button>
                <button type="button" onClick={() => void remove(chosen)}>{t('files.delete')}</button>
                <button type="button" onClick={() => setSelected(new Set())}>{t('files.clearSelection')}</button>
              </div>
            )}
            {error && <p role="alert" class="error">{error}</p>}
            <p class="visually-hidden" role="status">{status}</p>
            {listing.state === 'loading' && <p role="status" class="loading">{t('files.loading')}</p>}
            {listing.state === 'failed' && <p role="alert" class="error">{t('files.error', { status: listing.status || '—' })}</p>}
            {listing.state === 'loaded' && (
              <>
                <p role="status" class="summary">
                  {listing.entries.length === 0 ? t(view === 'files' ? 'files.empty' : view === 'recent' ? 'files.noRecent' : 'files.noFavorites')
                    : here === 0 ? t('files.noMatch', { query: query.trim() })
                      : t('files.count', { folders, files: here - folders })}
                  <SearchSummary search={search} elsewhere={elsewhere} />
                </p>
                {visible.length > 0 && (layout === 'grid'
                  ? <FileGrid user={user.id} entries={visible} caption={caption} actions={actions} />
                  : <FileTable user={user.id} entries={visible} order={order} onOrder={setOrder} actions={actions} caption={caption} />)}
              </>
            )}
          </>
        )}
        {view === 'files' && <p class="drop-hint" aria-hidden="true">{t('files.dropHint')}</p>}
        <UploadPanel />
      </div>
      {view !== 'trashbin' && detailsEntry && (
        <DetailsPanel user={user.id} entry={detailsEntry} opened={details!.opened} onClose={closeDetails} onRestored={refresh} />
      )}
      {dialog?.kind === 'picker' && (
        <FolderPicker user={user.id} start={view === 'files' ? path : '/'} names={dialog.entries.map((e) => e.name)}
          onPick={(method, folder) => moveInto(dialog.entries, folder, method)} onClose={() => setDialog(null)} />
      )}
      {(dialog?.kind === 'newFolder' || dialog?.kind === 'newFile') && (
        <NameDialog title={t(dialog.kind === 'newFolder' ? 'files.newFolder' : 'files.newTextFile')}
          label={t(dialog.kind === 'newFolder' ? 'files.folderName' : 'files.fileName')}
          initial={dialog.kind === 'newFolder' ? t('files.newFolderDefault') : t('files.newFileDefault')}
          submit={t('files.create')} onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            try {
              await (dialog.kind === 'newFolder' ? createFolder(user.id, joinPath(path, name)) : createEmptyFile(user.id, joinPath(path, name)));
            } catch (err) {
              const code = err instanceof DavError ? err.status : 0;
              return code === 405 || code === 412 ? t('files.exists', { name, folder: path === '/' ? t('files.home') : path }) : describe(err, name);
            }
            setStatus(t('files.created', { name }));
            refresh();
            return null;
          }} />
      )}
      {dialog?.kind === 'settings' && (
        <SettingsDialog showHidden={showHidden} onClose={() => setDialog(null)}
          onShowHidden={(v) => { setShowHidden(v); store(HIDDEN_KEY, v ? '1' : '0'); }} />
      )}
    </div>
  );
}
