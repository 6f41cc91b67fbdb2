/**
 * The settings menu under the avatar, as the WAI-ARIA menu button pattern: Enter, Space or
 * ArrowDown opens it on the first item (ArrowUp on the last), arrows and Home/End move, Escape
 * closes it and returns focus to the button, Tab closes it.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { signOut, type SessionUser } from '../api';
import { t } from '../i18n';
import { navigate } from '../router';
import { settingsLinks } from './SettingsNav';

export function AvatarMenu({ user, onLoggedOut }: { user: SessionUser; onLoggedOut: () => void }) {
  const [open, setOpen] = useState(false);
  const [focusFirst, setFocusFirst] = useState<'first' | 'last'>('first');
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);

  const items = () => Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  // A layout effect: the item has the focus before the next key press is handled.
  useLayoutEffect(() => {
    if (!open) return;
    const list = items();
    (focusFirst === 'first' ? list[0] : list[list.length - 1])?.focus();
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const openAt = (where: 'first' | 'last') => {
    setFocusFirst(where);
    setOpen(true);
  };

  const onMenuKey = (event: KeyboardEvent) => {
    const list = items();
    const index = list.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      event.preventDefault();
      list[(to + list.length) % list.length]?.focus();
    };
    switch (event.key) {
      case 'ArrowDown': return move(index + 1);
      case 'ArrowUp': return move(index - 1);
      case 'Home': return move(0);
      case 'End': return move(list.length - 1);
      case 'Escape':
        event.preventDefault();
        return close();
      case 'Tab':
        return close(false);
    }
  };

  const logout = async () => {
    await signOut();
    onLoggedOut();
  };

  const initials = (user.displayName || user.id).trim().slice(0, 1).toUpperCase();
  return (
    <div class="avatar-menu">
      <button ref={button} type="button" class="avatar-button" id="avatar-button"
        aria-haspopup="menu" aria-expanded={open} aria-controls="avatar-menu-list"
        aria-label={t('menu.label', { name: user.displayName || user.id })}
        onClick={() => (open ? close() : openAt('first'))}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') { e.preventDefault(); openAt('first'); }
          if (e.key === 'ArrowUp') { e.preventDefault(); openAt('last'); }
        }}>
        <span class="avatar" aria-hidden="true">{initials}</span>
      </button>
      <ul ref={menu} id="avatar-menu-list" role="menu" aria-labelledby="avatar-button" hidden={!open} onKeyDown={onMenuKey}>
        {settingsLinks(user).map((link) => (
          <li role="none" key={link.href}>
            <a role="menuitem" tabIndex={-1} href={link.href} onClick={(e) => {
              e.preventDefault();
              setOpen(false);
              navigate(link.href);
            }}>{link.label}</a>
          </li>
        ))}
        <li role="none">
          <button role="menuitem" tabIndex={-1} type="button" onClick={logout}>{t('menu.logout')}</button>
        </li>
      </ul>
    </div>
  );
}
