/**
 * The Files list's details sidebar (its own chunk, loaded when first opened): for a file the
 * viewer's Details panel (size, modified, type, versions with Download and Restore), for a folder
 * its name, size and modified (folders have no versions). The focus goes to its heading when it
 * opens; the Close button and Escape close it (FilesApp then puts the focus back on the row).
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import { currentLanguage, t } from '../i18n';
import { formatBytes } from '../settings/ui';
import { Details } from '../viewers/Details';
import type { FileEntry } from './dav';
import { FileIcon } from './icons';

export interface DetailsPanelProps {
  user: string;
  entry: FileEntry;
  /** Changes with every "Details" command, so asking again for an open panel focuses it again. */
  opened: number;
  onClose: () => void;
  /** After a version was restored: the listing is read again (size, modified, ETag changed). */
  onRestored: () => void;
}

/** Dates as the viewer's Details panel shows them. */
function when(ms: number): string {
  return ms > 0 ? new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'medium', timeStyle: 'medium' }).format(ms) : '';
}

export function DetailsPanel({ user, entry, opened, onClose, onRestored }: DetailsPanelProps) {
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    box.current?.querySelector<HTMLElement>('h2')?.focus();
  }, [entry.path, opened]);
  return (
    <div class="files-details" ref={box} onKeyDown={(e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      onClose();
    }}>
      <div class="files-details-head">
        <FileIcon entry={entry} size={28} />
        <p class="files-details-name">{entry.name}</p>
        <button type="button" class="files-details-close" aria-label={t('files.detailsClose')} onClick={onClose}>{t('files.close')}</button>
      </div>
      {entry.isFolder ? (
        <aside class="details" aria-labelledby="files-folder-details">
          <h2 id="files-folder-details" tabIndex={-1}>{t('viewer.details.title')}</h2>
          <dl class="details-facts">
            <dt>{t('files.name')}</dt><dd>{entry.name}</dd>
            <dt>{t('viewer.details.size')}</dt><dd>{formatBytes(entry.size)}</dd>
            <dt>{t('viewer.details.modified')}</dt><dd>{when(entry.modified)}</dd>
          </dl>
        </aside>
      ) : (
        <Details user={user} onRestored={onRestored} file={{
          path: entry.path, name: entry.name, size: entry.size, modified: entry.modified,
          contentType: entry.contentType.split(';')[0]!.trim().toLowerCase() || 'application/octet-stream',
          etag: entry.etag, fileId: entry.fileId,
        }} />
      )}
    </div>
  );
}
