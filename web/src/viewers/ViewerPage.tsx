/**
 * The file viewer, /apps/viewer/?path=/dir/file.ext (its own chunk): PROPFIND Depth 0 of the file,
 * a header (back to its folder, the name, Download, the details toggle), the viewer its content
 * type asks for, and the details panel beside it. Images, audio and video load straight from the
 * WebDAV URL with the session cookie (the browser streams media with Range requests, the server
 * answers 206); text is edited in place; PDFs open in the browser's own viewer in a new tab.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SessionUser } from '../api';
import { t } from '../i18n';
import { onLinkClick, useLocation } from '../router';
import { DavError, fileUrl, parentOf, statFile, type FileInfo } from './dav';
import { Details } from './Details';
import { viewerKind } from './kinds';
import { TextEditor } from './TextEditor';

type State = { phase: 'loading' } | { phase: 'error'; text: string } | { phase: 'ready'; file: FileInfo };

const NARROW = '(max-width: 700px)';

export function ViewerPage({ user }: { user: SessionUser }) {
  const location = useLocation();
  const path = location.searchParams.get('path') ?? '';
  const [state, setState] = useState<State>({ phase: 'loading' });
  const [revision, setRevision] = useState(0);
  const [restores, setRestores] = useState(0);
  // On a narrow screen the panel starts collapsed below the viewer; wide, it starts open beside it.
  const [detailsOpen, setDetailsOpen] = useState(() => !window.matchMedia(NARROW).matches);

  useEffect(() => {
    let live = true;
    if (!path.startsWith('/') || path === '/') {
      setState({ phase: 'error', text: t('viewer.noPath') });
      return;
    }
    statFile(user.id, path).then(
      (file) => { if (live) setState({ phase: 'ready', file }); },
      (err) => {
        if (!live) return;
        const status = err instanceof DavError ? err.status : 0;
        setState({ phase: 'error', text: status === 404 ? t('viewer.notFound') : status === 409 ? t('viewer.isFolder') : t('viewer.loadFailed', { status: String(status || err) }) });
      },
    );
    return () => { live = false; };
  }, [user.id, path, revision]);

  const name = state.phase === 'ready' ? state.file.name : path.split('/').filter(Boolean).pop() ?? '';
  useEffect(() => { document.title = `${name || t('viewer.title')} - ${t('app.name')}`; }, [name]);

  const folder = parentOf(path.startsWith('/') ? path : '/');
  const back = `/apps/files/?dir=${encodeURIComponent(folder)}`;
  const reload = () => setRevision((n) => n + 1);
  const restored = () => {
    setRestores((n) => n + 1);
    reload();
  };

  return (
    <div class="viewer-page">
      <div class="viewer-head">
        <a href={back} onClick={onLinkClick} class="viewer-back">
          <span aria-hidden="true">← </span>{t('viewer.back', { folder: folder === '/' ? t('files.home') : folder.split('/').pop()! })}
        </a>
        <h1 class="viewer-name">{name || t('viewer.title')}</h1>
        {state.phase === 'ready' && (
          <div class="viewer-actions">
            <a class="button" href={fileUrl(user.id, state.file.path)} download={state.file.name}>{t('viewer.download')}</a>
            <button type="button" aria-expanded={detailsOpen} aria-controls="viewer-details"
              onClick={() => setDetailsOpen((o) => !o)}>{t('viewer.details.toggle')}</button>
          </div>
        )}
      </div>
      {state.phase === 'loading' && <p class="loading" role="status">{t('loading')}</p>}
      {state.phase === 'error' && <p class="error" role="alert">{state.text}</p>}
      {state.phase === 'ready' && (
        <div class={`viewer-body${detailsOpen ? ' with-details' : ''}`}>
          <section class="viewer-content" aria-label={t('viewer.content', { name: state.file.name })}>
            <Viewer key={restores} user={user.id} file={state.file} onChanged={reload} />
          </section>
          <Details id="viewer-details" user={user.id} file={state.file} onRestored={restored} hidden={!detailsOpen} />
        </div>
      )}
    </div>
  );
}

function Viewer({ user, file, onChanged }: { user: string; file: FileInfo; onChanged: () => void }) {
  const url = fileUrl(user, file.path);
  switch (viewerKind(file.contentType, file.name)) {
    case 'image':
      return <img class="image-viewer" src={url} alt={file.name} key={file.etag} />;
    case 'text':
      return <TextEditor user={user} file={file} onSaved={onChanged} />;
    case 'audio':
      return <audio class="media-viewer" controls preload="metadata" src={url} key={file.etag} aria-label={file.name} />;
    case 'video':
      return <video class="media-viewer" controls preload="metadata" src={url} key={file.etag} aria-label={file.name} />;
    case 'pdf':
      return <PdfViewer url={url} file={file} />;
    default:
      return (
        <div class="viewer-other">
          <p>{t('viewer.other', { type: file.contentType })}</p>
          <p><a class="button" href={url} download={file.name}>{t('viewer.downloadName', { name: file.name })}</a></p>
        </div>
      );
  }
}

/**
 * PDFs are not shown inside the page, on purpose:
 * - the app's CSP has `object-src 'none'` and (through `default-src 'none'`) no frame source, so no
 *   <iframe>/<object>/<embed> can load anything, and it stays that way;
 * - the WebDAV GET answers every file with `Content-Security-Policy: sandbox …` and
 *   `Content-Disposition: attachment` (user content must never run as a page of this origin), and
 *   browsers refuse their PDF viewer in a sandboxed document, so even a frame would show nothing.
 * Instead the file is read into a Blob typed application/pdf (a type we set, so it can never be
 * taken for HTML) and opened in a new tab, where the browser's own PDF viewer shows it; Download
 * is always there too.
 */
function PdfViewer({ url, file }: { url: string; file: FileInfo }) {
  const [blobUrl, setBlobUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    setBlobUrl(null);
    fetch(url, { credentials: 'same-origin', cache: 'no-store' })
      .then(async (res) => {
        if (!res.ok) throw new DavError(res.status);
        const blob = new Blob([await res.arrayBuffer()], { type: 'application/pdf' });
        if (!live) return;
        made = URL.createObjectURL(blob);
        setBlobUrl(made);
      })
      .catch((err) => { if (live) setFailed(t('viewer.loadFailed', { status: err instanceof DavError ? String(err.status) : String(err) })); });
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url, file.etag]);
  return (
    <div class="pdf-viewer">
      <p>{t('viewer.pdf.explain')}</p>
      <p class="pdf-links">
        {blobUrl
          ? <a class="button" href={blobUrl} target="_blank">{t('viewer.pdf.open')}</a>
          : !failed && <span role="status">{t('loading')}</span>}
        <a class="button" href={url} download={file.name}>{t('viewer.downloadName', { name: file.name })}</a>
      </p>
      {failed && <p class="error" role="alert">{failed}</p>}
    </div>
  );
}
