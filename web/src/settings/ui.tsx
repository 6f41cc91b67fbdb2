/**
 * Pieces shared by the settings and admin pages: a modal dialog (native <dialog>: focus stays
 * inside, Escape closes, focus returns to the opener), a live region for results, sizes and dates.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

let dialogs = 0;

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** Where the focus goes when the dialog closes and its opener has gone (a deleted row…). */
  fallbackFocus?: () => HTMLElement | null;
  role?: 'dialog' | 'alertdialog';
  describedBy?: string;
}

/** A modal dialog; rendering it opens it, unmounting it closes it. */
export function Dialog({ title, onClose, children, fallbackFocus, role, describedBy }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useRef(`dialog-title-${++dialogs}`).current;
  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = ref.current!;
    dialog.showModal();
    const first = dialog.querySelector<HTMLElement>('[autofocus], input, select, textarea, button:not(.sa-dialog-x)');
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      const target = opener?.isConnected && opener !== document.body ? opener : fallbackFocus?.() ?? document.getElementById('main');
      target?.focus();
    };
  }, []);
  return (
    <dialog ref={ref} class="sa-dialog" role={role} aria-labelledby={id} aria-describedby={describedBy}
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <div class="sa-dialog-head">
        <h2 id={id}>{title}</h2>
        <button type="button" class="sa-dialog-x" aria-label={t('dialog.close')} onClick={onClose}>×</button>
      </div>
      {children}
    </dialog>
  );
}

export type Message = { kind: 'ok' | 'error'; text: string } | null;

/** A polite live region: success and error messages of a form are announced when they appear. */
export function Live({ message, id }: { message: Message; id?: string }) {
  return (
    <p id={id} role="status" aria-live="polite" class={`live ${message ? (message.kind === 'error' ? 'error' : 'success') : ''}`}>
      {message?.text ?? ''}
    </p>
  );
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** "0 B", "12 KB", "3.4 MB", "5 GB" (binary multiples, as Nextcloud shows them). */
export function formatBytes(bytes: number): string {
  let value = Math.max(bytes, 0);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || value >= 10 || Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1);
  return `${text} ${UNITS[unit]}`;
}

/** A local date and time in the page's language; `never` for 0. */
export function formatTime(ms: number, lang: string): string {
  return ms > 0 ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(ms) : t('settings.devices.never');
}

/** The server's message for a failed call, shown in the page's words. */
export function failureText(err: unknown): string {
  return err instanceof Error && err.message ? err.message : String(err);
}

/**
 * Keeps the keyboard focus somewhere sensible when the element that had it disappears (a deleted
 * row's button): arm() before the change; after the next render with new `deps`, a focus that fell
 * to <body> goes to `target()`.
 */
export function useRefocus(deps: unknown[], target: () => HTMLElement | null): () => void {
  const armed = useRef(false);
  useEffect(() => {
    if (!armed.current) return;
    armed.current = false;
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) target()?.focus();
  }, deps);
  return () => { armed.current = true; };
}
