/** Content-Disposition for a download: an RFC 5987 UTF-8 name and an ASCII fallback for old clients. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename*=UTF-8''${encodeURIComponent(name)}; filename="${ascii}"`;
}
