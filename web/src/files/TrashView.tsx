/** Deleted files: the trash bin with its original locations; restore or delete for good, one or the selection; empty it. */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { DavError, deleteTrash, emptyTrash, listTrash, restoreTrash, type TrashEntry } from './dav';
import { ConfirmDialog } from './dialogs';
import { formatDate, formatSize } from './format';

export function TrashView({ user }: { user: string }) {
  const [items, setItems] = useState<TrashEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    listTrash(user, abort.signal).then(
      (list) => {
        setItems(list.sort((a, b) => b.deleted - a.deleted));
        setSelected((s) => new Set([...s].filter((i) => list.some((e) => e.item === i))));
      },
      (err: unknown) => { if (!abort.signal.aborted) setError(t('files.error', { status: err instanceof DavError ? err.status : '—' })); },
    );
    return () => abort.abort();
  }, [user, tick]);

  const run = async (what: 'restore' | 'delete', list: TrashEntry[]) => {
    setError(null);
    let failed = 0;
    for (const item of list) {
      try {
        await (what === 'restore' ? restoreTrash(user, item.item) : deleteTrash(user, item.item));
      } catch {
        failed++;
      }
    }
    if (failed) setError(t('files.someFailed', { count: failed }));
    setStatus(t(what === 'restore' ? 'files.restored' : 'files.deletedForGood', { count: list.length - failed }));
    setTick((n) => n + 1);
  };

  const chosen = (items ?? []).filter((i) => selected.has(i.item));
  return (
    <div class="trash" aria-busy={items === null}>
      <div class="toolbar">
        {chosen.length > 0 && (
          <div class="bulk-bar" role="group" aria-label={t('files.selection')}>
            <span>{t('files.selected', { count: chosen.length })}</span>
            <button type="button" onClick={() => void run('restore', chosen)}>{t('files.restore')}</button>
            <button type="button" onClick={() => void run('delete', chosen)}>{t('files.deleteForGood')}</button>
          </div>
        )}
        <button type="button" class="toolbar-end" disabled={!items?.length} onClick={() => setConfirm(true)}>{t('files.emptyTrash')}</button>
      </div>
      <p role="status" class="summary">{items === null ? t('files.loading') : status || (items.length === 0 ? t('files.trashEmpty') : t('files.trashCount', { count: items.length }))}</p>
      {error && <p role="alert" class="error">{error}</p>}
      {items && items.length > 0 && (
        <div class="file-scroller">
          <table class="file-table trash-table">
            <caption class="visually-hidden">{t('files.trash')}</caption>
            <thead>
              <tr>
                <th scope="col" class="col-select">
                  <input type="checkbox" aria-label={t('files.selectAll')} checked={chosen.length === items.length}
                    onChange={(e) => setSelected((e.currentTarget as HTMLInputElement).checked ? new Set(items.map((i) => i.item)) : new Set())} />
                </th>
                <th scope="col" class="col-name"><span class="th">{t('files.name')}</span></th>
                <th scope="col" class="col-origin"><span class="th">{t('files.originalLocation')}</span></th>
                <th scope="col" class="col-modified"><span class="th">{t('files.deletedAt')}</span></th>
                <th scope="col" class="col-trash-actions"><span class="visually-hidden">{t('files.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.item} class={selected.has(item.item) ? 'selected' : undefined}>
                  <td class="col-select">
                    <input type="checkbox" aria-label={t('files.select', { name: item.name })} checked={selected.has(item.item)}
                      onChange={() => setSelected((s) => {
                        const next = new Set(s);
                        if (next.has(item.item)) next.delete(item.item);
                        else next.add(item.item);
                        return next;
                      })} />
                  </td>
                  <td class="col-name">{item.name}{item.isFolder && <span class="visually-hidden"> ({t('files.type.folder')})</span>} <span class="location">{formatSize(item.size)}</span></td>
                  <td class="col-origin">{item.originalLocation}</td>
                  <td class="col-modified">{formatDate(item.deleted)}</td>
                  <td class="col-trash-actions">
                    <button type="button" aria-label={t('files.restoreOne', { name: item.name })} onClick={() => void run('restore', [item])}>{t('files.restore')}</button>
                    <button type="button" aria-label={t('files.deleteForGoodOne', { name: item.name })} onClick={() => void run('delete', [item])}>{t('files.deleteForGood')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {confirm && (
        <ConfirmDialog title={t('files.emptyTrashTitle')} text={t('files.emptyTrashText')} confirm={t('files.emptyTrash')}
          onClose={() => setConfirm(false)}
          onConfirm={() => {
            emptyTrash(user).then(() => setStatus(t('files.trashEmptied')), (err: unknown) => setError(t('files.error', { status: err instanceof DavError ? err.status : '—' })))
              .finally(() => setTick((n) => n + 1));
          }} />
      )}
    </div>
  );
}
