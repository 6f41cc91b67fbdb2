/** The upload panel: per-file progress with Cancel, a total, Cancel all, and Close once finished. */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { formatSize } from './format';
import { cancel, cancelAll, clearFinished, subscribe, uploads, type Upload } from './upload';

export function UploadPanel() {
  const [list, setList] = useState<Upload[]>(uploads);
  useEffect(() => subscribe(() => setList(uploads())), []);
  if (list.length === 0) return null;
  const active = list.filter((u) => u.state === 'uploading' || u.state === 'queued');
  const counted = list.filter((u) => u.state !== 'cancelled');
  const total = counted.reduce((a, u) => a + u.size, 0);
  const loaded = counted.reduce((a, u) => a + (u.state === 'done' ? u.size : u.loaded), 0);
  const percent = total ? Math.floor((loaded / total) * 100) : 100;
  return (
    <section class="upload-panel" role="region" aria-label={t('files.uploads')} aria-live="polite">
      <div class="upload-head">
        <h2>{active.length ? t('files.uploading', { count: active.length }) : t('files.uploadsDone')}</h2>
        {active.length > 0
          ? <button type="button" onClick={cancelAll}>{t('files.cancelAll')}</button>
          : <button type="button" onClick={clearFinished}>{t('files.close')}</button>}
      </div>
      <Bar label={t('files.uploadTotal')} percent={percent} text={`${formatSize(loaded)} / ${formatSize(total)}`} changing />
      <ul>
        {list.map((u) => {
          const p = u.size ? Math.floor(((u.state === 'done' ? u.size : u.loaded) / u.size) * 100) : (u.state === 'done' ? 100 : 0);
          return (
            <li key={u.id} class={`upload upload-${u.state}`} data-name={u.name}>
              <span class="upload-name">{u.name}</span>
              <Bar label={t('files.uploadOf', { name: u.name })} percent={p} text={stateText(u, p)} changing={u.state === 'uploading'} />
              {(u.state === 'uploading' || u.state === 'queued') && (
                <button type="button" onClick={() => cancel(u.id)} aria-label={t('files.cancelUpload', { name: u.name })}>{t('files.cancel')}</button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function stateText(u: Upload, p: number): string {
  switch (u.state) {
    case 'done': return t('files.uploadDone');
    case 'failed': return t('files.uploadFailed', { status: u.status || '—' });
    case 'cancelled': return t('files.uploadCancelled');
    case 'queued': return t('files.uploadQueued');
    default: return `${p}%`;
  }
}

/**
 * A progress bar with its value as text. Text that changes many times a second (`changing`) is
 * hidden from the live region (the progressbar's aria-valuetext carries it): screen readers hear
 * the new uploads and their end states, not every percent.
 */
function Bar({ label, percent, text, changing = false }: { label: string; percent: number; text: string; changing?: boolean }) {
  return (
    <div class="bar-line">
      <div class="bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={text}>
        <div class="bar-fill" style={{ width: `${percent}%` }} />
      </div>
      <span class="bar-text" aria-hidden={changing ? 'true' : undefined}>{text}</span>
    </div>
  );
}
