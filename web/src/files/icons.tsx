/**
 * File-type icons for the list and the grid (until previews exist): small inline SVGs in
 * currentColor (no icon font, no extra request), chosen by folder, content type and extension.
 * The viewer's own type rules (viewers/kinds.ts) decide image, audio, video, PDF and text.
 */
import { viewerKind } from '../viewers/kinds';

export type IconKind = 'folder' | 'image' | 'audio' | 'video' | 'pdf' | 'text' | 'archive' | 'document' | 'spreadsheet' | 'presentation' | 'file';

/** Office and archive types, by extension and by content type (checked before the viewer's rules: csv is text there). */
const BY_EXTENSION: Record<string, IconKind> = {
  zip: 'archive', tar: 'archive', gz: 'archive', tgz: 'archive', bz2: 'archive', xz: 'archive', '7z': 'archive', rar: 'archive',
  odt: 'document', doc: 'document', docx: 'document', rtf: 'document', epub: 'document',
  ods: 'spreadsheet', xls: 'spreadsheet', xlsx: 'spreadsheet', csv: 'spreadsheet', tsv: 'spreadsheet',
  odp: 'presentation', ppt: 'presentation', pptx: 'presentation', key: 'presentation',
};
const BY_TYPE: [RegExp, IconKind][] = [
  [/^application\/(zip|gzip|x-tar|x-gzip|x-bzip2|x-xz|x-7z-compressed|vnd\.rar|x-rar-compressed)$/, 'archive'],
  [/spreadsheet|ms-excel|^text\/(csv|tab-separated-values)$/, 'spreadsheet'],
  [/presentation|ms-powerpoint/, 'presentation'],
  [/opendocument\.text|wordprocessingml|msword|^application\/rtf$/, 'document'],
];

export function iconKind(entry: { isFolder: boolean; contentType: string; name: string }): IconKind {
  if (entry.isFolder) return 'folder';
  const type = entry.contentType.split(';')[0]!.trim().toLowerCase();
  const dot = entry.name.lastIndexOf('.');
  const byName = dot > 0 ? BY_EXTENSION[entry.name.slice(dot + 1).toLowerCase()] : undefined;
  const byType = BY_TYPE.find(([re]) => re.test(type))?.[1];
  const special = byType ?? byName;
  if (special) return special;
  const kind = viewerKind(type, entry.name);
  return kind === 'other' ? 'file' : kind;
}

/** A page with a folded corner; the kinds below cut their mark out of it (fill-rule evenodd). */
const PAGE = 'M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zM13 3.5V9h5.5z';

const PATHS: Record<IconKind, string> = {
  folder: 'M10 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-8l-2-2z',
  file: PAGE,
  // A picture: a frame with a sun and two hills cut out.
  image: 'M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zM6 17h12l-4-5.5-3 4-2-2.5zM7 8.5a1.5 1.5 0 1 0 3 0a1.5 1.5 0 1 0-3 0z',
  // A note.
  audio: 'M10 3h9v4.5h-6.5V17a3.5 3.5 0 1 1-2.5-3.35z',
  // A screen with a play mark cut out.
  video: 'M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM10 8.5v7l5.5-3.5z',
  // A page with a wide band (where "PDF" sits on the usual icon).
  pdf: `${PAGE}M6.5 12.5h11v5h-11z`,
  // A page with </> cut out.
  text: `${PAGE}M10.2 11.2 7 14.5l3.2 3.3 1-1-2.3-2.3 2.3-2.3zM13.8 11.2l-1 1 2.3 2.3-2.3 2.3 1 1 3.2-3.3z`,
  // A page with a zipper.
  archive: `${PAGE}M10 4h2v2h-2zM10 8h2v2h-2zM10 12h2v2h-2zM9 16h4v4H9z`,
  // A page with lines of text.
  document: `${PAGE}M7 11.5h10V13H7zM7 14.5h10V16H7zM7 17.5h7V19H7z`,
  // A page with four cells.
  spreadsheet: `${PAGE}M7 11h4.5v3.5H7zM12.5 11H17v3.5h-4.5zM7 15.5h4.5V19H7zM12.5 15.5H17V19h-4.5z`,
  // A board on a stand, with bars cut out.
  presentation: 'M2 3h20v2h-1v10H3V5H2zM11 15h2v2.2l3.2 3.8h-2.6L12 19l-1.6 2H7.8l3.2-3.8zM7 12h2V9H7zM11 12h2V7h-2zM15 12h2v-2h-2z',
};

/** The icon of an entry; decorative (the name says it all), so hidden from assistive technology. */
export function FileIcon({ entry, size = 20, className = 'icon' }: { entry: { isFolder: boolean; contentType: string; name: string }; size?: number; className?: string }) {
  const kind = iconKind(entry);
  return (
    <svg class={`${className} file-icon`} data-icon={kind} aria-hidden="true" focusable="false" width={size} height={size}
      viewBox="0 0 24 24" fill="currentColor" fill-rule="evenodd">
      <path d={PATHS[kind]} />
    </svg>
  );
}
