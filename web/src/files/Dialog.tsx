/**
 * A modal dialog (role=dialog, aria-modal): focus moves into it, Tab and Shift+Tab stay inside,
 * Escape closes, and focus goes back to where it was when it closes.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let counter = 0;

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog({ title, onClose, children, className }: { title: string; onClose: () => void; children: ComponentChildren; className?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const id = useRef(`dialog-${++counter}`);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = box.current;
    const first = el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? el)?.focus();
    // Escape and Tab also work when focus has dropped to the page (a control inside went away).
    const onDocKey = (event: KeyboardEvent) => {
      if (!box.current || box.current.contains(document.activeElement)) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        onCloseRef.current();
      } else if (event.key === 'Tab') {
        event.preventDefault();
        box.current.querySelector<HTMLElement>(FOCUSABLE)?.focus();
      }
    };
    document.addEventListener('keydown', onDocKey);
    return () => {
      document.removeEventListener('keydown', onDocKey);
      // Back where it was; when that is gone (a moved row), to the page's heading.
      if (before && document.contains(before) && before !== document.body) before.focus();
      else document.querySelector<HTMLElement>('main h1[tabindex]')?.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== 'Tab' || !box.current) return;
    const items = Array.from(box.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((e) => e.offsetParent !== null || e === document.activeElement);
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (event.shiftKey && (document.activeElement === first || document.activeElement === box.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div class="dialog-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div role="dialog" aria-modal="true" aria-labelledby={id.current} tabIndex={-1} ref={box}
        class={`dialog ${className ?? ''}`} onKeyDown={onKeyDown}>
        <h2 id={id.current} class="dialog-title">{title}</h2>
        {children}
      </div>
    </div>
  );
}
