import type { Context } from 'hono';
import { checkConditionalHeaders, quoteEtag } from '../../dav/conditions';
import { DavError } from '../../dav/errors';
import { parseMtime } from '../../dav/methods/put';
import { parentPath } from '../../dav/paths';
import { DavRequest, type DavMount } from '../../dav/request';
import type { AppEnv } from '../../http/env';
import { dav, FileNode, FilesDavBackend } from '../dav-backend';
import { FilesService, parseChecksum } from '../service';
import { digestSegments, VERIFIABLE_ON_COMPLETION } from './checksum';
import { filesPathOf, filesPrefixes, parseTotalLength } from './destination';
import { chainedSha1 } from './chained-sha1';
import { assemble } from './order';
import { UploadStore } from './store';

/** The ETag the commit must still find at the destination, so the checks below hold atomically. */
function expectedEtag(req: Request, existing: FileNode | null): string | null | undefined {
  if (req.headers.get('If-None-Match')?.trim() === '*') return null;
  const m = /^(?:W\/)?"([^"]*)"$/.exec(req.headers.get('If-Match')?.trim() ?? '');
  if (m) return m[1];
  // The desktop client sends If: </dest> (["etag"]) instead; once it held, the file must not change.
  if (req.headers.get('If') !== null && existing) return existing.etag;
  return undefined;
}

/**
 * MOVE of `{upload}/.file` to a path of the owner's files: completes a chunked upload as a
 * metadata write. The chunks' blobs, in natural order of their names, become the file's segments
 * in one D1 batch with ETag propagation, the quota guard, and the removal of the upload's rows.
 * Preconditions (If, If-Match, If-None-Match, locks, Overwrite) apply to the destination.
 */
export async function finishUpload(c: Context<AppEnv>, uploadId: string): Promise<Response> {
  const user = c.get('user');
  const req = c.req.raw;
  const destHeader = req.headers.get('Destination');
  if (!destHeader) throw new DavError(400, 'The Destination header is missing');
  const dest = filesPathOf(destHeader, req, user.id);
  if (dest === null || dest === '') throw new DavError(403, 'An upload can only become a file in your files');
  const overwrite = (req.headers.get('Overwrite') ?? 'T').trim().toUpperCase();
  if (overwrite !== 'T' && overwrite !== 'F') throw new DavError(400, 'Invalid Overwrite header');
  const mtime = parseMtime(req.headers.get('X-OC-Mtime'));
  const totalHeader = parseTotalLength(req.headers.get('OC-Total-Length'));
  const checksum = await dav(async () => parseChecksum(req.headers.get('OC-Checksum')));

  const now = Date.now();
  const files = new FilesService(c.env, user.id, user.quota);
  const backend = new FilesDavBackend(files, { id: user.id, displayName: user.displayName }, c.env, now);
  const mount: DavMount<FileNode> = {
    backend,
    prefixes: filesPrefixes(user.id),
    ctx: {
      principal: user.id, baseHref: `/remote.php/dav/files/${encodeURIComponent(user.id)}`, request: req, now,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    },
  };
  const r = new DavRequest(mount, dest);
  const store = new UploadStore(c.env, user.id);
  const [upload, existing, parent] = await Promise.all([store.get(uploadId), backend.resolve(dest), backend.resolve(parentPath(dest)!)]);
  if (!upload) throw new DavError(404, 'The upload does not exist');
  if (!parent || !parent.isCollection) throw new DavError(409, 'The destination collection does not exist');
  if (existing?.isCollection) throw new DavError(409, 'A folder exists at the destination');
  await r.checkIfHeader(existing);
  checkConditionalHeaders(req, existing);
  if (existing && overwrite === 'F') throw new DavError(412, 'The destination exists and Overwrite is F');
  await r.assertUnlocked([{ path: dest, changesMembership: !existing, recursive: false }]);

  const chunks = await store.chunks(upload.id);
  const { segments } = await dav(async () => assemble(chunks, totalHeader ?? upload.totalLength));
  // The SHA-1 computed while the chunks came in, when they came in order; else read back if needed.
  const chained = chainedSha1(chunks);
  let checksums = chained === null ? null : `SHA1:${chained}`;
  if (checksum && VERIFIABLE_ON_COMPLETION.has(checksum.algo)) {
    const algorithms = checksum.algo === 'SHA1' ? ['SHA1'] : ['SHA1', checksum.algo];
    const toRead = algorithms.filter((a) => a !== 'SHA1' || chained === null);
    const digests: Record<string, string> = toRead.length ? await digestSegments(c.env.FILES, segments, toRead) : {};
    if (chained !== null) digests.SHA1 = chained;
    if (digests[checksum.algo] !== checksum.value) throw new DavError(400, `The ${checksum.algo} checksum does not match the uploaded content`);
    checksums = algorithms.map((a) => `${a}:${digests[a]}`).join(' ');
  }
  const { row, created } = await dav(() => files.commitSegments(dest, segments, {
    mtime, checksums, expectEtag: expectedEtag(req, existing), alsoRun: store.commitStatements(upload),
  }));
  const headers: Record<string, string> = { ETag: quoteEtag(row.etag), ...backend.writeHeaders(new FileNode(row)) };
  if (mtime !== null) headers['X-OC-MTime'] = 'accepted';
  return new Response(null, { status: created ? 201 : 204, headers });
}
