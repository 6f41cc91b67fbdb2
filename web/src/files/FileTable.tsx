/**
 * The file list as an accessible table, virtualized: only the rows in view (plus a margin) are in
 * the DOM, between two spacer rows, so 10,000 entries cost what 40 do. aria-rowcount and
 * aria-rowindex tell screen readers the true size. ArrowUp/ArrowDown/Home/End move between rows
 * (scrolling rows into existence), Enter opens a folder or downloads a file.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t, type MessageKey } from '../i18n';
import { onLinkClick } from '../router';
import { davUrl, type FileEntry } from './dav';
import { formatDate, formatSize } from './format';
import type { SortKey, SortOrder } from './sort';
import { folderUrl } from './urls';

/** Row height in px; must match `.file-table tbody tr` in styles.css. */
export const ROW_HEIGHT = 48;
const OVERSCAN = 10;

interface Props {
  user: string;
  entries: FileEntry[];
  order: SortOrder;
  onOrder: (order: SortOrder) => void;
  caption: string;
}

export function FileTable({ user, entries, order, onOrder, caption }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  const pendingFocus = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight || 800 });
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    el.addEventListener('scroll', update, { passive: true });
    return () => {
      observer.disconnect();
      el.removeEventListener('scroll', update);
    };
  }, []);

  const start = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const end = Math.min(entries.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);

  useLayoutEffect(() => {
    const index = pendingFocus.current;
    if (index === null) return;
    const link = scroller.current?.querySelector<HTMLElement>(`tr[data-row="${index}"] a`);
    if (link) {
      pendingFocus.current = null;
      link.focus();
    }
  });

  const focusRow = (index: number) => {
    const el = scroller.current;
    if (!el) return;
    const target = Math.max(0, Math.min(entries.length - 1, index));
    const rendered = el.querySelector<HTMLElement>(`tr[data-row="${target}"] a`);
    if (rendered) {
      rendered.focus();
      return;
    }
    const head = el.querySelector('thead')?.getBoundingClientRect().height ?? ROW_HEIGHT;
    const rowTop = target * ROW_HEIGHT;
    // Keep the row inside the visible part, below the sticky header.
    if (rowTop < el.scrollTop) el.scrollTop = rowTop;
    else if (rowTop + ROW_HEIGHT + head > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + ROW_HEIGHT + head - el.clientHeight;
    pendingFocus.current = target;
    setView({ top: el.scrollTop, height: el.clientHeight || 800 });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const row = (event.target as HTMLElement).closest('tr[data-row]');
    if (!row) return;
    const index = Number(row.getAttribute('data-row'));
    const to = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: entries.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    focusRow(to);
  };

  const header = (key: SortKey, className: string) => {
    const active = order.key === key;
    return (
      <th scope="col" class={className} aria-sort={active ? (order.ascending ? 'ascending' : 'descending') : undefined}>
        <button type="button" class="sort" aria-label={t('files.sortBy', { column: t(`files.${key}` as MessageKey) })}
          onClick={() => onOrder({ key, ascending: active ? !order.ascending : true })}>
          {t(`files.${key}` as MessageKey)}
          <span aria-hidden="true" class="sort-mark">{active ? (order.ascending ? '▲' : '▼') : ''}</span>
        </button>
      </th>
    );
  };

  return (
    <div class="file-scroller" ref={scroller}>
      <table class="file-table" aria-rowcount={entries.length + 1} onKeyDown={onKeyDown}>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr aria-rowindex={1}>
            {header('name', 'col-name')}
            {header('size', 'col-size')}
            {header('modified', 'col-modified')}
          </tr>
        </thead>
        <tbody>
          {start > 0 && <tr class="spacer" aria-hidden="true" style={{ height: `${start * ROW_HEIGHT}px` }}><td colSpan={3} /></tr>}
          {entries.slice(start, end).map((entry, i) => {
            const index = start + i;
            return (
              <tr key={entry.path} data-row={index} aria-rowindex={index + 2}>
                <td class="col-name">
                  <FileIcon folder={entry.isFolder} />
                  {entry.isFolder
                    ? <a href={folderUrl(entry.path)} onClick={onLinkClick}>{entry.name}<span class="visually-hidden"> ({t('files.type.folder')})</span></a>
                    : <a href={davUrl(user, entry.path)} download={entry.name}>{entry.name}</a>}
                </td>
                <td class="col-size">{formatSize(entry.size)}</td>
                <td class="col-modified">{formatDate(entry.modified)}</td>
              </tr>
            );
          })}
          {end < entries.length && <tr class="spacer" aria-hidden="true" style={{ height: `${(entries.length - end) * ROW_HEIGHT}px` }}><td colSpan={3} /></tr>}
        </tbody>
      </table>
    </div>
  );
}

/** A folder or file glyph (inline SVG: no icon font or emoji font needed). */
function FileIcon({ folder }: { folder: boolean }) {
  return (
    <svg class={folder ? 'icon folder' : 'icon file'} aria-hidden="true" focusable="false" width="20" height="20" viewBox="0 0 24 24">
      {folder
        ? <path d="M10 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-8l-2-2z" />
        : <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8l-6-6zm-1 7V3.5L18.5 9H13z" />}
    </svg>
  );
}
