/**
 * Uploads with progress: files up to 10 MiB go in one PUT (X-OC-Mtime from File.lastModified),
 * larger ones through Nextcloud's chunked upload v2 (MKCOL an upload folder, PUT 10 MiB chunks
 * three at a time, MOVE .file onto the destination). XMLHttpRequest gives upload progress events.
 * Each upload can be cancelled (aborting its requests; a chunked one DELETEs its upload folder).
 * A small store: the upload panel subscribes to it.
 */
import { loadSession } from '../api';
import { davUrl, joinPath } from './dav';

export const CHUNK_SIZE = 10 * 1024 * 1024;
const CHUNK_PARALLEL = 3;
const FILE_PARALLEL = 3;

export type UploadState = 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled';

export interface Upload {
  id: number;
  name: string;
  /** Destination path below the user's root. */
  path: string;
  size: number;
  loaded: number;
  state: UploadState;
  status?: number;
}

interface Job { upload: Upload; file: File; user: string; xhrs: Set<XMLHttpRequest>; cancelled: boolean; uploadDir?: string; resolve?: () => void }

let nextId = 1;
const jobs: Job[] = [];
const listeners = new Set<() => void>();
const doneListeners = new Set<() => void>();
let token: Promise<string> | null = null;
let running = 0;

function emit(): void {
  for (const l of listeners) l();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Called whenever the queue has drained (to refresh the listing). */
export function onIdle(listener: () => void): () => void {
  doneListeners.add(listener);
  return () => void doneListeners.delete(listener);
}

export function uploads(): Upload[] {
  return jobs.map((j) => j.upload);
}

/** Forgets finished uploads (the panel's Close). */
export function clearFinished(): void {
  for (let i = jobs.length - 1; i >= 0; i--) if (jobs[i]!.upload.state !== 'uploading' && jobs[i]!.upload.state !== 'queued') jobs.splice(i, 1);
  emit();
}

function requestToken(): Promise<string> {
  token ??= loadSession().then((s) => s?.requestToken ?? '');
  return token;
}

/** A file to upload and where, relative to the target folder ("a/b.txt"). */
export interface UploadSource { file: File; relativePath: string }

/** Queues files for upload into `folder`. */
export function enqueue(user: string, folder: string, sources: UploadSource[]): void {
  for (const { file, relativePath } of sources) {
    jobs.push({
      file, user, xhrs: new Set(), cancelled: false,
      upload: { id: nextId++, name: relativePath, path: joinPath(folder, relativePath), size: file.size, loaded: 0, state: 'queued' },
    });
  }
  emit();
  pump();
}

export function cancel(id: number): void {
  const job = jobs.find((j) => j.upload.id === id);
  if (!job || (job.upload.state !== 'queued' && job.upload.state !== 'uploading')) return;
  job.cancelled = true;
  const wasQueued = job.upload.state === 'queued';
  job.upload = { ...job.upload, state: 'cancelled' };
  for (const xhr of job.xhrs) xhr.abort();
  if (job.uploadDir) void cleanup(job);
  emit();
  if (wasQueued) pump();
}

export function cancelAll(): void {
  for (const job of jobs) cancel(job.upload.id);
}

async function cleanup(job: Job): Promise<void> {
  const t = await requestToken();
  await fetch(job.uploadDir!, { method: 'DELETE', headers: { requesttoken: t, 'X-Requested-With': 'XMLHttpRequest' }, credentials: 'same-origin' }).catch(() => undefined);
}

function pump(): void {
  while (running < FILE_PARALLEL) {
    const job = jobs.find((j) => j.upload.state === 'queued');
    if (!job) break;
    running++;
    job.upload = { ...job.upload, state: 'uploading' };
    emit();
    run(job).then(
      () => { if (!job.cancelled) job.upload = { ...job.upload, state: 'done', loaded: job.upload.size }; },
      (err: unknown) => { if (!job.cancelled) job.upload = { ...job.upload, state: 'failed', status: err instanceof XhrError ? err.status : 0 }; },
    ).finally(() => {
      running--;
      emit();
      pump();
      if (running === 0 && !jobs.some((j) => j.upload.state === 'queued')) for (const l of doneListeners) l();
    });
  }
}

class XhrError extends Error {
  constructor(readonly status: number) { super(`HTTP ${status}`); }
}

/** One request with upload progress; resolves with the status when it is one of `ok`. */
async function send(job: Job, method: string, url: string, headers: Record<string, string>, body: Blob | null, ok: number[], progress?: (loaded: number) => void): Promise<number> {
  if (job.cancelled) throw new XhrError(0);
  const t = await requestToken();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader('requesttoken', t);
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    if (progress) xhr.upload.onprogress = (e) => progress(e.loaded);
    xhr.onload = () => {
      job.xhrs.delete(xhr);
      if (ok.includes(xhr.status)) resolve(xhr.status);
      else reject(new XhrError(xhr.status));
    };
    xhr.onerror = xhr.onabort = () => {
      job.xhrs.delete(xhr);
      reject(new XhrError(0));
    };
    job.xhrs.add(xhr);
    xhr.send(body);
  });
}

let lastEmit = 0;
function setLoaded(job: Job, loaded: number): void {
  if (job.cancelled) return;
  job.upload = { ...job.upload, loaded: Math.min(job.upload.size, loaded) };
  const now = performance.now();
  if (now - lastEmit > 100) {
    lastEmit = now;
    emit();
  }
}

async function run(job: Job): Promise<void> {
  const { file, user } = job;
  const target = new URL(davUrl(user, job.upload.path), location.origin).href;
  const mtime = String(Math.floor(file.lastModified / 1000));
  if (file.size <= CHUNK_SIZE) {
    await send(job, 'PUT', target, { 'X-OC-Mtime': mtime, 'Content-Type': file.type || 'application/octet-stream' }, file, [200, 201, 204], (n) => setLoaded(job, n));
    return;
  }
  const dir = `/remote.php/dav/uploads/${encodeURIComponent(user)}/web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const common = { Destination: target, 'OC-Total-Length': String(file.size) };
  await send(job, 'MKCOL', dir, common, null, [201]);
  job.uploadDir = dir;
  if (job.cancelled) {
    void cleanup(job);
    throw new XhrError(0);
  }
  const count = Math.ceil(file.size / CHUNK_SIZE);
  const loaded = new Array<number>(count).fill(0);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(CHUNK_PARALLEL, count) }, async () => {
    while (next < count) {
      const i = next++;
      const blob = file.slice(i * CHUNK_SIZE, Math.min(file.size, (i + 1) * CHUNK_SIZE));
      await send(job, 'PUT', `${dir}/${String(i + 1).padStart(5, '0')}`, common, blob, [200, 201, 204], (n) => {
        loaded[i] = n;
        setLoaded(job, loaded.reduce((a, b) => a + b, 0));
      });
      loaded[i] = blob.size;
    }
  }));
  await send(job, 'MOVE', `${dir}/.file`, { ...common, 'X-OC-Mtime': mtime }, null, [201, 204]);
}
