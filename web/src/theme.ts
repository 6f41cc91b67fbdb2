/**
 * Themes: until the user chooses one, the page follows the system (prefers-color-scheme and
 * prefers-contrast, in styles.css); a choice is kept in localStorage and set as data-theme on
 * <html>. The dyslexia-friendly font is a separate switch (data-font): styles.css then uses the
 * bundled OpenDyslexic, which the browser downloads only from that moment on.
 */
export const THEMES = ['system', 'light', 'dark', 'high-contrast'] as const;
export type Theme = typeof THEMES[number];

const THEME_KEY = 'cumulus.theme';
const FONT_KEY = 'cumulus.dyslexiaFont';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: follow the system
  }
}

function store(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}

/** The chosen theme, 'system' when none was chosen. */
export function currentTheme(): Theme {
  const value = stored(THEME_KEY);
  return (THEMES as readonly string[]).includes(value ?? '') ? value as Theme : 'system';
}

/** Whether the dyslexia-friendly font is on. */
export function dyslexiaFont(): boolean {
  return stored(FONT_KEY) === '1';
}

/** Applies the stored choices to the document (at start, before the first render). */
export function applyAppearance(): void {
  const root = document.documentElement;
  const theme = currentTheme();
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  if (dyslexiaFont()) root.dataset.font = 'dyslexic';
  else delete root.dataset.font;
}

/** Chooses a theme ('system' forgets the choice) and applies it. */
export function chooseTheme(theme: Theme): void {
  store(THEME_KEY, theme === 'system' ? null : theme);
  applyAppearance();
}

/** Turns the dyslexia-friendly font on or off and applies it. */
export function chooseDyslexiaFont(on: boolean): void {
  store(FONT_KEY, on ? '1' : null);
  applyAppearance();
}
