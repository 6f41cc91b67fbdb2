/**
 * The details panel of a file: size, modified, type, and its versions (the current one first,
 * then the older ones from /remote.php/dav/versions/{user}/versions/{fileid}), each with Download,
 * the older ones with Restore. A complementary landmark; the Files list can embed it too.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n';
import { formatBytes } from '../settings/ui';
import { DavError, fileUrl, listVersions, restoreVersion, type FileInfo, type VersionInfo } from './dav';

export interface DetailsProps {
  user: string;
  file: FileInfo;
  /** Called after a version was restored (the file's content and ETag changed). */
  onRestored: () => void;
  /** Hides the panel (a collapsed panel keeps its state). */
  hidden?: boolean;
  id?: string;
}

let panels = 0;

function when(ms: number): string {
  return ms > 0 ? new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'medium', timeStyle: 'medium' }).format(ms) : '';
}

export function Details({ user, file, onRestored, hidden, id }: DetailsProps) {
  const headingId = useRef(`details-title-${++panels}`).current;
  const [versions, setVersions] = useState<VersionInfo[] | { error: string } | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setVersions(null);
    if (!file.fileId) {
      setVersions([]);
      return;
    }
    listVersions(user, file.fileId).then(
      (v) => { if (live) setVersions(v); },
      (err) => { if (live) setVersions({ error: t('viewer.versions.failed', { status: err instanceof DavError ? String(err.status) : String(err) }) }); },
    );
    return () => { live = false; };
  }, [user, file.fileId, file.etag]);

  const restore = async (v: VersionInfo) => {
    setBusy(v.href);
    setMessage(null);
    try {
      await restoreVersion(user, v.href);
      setMessage({ kind: 'ok', text: t('viewer.versions.restored', { date: when(v.modified) }) });
      onRestored();
      // The restored row is gone from the list: the focus goes to the list's heading.
      document.getElementById(headingId)?.focus();
    } catch (err) {
      setMessage({ kind: 'error', text: t('viewer.versions.restoreFailed', { status: err instanceof DavError ? String(err.status) : String(err) }) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <aside class="details" id={id} aria-labelledby={headingId} hidden={hidden}>
      <h2 id={headingId} tabIndex={-1}>{t('viewer.details.title')}</h2>
      <dl class="details-facts">
        <dt>{t('viewer.details.size')}</dt><dd>{formatBytes(file.size)}</dd>
        <dt>{t('viewer.details.modified')}</dt><dd>{when(file.modified)}</dd>
        <dt>{t('viewer.details.type')}</dt><dd>{file.contentType}</dd>
      </dl>
      <h3>{t('viewer.versions.title')}</h3>
      <p role="status" aria-live="polite" class={`live${message?.kind === 'error' ? ' error' : ''}`}>{message?.text ?? ''}</p>
      <ul class="versions" aria-label={t('viewer.versions.title')}>
        <li class="version current">
          <span class="version-what">
            <strong>{t('viewer.versions.current')}</strong>
            <span class="version-meta">{when(file.modified)} · {formatBytes(file.size)}</span>
          </span>
          <span class="version-actions">
            <a class="button" href={fileUrl(user, file.path)} download={file.name}
              aria-label={t('viewer.versions.downloadCurrent')}>{t('viewer.download')}</a>
          </span>
        </li>
        {Array.isArray(versions) && versions.map((v) => {
          const date = when(v.modified);
          return (
            <li class="version" key={v.href}>
              <span class="version-what">
                <strong>{v.label || date}</strong>
                <span class="version-meta">{v.label ? `${date} · ` : ''}{formatBytes(v.size)}{v.author ? ` · ${v.author}` : ''}</span>
              </span>
              <span class="version-actions">
                <a class="button" href={v.href} download={file.name}
                  aria-label={t('viewer.versions.download', { date })}>{t('viewer.download')}</a>
                <button type="button" onClick={() => void restore(v)} disabled={busy !== null}
                  aria-label={t('viewer.versions.restore', { date })}>{t('viewer.versions.restoreShort')}</button>
              </span>
            </li>
          );
        })}
      </ul>
      {versions === null && <p class="loading" role="status">{t('loading')}</p>}
      {Array.isArray(versions) && versions.length === 0 && <p class="muted">{t('viewer.versions.none')}</p>}
      {versions !== null && !Array.isArray(versions) && <p class="error" role="alert">{versions.error}</p>}
    </aside>
  );
}
