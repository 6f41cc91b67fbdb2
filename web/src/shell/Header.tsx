/** The header: app switcher, search field (Ctrl+F focuses it) and the avatar menu. */
import { useEffect, useRef } from 'preact/hooks';
import type { SessionUser } from '../api';
import { t } from '../i18n';
import { onLinkClick } from '../router';
import { AvatarMenu } from './AvatarMenu';

/** The apps of the switcher; Calendar, Contacts and Talk join when their web apps exist. */
const APPS = [{ id: 'files', href: '/apps/files/', label: () => t('apps.files') }] as const;

export interface HeaderProps {
  user: SessionUser;
  activeApp: string | null;
  query: string;
  onQuery: (query: string) => void;
  searchEnabled: boolean;
  onLoggedOut: () => void;
}

export function Header({ user, activeApp, query, onQuery, searchEnabled, onLoggedOut }: HeaderProps) {
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f' && search.current) {
        event.preventDefault();
        search.current.focus();
        search.current.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <header class="app-header">
      <nav class="app-switcher" aria-label={t('apps.label')}>
        <ul>
          {APPS.map((app) => (
            <li key={app.id}>
              <a href={app.href} onClick={onLinkClick} aria-current={activeApp === app.id ? 'page' : undefined}>
                <span class="app-icon" aria-hidden="true">▦</span>{app.label()}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {searchEnabled && (
        <form role="search" class="search" onSubmit={(e) => e.preventDefault()}>
          <label for="search" class="visually-hidden">{t('search.label')}</label>
          <input id="search" ref={search} type="search" placeholder={t('search.placeholder')} autocomplete="off"
            value={query} onInput={(e) => onQuery((e.currentTarget as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && query) {
                e.preventDefault();
                onQuery('');
              }
            }} />
        </form>
      )}
      <AvatarMenu user={user} onLoggedOut={onLoggedOut} />
    </header>
  );
}
