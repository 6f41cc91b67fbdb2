/** The Files app's views (a navigation landmark, URLs as Nextcloud's) and the Files settings button. */
import { t } from '../i18n';
import { onLinkClick } from '../router';

export type View = 'files' | 'recent' | 'favorites' | 'trashbin';

const VIEWS = [
  ['files', '/apps/files/?dir=/', 'files.allFiles'],
  ['recent', '/apps/files/recent', 'files.recent'],
  ['favorites', '/apps/files/favorites', 'files.favorites'],
  ['trashbin', '/apps/files/trashbin', 'files.trash'],
] as const;

export function FilesNav({ view, onSettings }: { view: View; onSettings: () => void }) {
  return (
    <nav class="files-nav" aria-label={t('files.views')}>
      <ul>
        {VIEWS.map(([v, href, label]) => (
          <li key={v}><a href={href} onClick={onLinkClick} aria-current={view === v ? 'page' : undefined}>{t(label)}</a></li>
        ))}
      </ul>
      <button type="button" class="settings-button" onClick={onSettings}>{t('files.settings')}</button>
    </nav>
  );
}
