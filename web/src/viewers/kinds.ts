/** Which viewer a file gets, by its content type (and, for text the server types generically, its extension). */
export type ViewerKind = 'image' | 'text' | 'audio' | 'video' | 'pdf' | 'other';

const TEXT_TYPES = new Set([
  'application/json', 'application/xml', 'application/javascript', 'application/x-javascript',
  'application/ecmascript', 'application/x-sh', 'application/x-shellscript', 'application/yaml',
  'application/x-yaml', 'application/toml', 'application/x-httpd-php', 'application/sql',
  'application/x-tex', 'application/xhtml+xml', 'application/ld+json', 'application/manifest+json',
]);
const TEXT_EXTENSIONS = new Set([
  'txt', 'md', 'markdown', 'json', 'xml', 'yml', 'yaml', 'toml', 'ini', 'conf', 'cfg', 'log', 'csv',
  'tsv', 'sh', 'bash', 'py', 'js', 'mjs', 'ts', 'tsx', 'jsx', 'css', 'html', 'htm', 'sql', 'tex', 'rst',
  'c', 'h', 'cpp', 'java', 'go', 'rs', 'rb', 'php', 'env', 'properties', 'gitignore', 'vcf', 'ics',
]);

export function viewerKind(contentType: string, name: string): ViewerKind {
  const type = contentType.toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  if (type === 'application/pdf') return 'pdf';
  if (type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml')) return 'text';
  const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
  if ((type === 'application/octet-stream' || type === '') && TEXT_EXTENSIONS.has(ext)) return 'text';
  return 'other';
}
