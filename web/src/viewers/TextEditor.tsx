/**
 * The text viewer: the file's text in a labelled <textarea>. Save (or Ctrl+S / Cmd+S) PUTs it back
 * with If-Match on the ETag the text was read with, so a change made meanwhile elsewhere is never
 * overwritten: the server answers 412 and the page says so. Unsaved changes are marked; results
 * are announced in a polite live region.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { apiFetch } from '../api';
import { t } from '../i18n';
import { DavError, fileUrl, type FileInfo } from './dav';

type Status =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved' }
  | { kind: 'conflict' }
  | { kind: 'error'; text: string };

export function TextEditor({ user, file, onSaved }: { user: string; file: FileInfo; onSaved: () => void }) {
  const url = fileUrl(user, file.path);
  const [loaded, setLoaded] = useState<{ text: string; etag: string } | { error: string } | null>(null);
  const [text, setText] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const etag = useRef('');
  const saving = useRef(false);
  const saved = useRef('');

  const load = async () => {
    setLoaded(null);
    setStatus({ kind: 'idle' });
    try {
      const res = await apiFetch(url, { cache: 'no-store' });
      if (!res.ok) throw new DavError(res.status);
      const body = await res.text();
      etag.current = res.headers.get('ETag') ?? file.etag;
      saved.current = body;
      setText(body);
      setLoaded({ text: body, etag: etag.current });
    } catch (err) {
      setLoaded({ error: t('viewer.loadFailed', { status: err instanceof DavError ? String(err.status) : String(err) }) });
    }
  };
  // Loaded once: our own saves change the file's ETag but not the text in hand (a restore remounts
  // the editor, ViewerPage keys it), and a change made elsewhere is met by If-Match on saving.
  useEffect(() => { void load(); }, [url]);

  const dirty = loaded !== null && !('error' in loaded) && text !== saved.current;

  const save = async () => {
    if (saving.current || loaded === null || 'error' in loaded) return;
    saving.current = true;
    setStatus({ kind: 'saving' });
    const body = text;
    try {
      const res = await apiFetch(url, {
        method: 'PUT',
        headers: { 'If-Match': etag.current, 'Content-Type': file.contentType || 'text/plain' },
        body,
      });
      if (res.status === 412) {
        setStatus({ kind: 'conflict' });
        return;
      }
      if (!res.ok) throw new DavError(res.status);
      etag.current = res.headers.get('ETag') ?? res.headers.get('OC-ETag') ?? etag.current;
      saved.current = body;
      setStatus({ kind: 'saved' });
      onSaved();
    } catch (err) {
      setStatus({ kind: 'error', text: t('viewer.text.saveFailed', { status: err instanceof DavError ? String(err.status) : String(err) }) });
    } finally {
      saving.current = false;
    }
  };

  // Ctrl+S / Cmd+S anywhere on the page saves (instead of the browser's "save page").
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void saveRef.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const onUnload = (e: BeforeUnloadEvent) => { e.preventDefault(); };
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [dirty]);

  if (loaded === null) return <p class="loading" role="status">{t('loading')}</p>;
  if ('error' in loaded) return <p class="error" role="alert">{loaded.error}</p>;

  const statusText = status.kind === 'saving' ? t('viewer.text.saving')
    : status.kind === 'saved' && !dirty ? t('viewer.text.saved')
      : status.kind === 'error' ? status.text : '';
  return (
    <div class="text-viewer">
      <div class="text-toolbar">
        <button type="button" class="primary" onClick={() => void save()} disabled={status.kind === 'saving'}
          aria-keyshortcuts="Control+S">{t('viewer.text.save')}</button>
        <span class={`text-dirty${dirty ? '' : ' clean'}`} id="text-dirty">{dirty ? t('viewer.text.unsaved') : t('viewer.text.noChanges')}</span>
        <span class="text-hint">{t('viewer.text.hint')}</span>
      </div>
      {status.kind === 'conflict' && (
        <div class="error text-conflict" role="alert">
          <p>{t('viewer.text.conflict')}</p>
          <button type="button" onClick={() => void load()}>{t('viewer.text.reload')}</button>
        </div>
      )}
      <label for="text-editor" class="text-label">{t('viewer.text.label', { name: file.name })}</label>
      <textarea id="text-editor" class="text-editor" value={text} spellcheck={false} aria-describedby="text-dirty"
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
      <p role="status" aria-live="polite" class={`live${status.kind === 'error' ? ' error' : ''}`}>{statusText}</p>
    </div>
  );
}
