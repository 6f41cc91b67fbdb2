/** The Files app's dialogs: the folder picker (move / copy), a name prompt, a confirmation, and the Files settings. */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { DavError, joinPath, listFolder, type FileEntry } from './dav';
import { Dialog } from './Dialog';
import { FileIcon } from './icons';

/** Picks a destination folder; calls onPick, which answers an error message or null when done. */
export function FolderPicker({ user, start, names, onPick, onClose }: {
  user: string; start: string; names: string[];
  onPick: (method: 'MOVE' | 'COPY', folder: string) => Promise<string | null>; onClose: () => void;
}) {
  const [path, setPath] = useState(start);
  const [folders, setFolders] = useState<FileEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const abort = new AbortController();
    setFolders(null);
    listFolder(user, path, abort.signal).then(
      (entries) => setFolders(entries.filter((e) => e.isFolder).sort((a, b) => a.name.localeCompare(b.name))),
      (err: unknown) => { if (!abort.signal.aborted) setError(t('files.error', { status: err instanceof DavError ? err.status : '—' })); },
    );
    return () => abort.abort();
  }, [path]);
  const segments = path.split('/').filter(Boolean);
  const where = path === '/' ? t('files.home') : segments[segments.length - 1]!;
  const pick = async (method: 'MOVE' | 'COPY') => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const message = await onPick(method, path);
    setBusy(false);
    if (message) setError(message);
    else onClose();
  };
  return (
    <Dialog title={names.length === 1 ? t('files.pickerOne', { name: names[0]! }) : t('files.pickerMany', { count: names.length })} onClose={onClose} className="picker">
      <nav aria-label={t('files.pickerPath')} class="breadcrumbs">
        <ol>
          <li><button type="button" class="link" onClick={() => setPath('/')} aria-current={path === '/' ? 'location' : undefined}>{t('files.home')}</button></li>
          {segments.map((s, i) => (
            <li key={i}><button type="button" class="link" aria-current={i === segments.length - 1 ? 'location' : undefined}
              onClick={() => setPath(`/${segments.slice(0, i + 1).join('/')}`)}>{s}</button></li>
          ))}
        </ol>
      </nav>
      <div class="picker-list" aria-busy={folders === null}>
        {folders === null ? <p role="status">{t('files.loading')}</p>
          : folders.length === 0 ? <p>{t('files.noFolders')}</p>
            : (
              <ul aria-label={t('files.foldersIn', { folder: where })}>
                {folders.map((f) => (
                  <li key={f.path}><button type="button" class="picker-folder" onClick={() => setPath(joinPath(path, f.name))}>
                    <FileIcon entry={f} size={18} />
                    {f.name}</button></li>
                ))}
              </ul>
            )}
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="dialog-buttons">
        <button type="button" onClick={onClose}>{t('files.cancel')}</button>
        <button type="button" aria-disabled={busy ? 'true' : undefined} onClick={() => void pick('COPY')}>{t('files.copyTo', { folder: where })}</button>
        <button type="button" class="primary" aria-disabled={busy ? 'true' : undefined} onClick={() => void pick('MOVE')}>{t('files.moveTo', { folder: where })}</button>
      </div>
    </Dialog>
  );
}

/** Asks for a name; onSubmit answers an error message, or null when done. */
export function NameDialog({ title, label, initial, submit, onSubmit, onClose }: {
  title: string; label: string; initial: string; submit: string;
  onSubmit: (name: string) => Promise<string | null>; onClose: () => void;
}) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={title} onClose={onClose}>
      <form onSubmit={async (e) => {
        e.preventDefault();
        const clean = name.trim();
        if (!clean || clean === '.' || clean === '..' || clean.includes('/')) {
          setError(t('files.badName'));
          return;
        }
        if (busy) return;
        setBusy(true);
        const message = await onSubmit(clean);
        setBusy(false);
        if (message) setError(message);
        else onClose();
      }}>
        <label class="field">
          <span>{label}</span>
          <input type="text" data-autofocus value={name} aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'name-error' : undefined}
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </label>
        {error && <p role="alert" id="name-error" class="error">{error}</p>}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>{t('files.cancel')}</button>
          <button type="submit" class="primary" aria-disabled={busy ? 'true' : undefined}>{submit}</button>
        </div>
      </form>
    </Dialog>
  );
}

export function ConfirmDialog({ title, text, confirm, onConfirm, onClose }: { title: string; text: string; confirm: string; onConfirm: () => void; onClose: () => void }) {
  return (
    <Dialog title={title} onClose={onClose}>
      <p>{text}</p>
      <div class="dialog-buttons">
        <button type="button" data-autofocus onClick={onClose}>{t('files.cancel')}</button>
        <button type="button" class="primary danger" onClick={() => { onClose(); onConfirm(); }}>{confirm}</button>
      </div>
    </Dialog>
  );
}

export function SettingsDialog({ showHidden, onShowHidden, onClose }: { showHidden: boolean; onShowHidden: (v: boolean) => void; onClose: () => void }) {
  return (
    <Dialog title={t('files.settings')} onClose={onClose}>
      <label class="choice">
        <input type="checkbox" checked={showHidden} onChange={(e) => onShowHidden((e.currentTarget as HTMLInputElement).checked)} />
        {t('files.showHidden')}
      </label>
      <div class="dialog-buttons">
        <button type="button" class="primary" onClick={onClose}>{t('files.close')}</button>
      </div>
    </Dialog>
  );
}
