/** URLs of the Files app: /apps/files/?dir=/a/b, as Nextcloud's (slashes kept readable). */

/** The app URL of a folder. */
export function folderUrl(path: string): string {
  const clean = `/${path.split('/').filter(Boolean).join('/')}`;
  return `/apps/files/?dir=${encodeURIComponent(clean).replace(/%2F/g, '/')}`;
}

/** The folder path in an app URL's `dir` ("/" when absent), normalized. */
export function folderOf(url: URL): string {
  const dir = url.searchParams.get('dir') ?? '/';
  const segments = dir.split('/').filter((s) => s && s !== '.' && s !== '..');
  return `/${segments.join('/')}`;
}

/** The viewer page of a file: /apps/viewer/?path=/a/b.txt (web/src/viewers/). */
export function viewerUrl(path: string): string {
  const clean = `/${path.split('/').filter(Boolean).join('/')}`;
  return `/apps/viewer/?path=${encodeURIComponent(clean).replace(/%2F/g, '/')}`;
}
