/**
 * A menu button (WAI-ARIA menu pattern): Enter, Space or ArrowDown open it on the first item,
 * ArrowUp on the last; arrows, Home and End move; Escape closes and refocuses the button; Tab or a
 * click outside closes. The menu is position: fixed, so table cells and scrollers never clip it.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface MenuItem { label: string; onSelect: () => void; disabled?: boolean }

export function MenuButton({ label, children, items, className }: { label: string; children: ComponentChildren; items: MenuItem[]; className?: string }) {
  const [open, setOpen] = useState<null | 'first' | 'last'>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const [pos, setPos] = useState({ top: 0, left: 0 });

  useLayoutEffect(() => {
    if (!open || !button.current || !menu.current) return;
    const r = button.current.getBoundingClientRect();
    const m = menu.current.getBoundingClientRect();
    const top = r.bottom + 4 + m.height > window.innerHeight ? Math.max(4, r.top - 4 - m.height) : r.bottom + 4;
    const left = Math.max(4, Math.min(r.right - m.width, window.innerWidth - m.width - 4));
    setPos({ top, left });
    const all = menu.current.querySelectorAll<HTMLElement>('[role="menuitem"]');
    (open === 'last' ? all[all.length - 1] : all[0])?.focus();
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(null);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(null);
    if (refocus) button.current?.focus();
  };

  const onButtonKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      e.stopPropagation();
      setOpen('first');
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      e.stopPropagation();
      setOpen('last');
    }
  };

  const onMenuKey = (e: KeyboardEvent) => {
    const all = Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const i = all.indexOf(document.activeElement as HTMLElement);
    const to = { ArrowDown: (i + 1) % all.length, ArrowUp: (i - 1 + all.length) % all.length, Home: 0, End: all.length - 1 }[e.key];
    e.stopPropagation();
    if (to !== undefined) {
      e.preventDefault();
      all[to]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    } else if (e.key === 'Tab') {
      close(false);
    }
  };

  return (
    <span class={`menu-wrap ${className ?? ''}`}>
      <button type="button" ref={button} class="menu-button" aria-haspopup="menu" aria-expanded={open ? 'true' : 'false'}
        aria-label={label} onKeyDown={onButtonKey} onClick={() => setOpen(open ? null : 'first')}>{children}</button>
      {open && (
        <ul role="menu" aria-label={label} ref={menu} class="popup-menu" onKeyDown={onMenuKey}
          style={{ top: `${pos.top}px`, left: `${pos.left}px` }}>
          {items.map((item) => (
            <li role="none" key={item.label}>
              <button type="button" role="menuitem" tabIndex={-1} disabled={item.disabled}
                onClick={() => { close(true); item.onSelect(); }}>{item.label}</button>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}
