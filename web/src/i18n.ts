import { filesStrings } from './files/strings';

/**
 * The app's strings. English is the only table so far; a language is one more table with the
 * same keys (the type checks it), picked from navigator.languages.
 */
const core = {
  'app.name': 'Cumulus',
  'skip.main': 'Skip to main content',
  'apps.label': 'Apps',
  'apps.files': 'Files',
  'search.label': 'Search file names in this folder',
  'search.placeholder': 'Search files',
  'menu.label': 'Settings menu for {name}',
  'menu.settings': 'Personal settings',
  'menu.logout': 'Log out',
  'login.title': 'Sign in to Cumulus',
  'login.user': 'Account name or e-mail',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.busy': 'Signing in…',
  'login.wrong': 'Wrong login or password.',
  'login.throttled': 'Too many failed attempts. Wait {seconds} seconds before trying again.',
  'login.missing': 'Enter your account name and password.',
  'login.failed': 'Signing in failed ({status}). Try again.',
  'login.loggedOut': 'You have been logged out.',
  'files.title': 'Files',
  'files.home': 'Home',
  'files.breadcrumb': 'Folder path',
  'files.name': 'Name',
  'files.size': 'Size',
  'files.modified': 'Modified',
  'files.type.folder': 'Folder',
  'files.type.file': 'File',
  'files.loading': 'Loading…',
  'files.empty': 'This folder is empty.',
  'files.noMatch': 'No file name in this folder matches “{query}”.',
  'files.error': 'The folder could not be loaded ({status}).',
  'files.count': '{folders} folders, {files} files',
  'files.list': 'Files in {folder}',
  'files.sortBy': 'Sort by {column}',
  'files.open': 'Open folder {name}',
  'files.download': 'Download {name}',
  'settings.title': 'Personal settings',
  'settings.appearance': 'Appearance',
  'settings.theme': 'Theme',
  'settings.theme.system': 'Follow the system setting',
  'settings.theme.light': 'Light',
  'settings.theme.dark': 'Dark',
  'settings.theme.high-contrast': 'High contrast',
  'settings.font': 'Dyslexia-friendly font',
  'settings.account': 'Account',
  'settings.login': 'Login name',
  'settings.displayName': 'Display name',
  'settings.email': 'E-mail',
  'settings.none': 'none',
  'notFound.title': 'Page not found',
  'notFound.back': 'Go to Files',
  'loading': 'Loading…',
} as const;

/** The English table: the shell's strings and the Files app's (files/strings.ts). */
const en = { ...core, ...filesStrings };

export type MessageKey = keyof typeof en;
type Table = Record<MessageKey, string>;

const tables: Record<string, Table> = { en };
const table: Table = tables[(navigator.languages ?? []).map((l) => l.slice(0, 2)).find((l) => l in tables) ?? 'en'] ?? en;

/** The message for `key` with `{param}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return table[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
