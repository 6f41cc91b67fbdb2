/**
 * The file list as an accessible table, virtualized: only the rows in view (plus a margin) are in
 * the DOM, between two spacer rows, so 10,000 entries cost what 40 do. aria-rowcount and
 * aria-rowindex tell screen readers the true size. ArrowUp/ArrowDown/Home/End move between rows
 * (scrolling rows into existence), Enter opens a folder, or a file in the viewer.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t, type MessageKey } from '../i18n';
import { onLinkClick } from '../router';
import type { FileEntry } from './dav';
import { formatDate, formatLocation, formatSize } from './format';
import { FileIcon } from './icons';
import type { SortKey, SortOrder } from './sort';
import { folderUrl, viewerUrl } from './urls';
import { useFocusItem, useScrollerEvents } from './virtualList';
import { MenuButton, type MenuItem } from './Menu';

/** Row height in px; must match `.file-table tbody tr` in styles.css. */
export const ROW_HEIGHT = 48;
const OVERSCAN = 10;

/** What a row can do; FilesApp implements it. */
export interface RowActions {
  selected: Set<string>;
  /** Toggle one path, or (range) select from the anchor to it. */
  onSelect: (path: string, mode: 'toggle' | 'range' | 'add') => void;
  onSelectAll: (all: boolean) => void;
  renaming: string | null;
  onRename: (entry: FileEntry, name: string) => void;
  onCancelRename: () => void;
  menuItems: (entry: FileEntry) => MenuItem[];
  onFavorite: (entry: FileEntry) => void;
  /** Paths dragged from rows, dropped onto a folder: moved, or copied when a copy key was held. */
  onDropInto: DropInto;
  /** Show where each entry lives (Recent, Favorites, search results): its folder, under the name. */
  showLocation: boolean;
}

interface Props {
  user: string;
  entries: FileEntry[];
  order: SortOrder;
  onOrder: (order: SortOrder) => void;
  caption: string;
  actions: RowActions;
}

export const DRAG_TYPE = 'application/x-cumulus-paths';

/** What a drop of dragged rows onto `folder` does with them. */
export type DropInto = (paths: string[], folder: string, method: 'MOVE' | 'COPY') => void;

/**
 * Whether a drag copies instead of moving: Ctrl held, as in the file managers of Windows and Linux,
 * or Alt (Option), as in macOS's Finder. Read on every dragover, so pressing or releasing the key
 * mid-drag switches the effect.
 */
function copyKeyHeld(e: DragEvent): boolean {
  return e.ctrlKey || e.altKey;
}

/** The drag-start half of dragging rows: the paths, and that they may be moved or copied. */
export function startRowDrag(e: DragEvent, paths: string[]): void {
  if (!e.dataTransfer) return;
  e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(paths));
  // Both effects, or the browser refuses a drop whose dropEffect is 'copy'.
  e.dataTransfer.effectAllowed = 'copyMove';
}

/**
 * Drag-and-drop handlers that make an element a drop target for dragged rows. The pointer shows the
 * effect (dropEffect), the target the drop-over style (plus drop-copy when copying); the result is
 * announced by the caller's status region, as for a move.
 */
export function dropTarget(folder: string, onDropInto: DropInto) {
  const clear = (el: HTMLElement) => el.classList.remove('drop-over', 'drop-copy');
  return {
    onDragOver: (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes(DRAG_TYPE)) return;
      e.preventDefault();
      const copy = copyKeyHeld(e);
      e.dataTransfer.dropEffect = copy ? 'copy' : 'move';
      const el = e.currentTarget as HTMLElement;
      el.classList.add('drop-over');
      el.classList.toggle('drop-copy', copy);
    },
    onDragLeave: (e: DragEvent) => clear(e.currentTarget as HTMLElement),
    onDrop: (e: DragEvent) => {
      clear(e.currentTarget as HTMLElement);
      const data = e.dataTransfer?.getData(DRAG_TYPE);
      if (!data) return;
      e.preventDefault();
      e.stopPropagation();
      const paths = (JSON.parse(data) as string[]).filter((p) => p !== folder && !folder.startsWith(`${p}/`));
      if (paths.length) onDropInto(paths, folder, copyKeyHeld(e) ? 'COPY' : 'MOVE');
    },
  };
}

