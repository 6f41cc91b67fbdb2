/** The settings navigation: Personal settings for everyone, Users and Groups for administrators. */
import type { SessionUser } from '../api';
import { t } from '../i18n';
import { onLinkClick } from '../router';

export function settingsLinks(user: SessionUser): { href: string; label: string }[] {
  const links = [{ href: '/settings/user', label: t('menu.settings') }];
  if (user.isAdmin) {
    links.push({ href: '/settings/users', label: t('menu.users') }, { href: '/settings/groups', label: t('menu.groups') });
  }
  return links;
}

export function SettingsNav({ user, path }: { user: SessionUser; path: string }) {
  return (
    <nav class="settings-nav" aria-label={t('settings.nav')}>
      <ul>
        {settingsLinks(user).map((link) => (
          <li key={link.href}>
            <a href={link.href} onClick={onLinkClick} aria-current={link.href === path ? 'page' : undefined}>{link.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
