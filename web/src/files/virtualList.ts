/**
 * What the virtualized views (the table's rows, the grid's tiles) share: following their scroller's
 * scrolling and size, and moving the keyboard focus to an item that may not be in the DOM yet.
 */
import type { RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * Calls `onResize(el)` at the first layout and whenever the scroller's size changes, and `onScroll(el)`
 * on each of its scroll events (passive), until unmount. The first render's callbacks are kept, so
 * they should only read the element and set state.
 */
export function useScrollerEvents(
  scroller: RefObject<HTMLElement | null>,
  onScroll: (el: HTMLElement) => void,
  onResize: (el: HTMLElement) => void = onScroll,
): void {
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const scrolled = () => onScroll(el);
    const resized = () => onResize(el);
    resized();
    const observer = new ResizeObserver(resized);
    observer.observe(el);
    el.addEventListener('scroll', scrolled, { passive: true });
    return () => {
      observer.disconnect();
      el.removeEventListener('scroll', scrolled);
    };
  }, []);
}

/**
 * Returns focusItem(index): focuses the element `linkOf(index)` selects inside the scroller when it
 * is rendered; otherwise calls `reveal(el, index)` (which scrolls it into view and sets state)
 * and focuses it as soon as a render brings it into the DOM.
 */
export function useFocusItem(
  scroller: RefObject<HTMLElement | null>,
  linkOf: (index: number) => string,
  reveal: (el: HTMLElement, index: number) => void,
): (index: number) => void {
  const pending = useRef<number | null>(null);

  useLayoutEffect(() => {
    const index = pending.current;
    if (index === null) return;
    const link = scroller.current?.querySelector<HTMLElement>(linkOf(index));
    if (link) {
      pending.current = null;
      link.focus();
    }
  });

  return (index: number) => {
    const el = scroller.current;
    if (!el) return;
    const rendered = el.querySelector<HTMLElement>(linkOf(index));
    if (rendered) {
      rendered.focus();
      return;
    }
    pending.current = index;
    reveal(el, index);
  };
}
