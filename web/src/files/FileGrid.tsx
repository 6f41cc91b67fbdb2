/**
 * The grid view: one tile per entry, in a list, virtualized like the table: the columns follow the
 * scroller's width, tiles have a fixed height, and only the rows of tiles in view (plus a margin)
 * are in the DOM, the rest stands in as the list's top and bottom padding; aria-setsize and
 * aria-posinset give the true size. Arrow keys move between tiles (Left/Right by one, Up/Down by a
 * row), Home/End to the ends (scrolling tiles into existence), Space toggles the selection.
 */
import { useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import type { FileEntry } from './dav';
import { dropTarget, EntryLink, FavoriteButton, RenameField, startRowDrag, type RowActions } from './FileTable';
import { formatLocation, formatSize } from './format';
import { FileIcon } from './icons';
import { MenuButton } from './Menu';
import { useFocusItem, useScrollerEvents } from './virtualList';

/** Tile height, gap, narrowest tile and the scroller's padding in px; must match `.file-grid` and `.grid-scroller` in styles.css. */
const TILE_HEIGHT = 168;
const GAP = 8;
const PITCH = TILE_HEIGHT + GAP;
const TILE_MIN_WIDTH = 152;
const PAD = 8;
const PAD_X = 4;
/** Rows of tiles rendered above and below the visible ones. */
const OVERSCAN = 3;

export function FileGrid({ entries, caption, actions }: { user: string; entries: FileEntry[]; caption: string; actions: RowActions }) {
  const scroller = useRef<HTMLDivElement>(null);
  // Primitives, so that a scroll within the same row of tiles renders nothing.
  const [firstRow, setFirstRow] = useState(0);
  const [viewRows, setViewRows] = useState(6);
  const [cols, setCols] = useState(4);

  const onScroll = (el: HTMLElement) => setFirstRow(Math.max(0, Math.floor((el.scrollTop - PAD) / PITCH)));
  useScrollerEvents(scroller, onScroll, (el) => {
    setCols(Math.max(1, Math.floor((el.clientWidth - 2 * PAD_X + GAP) / (TILE_MIN_WIDTH + GAP))));
    setViewRows(Math.ceil((el.clientHeight || 800) / PITCH) + 1);
    onScroll(el);
  });

  const rows = Math.ceil(entries.length / cols);
  const startRow = Math.max(0, Math.min(firstRow, rows - 1) - OVERSCAN);
  const endRow = Math.min(rows, firstRow + viewRows + OVERSCAN);

  const focusTile = useFocusItem(scroller, (index) => `li[data-index="${index}"] a`, (el, index) => {
    // Scroll its row into view; the tile gets the focus once it is rendered.
    const top = PAD + Math.floor(index / cols) * PITCH;
    el.scrollTop = top < el.scrollTop ? top - PAD : top + TILE_HEIGHT + PAD - el.clientHeight;
    setFirstRow(Math.max(0, Math.floor((el.scrollTop - PAD) / PITCH)));
  });

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (target.tagName !== 'A') return;
    const tile = target.closest<HTMLElement>('li[data-index]');
    if (!tile) return;
    const index = Number(tile.dataset.index);
    const entry = entries[index];
    if (event.key === ' ' && entry) {
      event.preventDefault();
      actions.onSelect(entry.path, 'toggle');
      return;
    }
    const to = { ArrowRight: index + 1, ArrowLeft: index - 1, ArrowDown: index + cols, ArrowUp: index - cols, Home: 0, End: entries.length - 1 }[event.key];
    if (to === undefined || to < 0 || to >= entries.length) return;
    event.preventDefault();
    focusTile(to);
  };

  return (
    <div class="file-scroller grid-scroller" ref={scroller}>
      <ul class="file-grid" aria-label={caption} onKeyDown={onKeyDown} style={{
        gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`,
        paddingTop: `${startRow * PITCH}px`,
        paddingBottom: `${Math.max(0, rows - endRow) * PITCH}px`,
      }}>
        {entries.slice(startRow * cols, endRow * cols).map((entry, i) => {
          const index = startRow * cols + i;
          const selected = actions.selected.has(entry.path);
          const location = actions.showLocation ? `tile-location-${index}` : undefined;
          return (
            <li key={entry.path} data-index={index} data-path={entry.path} class={selected ? 'tile selected' : 'tile'} draggable
              aria-setsize={entries.length} aria-posinset={index + 1}
              onDragStart={(e) => startRowDrag(e, selected ? [...actions.selected] : [entry.path])}
              {...(entry.isFolder ? dropTarget(entry.path, actions.onDropInto) : {})}>
              <div class="tile-top">
                <input type="checkbox" checked={selected} aria-label={t('files.select', { name: entry.name })}
                  onClick={(e) => { e.preventDefault(); actions.onSelect(entry.path, e.shiftKey ? 'range' : 'toggle'); }} />
                <FavoriteButton entry={entry} onToggle={actions.onFavorite} />
                <MenuButton label={t('files.actionsFor', { name: entry.name })} items={actions.menuItems(entry)} className="row-menu">
                  <span aria-hidden="true">⋯</span>
                </MenuButton>
              </div>
              <FileIcon entry={entry} size={48} className="tile-icon" />
              {actions.renaming === entry.path
                ? <RenameField entry={entry} onSave={(name) => actions.onRename(entry, name)} onCancel={actions.onCancelRename} />
                : <EntryLink entry={entry} describedBy={location} className="tile-name" />}
              {location && <span class="tile-location" id={location}><bdi>{formatLocation(entry.path)}</bdi></span>}
              <span class="tile-size">{formatSize(entry.size)}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
