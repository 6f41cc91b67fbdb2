/**
 * The grid view: one tile per entry, in a list. Arrow keys move between tiles (Left/Right by one,
 * Up/Down by a row of tiles), Home/End to the ends, Space toggles the selection.
 */
import { t } from '../i18n';
import { onLinkClick } from '../router';
import type { FileEntry } from './dav';
import { dropTarget, FavoriteButton, RenameField, type RowActions } from './FileTable';
import { formatSize } from './format';
import { MenuButton } from './Menu';
import { folderUrl, viewerUrl } from './urls';

export function FileGrid({ user, entries, caption, actions }: { user: string; entries: FileEntry[]; caption: string; actions: RowActions }) {
  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (target.tagName !== 'A') return;
    const tile = target.closest<HTMLElement>('li[data-index]');
    const list = tile?.parentElement;
    if (!tile || !list) return;
    const index = Number(tile.dataset.index);
    const entry = entries[index];
    if (event.key === ' ' && entry) {
      event.preventDefault();
      actions.onSelect(entry.path, 'toggle');
      return;
    }
    const tiles = Array.from(list.children) as HTMLElement[];
    const perRow = Math.max(1, tiles.filter((el) => el.offsetTop === tiles[0]!.offsetTop).length);
    const to = { ArrowRight: index + 1, ArrowLeft: index - 1, ArrowDown: index + perRow, ArrowUp: index - perRow, Home: 0, End: entries.length - 1 }[event.key];
    if (to === undefined || to < 0 || to >= entries.length) return;
    event.preventDefault();
    tiles[to]?.querySelector<HTMLElement>('a')?.focus();
  };
  return (
    <div class="file-scroller grid-scroller">
      <ul class="file-grid" aria-label={caption} onKeyDown={onKeyDown}>
        {entries.map((entry, index) => {
          const selected = actions.selected.has(entry.path);
          return (
            <li key={entry.path} data-index={index} data-path={entry.path} class={selected ? 'tile selected' : 'tile'} draggable
              onDragStart={(e) => e.dataTransfer?.setData('application/x-cumulus-paths', JSON.stringify(selected ? [...actions.selected] : [entry.path]))}
              {...(entry.isFolder ? dropTarget(entry.path, actions.onDropInto) : {})}>
              <div class="tile-top">
                <input type="checkbox" checked={selected} aria-label={t('files.select', { name: entry.name })}
                  onClick={(e) => { e.preventDefault(); actions.onSelect(entry.path, e.shiftKey ? 'range' : 'toggle'); }} />
                <FavoriteButton entry={entry} onToggle={actions.onFavorite} />
                <MenuButton label={t('files.actionsFor', { name: entry.name })} items={actions.menuItems(entry)} className="row-menu">
                  <span aria-hidden="true">⋯</span>
                </MenuButton>
              </div>
              <svg class={entry.isFolder ? 'tile-icon folder' : 'tile-icon file'} aria-hidden="true" focusable="false" width="48" height="48" viewBox="0 0 24 24">
                {entry.isFolder
                  ? <path d="M10 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-8l-2-2z" />
                  : <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8l-6-6zm-1 7V3.5L18.5 9H13z" />}
              </svg>
              {actions.renaming === entry.path
                ? <RenameField entry={entry} onSave={(name) => actions.onRename(entry, name)} onCancel={actions.onCancelRename} />
                : entry.isFolder
                  ? <a class="tile-name" href={folderUrl(entry.path)} onClick={onLinkClick}>{entry.name}<span class="visually-hidden"> ({t('files.type.folder')})</span></a>
                  : <a class="tile-name" href={viewerUrl(entry.path)} onClick={onLinkClick}>{entry.name}</a>}
              <span class="tile-size">{formatSize(entry.size)}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