export function FileTable({ user, entries, order, onOrder, caption, actions }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });

  useScrollerEvents(scroller, (el) => setView({ top: el.scrollTop, height: el.clientHeight || 800 }));

  const start = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const end = Math.min(entries.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);

  const focusRowAt = useFocusItem(scroller, (index) => `tr[data-row="${index}"] a`, (el, index) => {
    const head = el.querySelector('thead')?.getBoundingClientRect().height ?? ROW_HEIGHT;
    const rowTop = index * ROW_HEIGHT;
    // Keep the row inside the visible part, below the sticky header.
    if (rowTop < el.scrollTop) el.scrollTop = rowTop;
    else if (rowTop + ROW_HEIGHT + head > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + ROW_HEIGHT + head - el.clientHeight;
    setView({ top: el.scrollTop, height: el.clientHeight || 800 });
  });
  const focusRow = (index: number) => focusRowAt(Math.max(0, Math.min(entries.length - 1, index)));

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (target.tagName === 'INPUT' && target.getAttribute('type') !== 'checkbox') return;
    const row = target.closest('tr[data-row]');
    if (!row) return;
    const index = Number(row.getAttribute('data-row'));
    const entry = entries[index];
    if (event.key === ' ' && entry && target.tagName === 'A') {
      event.preventDefault();
      actions.onSelect(entry.path, 'toggle');
      return;
    }
    const to = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: entries.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    if (event.shiftKey && entry) {
      const next = entries[Math.max(0, Math.min(entries.length - 1, to))];
      actions.onSelect(entry.path, 'add');
      if (next) actions.onSelect(next.path, 'add');
    }
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

  const allSelected = entries.length > 0 && entries.every((e) => actions.selected.has(e.path));
  const someSelected = !allSelected && entries.some((e) => actions.selected.has(e.path));

  return (
    <div class="file-scroller" ref={scroller}>
      <table class="file-table" aria-rowcount={entries.length + 1} onKeyDown={onKeyDown}>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col" class="col-select">
              <input type="checkbox" aria-label={t('files.selectAll')} checked={allSelected}
                ref={(el) => { if (el) el.indeterminate = someSelected; }}
                onChange={(e) => actions.onSelectAll((e.currentTarget as HTMLInputElement).checked)} />
            </th>
            {header('name', 'col-name')}
            <th scope="col" class="col-actions"><span class="visually-hidden">{t('files.actions')}</span></th>
            {header('size', 'col-size')}
            {header('modified', 'col-modified')}
          </tr>
        </thead>
        <tbody>
          {start > 0 && <tr class="spacer" aria-hidden="true" style={{ height: `${start * ROW_HEIGHT}px` }}><td colSpan={5} /></tr>}
          {entries.slice(start, end).map((entry, i) => {
            const index = start + i;
            const selected = actions.selected.has(entry.path);
            // Same names in different folders: the folder is the link's description.
            const location = actions.showLocation ? `file-location-${index}` : undefined;
            return (
              <tr key={entry.path} data-row={index} data-path={entry.path} aria-rowindex={index + 2} aria-selected={selected ? 'true' : 'false'}
                class={selected ? 'selected' : undefined} draggable={actions.renaming !== entry.path}
                onDragStart={(e) => startRowDrag(e, selected ? [...actions.selected] : [entry.path])}
                {...(entry.isFolder ? dropTarget(entry.path, actions.onDropInto) : {})}>
                <td class="col-select">
                  <input type="checkbox" checked={selected} aria-label={t('files.select', { name: entry.name })}
                    onClick={(e) => {
                      e.preventDefault();
                      actions.onSelect(entry.path, e.shiftKey ? 'range' : 'toggle');
                    }} />
                </td>
                <td class="col-name">
                  <FileIcon entry={entry} />
                  {actions.renaming === entry.path
                    ? <RenameField entry={entry} onSave={(name) => actions.onRename(entry, name)} onCancel={actions.onCancelRename} />
                    : <EntryLink entry={entry} describedBy={location} />}
                  {location && <span class="location" id={location}><bdi>{formatLocation(entry.path)}</bdi></span>}
                </td>
                <td class="col-actions">
                  <FavoriteButton entry={entry} onToggle={actions.onFavorite} />
                  <MenuButton label={t('files.actionsFor', { name: entry.name })} items={actions.menuItems(entry)} className="row-menu">
                    <span aria-hidden="true">⋯</span>
                  </MenuButton>
                </td>
                <td class="col-size">{formatSize(entry.size)}</td>
                <td class="col-modified">{formatDate(entry.modified)}</td>
              </tr>
            );
          })}
          {end < entries.length && <tr class="spacer" aria-hidden="true" style={{ height: `${(entries.length - end) * ROW_HEIGHT}px` }}><td colSpan={5} /></tr>}
        </tbody>
      </table>
    </div>
  );
}

/** An entry's name as a link: a folder opens in the list, a file in the viewer. */
export function EntryLink({ entry, describedBy, className }: { entry: FileEntry; describedBy?: string; className?: string }) {
  return (
    <a class={className} href={entry.isFolder ? folderUrl(entry.path) : viewerUrl(entry.path)} onClick={onLinkClick} aria-describedby={describedBy}>
      {entry.name}{entry.isFolder && <span class="visually-hidden"> ({t('files.type.folder')})</span>}
    </a>
  );
}

export function FavoriteButton({ entry, onToggle }: { entry: FileEntry; onToggle: (entry: FileEntry) => void }) {
  return (
    <button type="button" class={`star${entry.favorite ? ' on' : ''}`} aria-pressed={entry.favorite ? 'true' : 'false'}
      aria-label={t('files.favoriteOf', { name: entry.name })} onClick={() => onToggle(entry)}>
      <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24">
        <path d="M12 2l3.1 6.3 6.9 1-5 4.9 1.2 6.8L12 17.8 5.8 21l1.2-6.8-5-4.9 6.9-1z" />
      </svg>
    </button>
  );
}

/** The inline rename field: Enter saves, Escape cancels; the name without its extension is selected. */
export function RenameField({ entry, onSave, onCancel }: { entry: FileEntry; onSave: (name: string) => void; onCancel: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    const dot = entry.isFolder ? -1 : entry.name.lastIndexOf('.');
    el.setSelectionRange(0, dot > 0 ? dot : entry.name.length);
  }, [entry.path]);
  return (
    <input ref={input} class="rename" type="text" defaultValue={entry.name} aria-label={t('files.renameLabel', { name: entry.name })}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          const name = (e.currentTarget as HTMLInputElement).value.trim();
          if (name && name !== entry.name) onSave(name);
          else onCancel();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onCancel();
        }
      }} />
  );
}
