import { filesStrings } from './files/strings';

/**
 * The app's strings: English (the shell's strings here, the Files app's in files/strings.ts) and
 * German, a table of the same keys where a missing key falls back to English. The language
 * follows the browser (navigator.languages) until the user picks one in Personal settings; the
 * choice is kept in localStorage and <html lang> follows it.
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
  'settings.login.hint': 'Sign in with “{id}” or your e-mail address {email}.',
  'settings.login.hintNoEmail': 'Sign in with “{id}”.',
  'menu.users': 'Users',
  'menu.groups': 'Groups',
  'settings.nav': 'Settings',
  'settings.saved': 'Saved.',
  'settings.save': 'Save',
  'settings.saving': 'Saving…',
  'settings.failed': 'Saving failed: {message}',
  'settings.displayName.saved': 'Display name saved.',
  'settings.email.saved': 'E-mail address saved.',
  'settings.email.invalid': 'Enter a valid e-mail address, or leave the field empty.',
  'settings.password': 'Password',
  'settings.password.current': 'Current password',
  'settings.password.new': 'New password',
  'settings.password.repeat': 'Repeat the new password',
  'settings.password.change': 'Change password',
  'settings.password.mismatch': 'The new passwords do not match.',
  'settings.password.wrongCurrent': 'The current password is wrong.',
  'settings.password.throttled': 'Too many failed attempts. Wait a while before trying again.',
  'settings.password.changed': 'Password changed.',
  'settings.password.missing': 'Fill in all three password fields.',
  'settings.quota': 'Storage',
  'settings.quota.used': 'You are using {used} of {total} ({percent} %).',
  'settings.quota.unlimited': 'You are using {used}. Your storage is unlimited.',
  'settings.quota.label': 'Storage used',
  'settings.language': 'Language',
  'settings.language.browser': 'Follow the browser ({language})',
  'settings.language.hint': 'The language of Cumulus in this browser.',
  'settings.devices': 'Devices & sessions',
  'settings.devices.intro': 'App passwords let desktop and mobile clients sign in without your login password. Revoke one to sign that device out.',
  'settings.devices.name': 'Device name',
  'settings.devices.create': 'Create app password',
  'settings.devices.none': 'No app passwords yet.',
  'settings.devices.created': 'Created {date}',
  'settings.devices.lastActivity': 'Last activity',
  'settings.devices.never': 'never',
  'settings.devices.revoke': 'Revoke',
  'settings.devices.revokeLabel': 'Revoke the app password {name}',
  'settings.devices.revokeTitle': 'Revoke app password?',
  'settings.devices.revokeText': 'The device “{name}” will be signed out and cannot use this app password again.',
  'settings.devices.revoked': 'App password “{name}” revoked.',
  'settings.devices.newTitle': 'New app password',
  'settings.devices.newText': 'Use these credentials in the client for “{name}”. The password is shown only this once.',
  'settings.devices.login': 'Login name',
  'settings.devices.password': 'App password',
  'settings.devices.copy': 'Copy',
  'settings.devices.copied': 'Copied to the clipboard.',
  'settings.devices.copyFailed': 'Copying failed: select the password and copy it yourself.',
  'settings.devices.confirmTitle': 'Confirm with your password',
  'settings.devices.confirmText': 'Managing app passwords needs your login password.',
  'settings.devices.nameMissing': 'Enter a name for the device.',
  'settings.devices.table': 'App passwords',
  'dialog.cancel': 'Cancel',
  'dialog.close': 'Close',
  'dialog.confirm': 'Confirm',
  'dialog.delete': 'Delete',
  'admin.forbidden.title': 'Not allowed',
  'admin.forbidden.text': 'Only administrators can open this page.',
  'admin.users.title': 'Users',
  'admin.users.search': 'Search users',
  'admin.users.new': 'New user',
  'admin.users.id': 'Account name',
  'admin.users.displayName': 'Display name',
  'admin.users.email': 'E-mail',
  'admin.users.password': 'Password',
  'admin.users.newPassword': 'New password',
  'admin.users.newPasswordHint': 'Leave empty to keep the current password.',
  'admin.users.confirmPassword': 'Your own password, to confirm the new one',
  'admin.users.groups': 'Groups',
  'admin.users.quota': 'Quota',
  'admin.users.quotaHint': 'For example 5 GB, 500 MB, or leave empty for unlimited.',
  'admin.users.used': 'Used',
  'admin.users.enabled': 'Enabled',
  'admin.users.status': 'Status',
  'admin.users.actions': 'Actions',
  'admin.users.disabled': 'Disabled',
  'admin.users.active': 'Enabled',
  'admin.users.enable': 'Enable',
  'admin.users.disable': 'Disable',
  'admin.users.delete': 'Delete',
  'admin.users.edit': 'Edit',
  'admin.users.unlimited': 'Unlimited',
  'admin.users.usage': '{used} of {total}',
  'admin.users.none': 'No users found.',
  'admin.users.loading': 'Loading users…',
  'admin.users.previous': 'Previous page',
  'admin.users.next': 'Next page',
  'admin.users.page': 'Page {page}',
  'admin.users.caption': 'Users, page {page}',
  'admin.users.create': 'Create user',
  'admin.users.created': 'User “{id}” created.',
  'admin.users.deleted': 'User “{id}” deleted.',
  'admin.users.enabledMsg': 'User “{id}” enabled.',
  'admin.users.disabledMsg': 'User “{id}” disabled.',
  'admin.users.deleteTitle': 'Delete user “{id}”?',
  'admin.users.deleteText': 'The account, its files and its shares are deleted. This cannot be undone.',
  'admin.users.editTitle': 'Edit user “{id}”',
  'admin.users.saved': 'User “{id}” saved.',
  'admin.users.actionsFor': 'Actions for {id}',
  'admin.users.editFor': 'Edit {id}',
  'admin.users.disableFor': 'Disable {id}',
  'admin.users.enableFor': 'Enable {id}',
  'admin.users.deleteFor': 'Delete {id}',
  'admin.users.self': 'you',
  'admin.groups.title': 'Groups',
  'admin.groups.id': 'Group name',
  'admin.groups.displayName': 'Display name',
  'admin.groups.members': 'Members',
  'admin.groups.create': 'Create group',
  'admin.groups.created': 'Group “{id}” created.',
  'admin.groups.deleted': 'Group “{id}” deleted.',
  'admin.groups.deleteFor': 'Delete group {id}',
  'admin.groups.deleteTitle': 'Delete group “{id}”?',
  'admin.groups.deleteText': 'Its members stay; they only leave the group.',
  'admin.groups.protected': 'The admin group cannot be deleted.',
  'admin.groups.none': 'No groups.',
  'admin.groups.caption': 'Groups',
  'admin.error': 'The server refused: {message}',
  'notFound.title': 'Page not found',
  'notFound.back': 'Go to Files',
  'loading': 'Loading…',
} as const;

/** The English table: the shell's strings and the Files app's (files/strings.ts). */
const en = { ...core, ...filesStrings };

export type MessageKey = keyof typeof en;
type Table = Partial<Record<MessageKey, string>>;

/** German: every key of the shell, sign-in, settings and admin pages; Files keys may lag behind. */
const de: Table = {
  'app.name': 'Cumulus',
  'skip.main': 'Zum Hauptinhalt springen',
  'apps.label': 'Apps',
  'apps.files': 'Dateien',
  'search.label': 'Dateinamen in diesem Ordner suchen',
  'search.placeholder': 'Dateien suchen',
  'menu.label': 'Einstellungsmenü für {name}',
  'menu.settings': 'Persönliche Einstellungen',
  'menu.logout': 'Abmelden',
  'login.title': 'Bei Cumulus anmelden',
  'login.user': 'Kontoname oder E-Mail',
  'login.password': 'Passwort',
  'login.submit': 'Anmelden',
  'login.busy': 'Anmeldung läuft…',
  'login.wrong': 'Falscher Kontoname oder falsches Passwort.',
  'login.throttled': 'Zu viele fehlgeschlagene Versuche. Warten Sie {seconds} Sekunden, bevor Sie es erneut versuchen.',
  'login.missing': 'Geben Sie Ihren Kontonamen und Ihr Passwort ein.',
  'login.failed': 'Die Anmeldung ist fehlgeschlagen ({status}). Versuchen Sie es erneut.',
  'login.loggedOut': 'Sie wurden abgemeldet.',
  'files.title': 'Dateien',
  'files.home': 'Start',
  'files.breadcrumb': 'Ordnerpfad',
  'files.name': 'Name',
  'files.size': 'Größe',
  'files.modified': 'Geändert',
  'files.type.folder': 'Ordner',
  'files.type.file': 'Datei',
  'files.loading': 'Wird geladen…',
  'files.empty': 'Dieser Ordner ist leer.',
  'files.noMatch': 'Kein Dateiname in diesem Ordner passt zu „{query}“.',
  'files.error': 'Der Ordner konnte nicht geladen werden ({status}).',
  'files.count': '{folders} Ordner, {files} Dateien',
  'files.list': 'Dateien in {folder}',
  'files.sortBy': 'Nach {column} sortieren',
  'files.open': 'Ordner {name} öffnen',
  'files.download': '{name} herunterladen',
  'settings.title': 'Persönliche Einstellungen',
  'settings.appearance': 'Darstellung',
  'settings.theme': 'Design',
  'settings.theme.system': 'Der Systemeinstellung folgen',
  'settings.theme.light': 'Hell',
  'settings.theme.dark': 'Dunkel',
  'settings.theme.high-contrast': 'Hoher Kontrast',
  'settings.font': 'Legasthenie-freundliche Schrift',
  'settings.account': 'Konto',
  'settings.login': 'Anmeldename',
  'settings.displayName': 'Anzeigename',
  'settings.email': 'E-Mail',
  'settings.none': 'keine',
  'settings.login.hint': 'Melden Sie sich mit „{id}“ oder Ihrer E-Mail-Adresse {email} an.',
  'settings.login.hintNoEmail': 'Melden Sie sich mit „{id}“ an.',
  'menu.users': 'Benutzer',
  'menu.groups': 'Gruppen',
  'settings.nav': 'Einstellungen',
  'settings.saved': 'Gespeichert.',
  'settings.save': 'Speichern',
  'settings.saving': 'Wird gespeichert…',
  'settings.failed': 'Speichern fehlgeschlagen: {message}',
  'settings.displayName.saved': 'Anzeigename gespeichert.',
  'settings.email.saved': 'E-Mail-Adresse gespeichert.',
  'settings.email.invalid': 'Geben Sie eine gültige E-Mail-Adresse ein oder lassen Sie das Feld leer.',
  'settings.password': 'Passwort',
  'settings.password.current': 'Aktuelles Passwort',
  'settings.password.new': 'Neues Passwort',
  'settings.password.repeat': 'Neues Passwort wiederholen',
  'settings.password.change': 'Passwort ändern',
  'settings.password.mismatch': 'Die neuen Passwörter stimmen nicht überein.',
  'settings.password.wrongCurrent': 'Das aktuelle Passwort ist falsch.',
  'settings.password.throttled': 'Zu viele fehlgeschlagene Versuche. Warten Sie eine Weile, bevor Sie es erneut versuchen.',
  'settings.password.changed': 'Passwort geändert.',
  'settings.password.missing': 'Füllen Sie alle drei Passwortfelder aus.',
  'settings.quota': 'Speicherplatz',
  'settings.quota.used': 'Sie nutzen {used} von {total} ({percent} %).',
  'settings.quota.unlimited': 'Sie nutzen {used}. Ihr Speicherplatz ist unbegrenzt.',
  'settings.quota.label': 'Genutzter Speicherplatz',
  'settings.language': 'Sprache',
  'settings.language.browser': 'Dem Browser folgen ({language})',
  'settings.language.hint': 'Die Sprache von Cumulus in diesem Browser.',
  'settings.devices': 'Geräte & Sitzungen',
  'settings.devices.intro': 'Mit App-Passwörtern melden sich Desktop- und Mobil-Clients ohne Ihr Anmeldepasswort an. Widerrufen Sie eines, um das Gerät abzumelden.',
  'settings.devices.name': 'Gerätename',
  'settings.devices.create': 'App-Passwort erstellen',
  'settings.devices.none': 'Noch keine App-Passwörter.',
  'settings.devices.created': 'Erstellt {date}',
  'settings.devices.lastActivity': 'Letzte Aktivität',
  'settings.devices.never': 'nie',
  'settings.devices.revoke': 'Widerrufen',
  'settings.devices.revokeLabel': 'App-Passwort {name} widerrufen',
  'settings.devices.revokeTitle': 'App-Passwort widerrufen?',
  'settings.devices.revokeText': 'Das Gerät „{name}“ wird abgemeldet und kann dieses App-Passwort nicht mehr verwenden.',
  'settings.devices.revoked': 'App-Passwort „{name}“ widerrufen.',
  'settings.devices.newTitle': 'Neues App-Passwort',
  'settings.devices.newText': 'Verwenden Sie diese Zugangsdaten im Client für „{name}“. Das Passwort wird nur dieses eine Mal angezeigt.',
  'settings.devices.login': 'Anmeldename',
  'settings.devices.password': 'App-Passwort',
  'settings.devices.copy': 'Kopieren',
  'settings.devices.copied': 'In die Zwischenablage kopiert.',
  'settings.devices.copyFailed': 'Kopieren fehlgeschlagen: Markieren und kopieren Sie das Passwort selbst.',
  'settings.devices.confirmTitle': 'Mit Ihrem Passwort bestätigen',
  'settings.devices.confirmText': 'Zum Verwalten von App-Passwörtern ist Ihr Anmeldepasswort nötig.',
  'settings.devices.nameMissing': 'Geben Sie einen Namen für das Gerät ein.',
  'settings.devices.table': 'App-Passwörter',
  'dialog.cancel': 'Abbrechen',
  'dialog.close': 'Schließen',
  'dialog.confirm': 'Bestätigen',
  'dialog.delete': 'Löschen',
  'admin.forbidden.title': 'Nicht erlaubt',
  'admin.forbidden.text': 'Nur Administratoren können diese Seite öffnen.',
  'admin.users.title': 'Benutzer',
  'admin.users.search': 'Benutzer suchen',
  'admin.users.new': 'Neuer Benutzer',
  'admin.users.id': 'Kontoname',
  'admin.users.displayName': 'Anzeigename',
  'admin.users.email': 'E-Mail',
  'admin.users.password': 'Passwort',
  'admin.users.newPassword': 'Neues Passwort',
  'admin.users.newPasswordHint': 'Leer lassen, um das aktuelle Passwort zu behalten.',
  'admin.users.confirmPassword': 'Ihr eigenes Passwort, um das neue zu bestätigen',
  'admin.users.groups': 'Gruppen',
  'admin.users.quota': 'Kontingent',
  'admin.users.quotaHint': 'Zum Beispiel 5 GB, 500 MB, oder leer für unbegrenzt.',
  'admin.users.used': 'Genutzt',
  'admin.users.enabled': 'Aktiv',
  'admin.users.status': 'Status',
  'admin.users.actions': 'Aktionen',
  'admin.users.disabled': 'Deaktiviert',
  'admin.users.active': 'Aktiv',
  'admin.users.enable': 'Aktivieren',
  'admin.users.disable': 'Deaktivieren',
  'admin.users.delete': 'Löschen',
  'admin.users.edit': 'Bearbeiten',
  'admin.users.unlimited': 'Unbegrenzt',
  'admin.users.usage': '{used} von {total}',
  'admin.users.none': 'Keine Benutzer gefunden.',
  'admin.users.loading': 'Benutzer werden geladen…',
  'admin.users.previous': 'Vorherige Seite',
  'admin.users.next': 'Nächste Seite',
  'admin.users.page': 'Seite {page}',
  'admin.users.caption': 'Benutzer, Seite {page}',
  'admin.users.create': 'Benutzer anlegen',
  'admin.users.created': 'Benutzer „{id}“ angelegt.',
  'admin.users.deleted': 'Benutzer „{id}“ gelöscht.',
  'admin.users.enabledMsg': 'Benutzer „{id}“ aktiviert.',
  'admin.users.disabledMsg': 'Benutzer „{id}“ deaktiviert.',
  'admin.users.deleteTitle': 'Benutzer „{id}“ löschen?',
  'admin.users.deleteText': 'Das Konto, seine Dateien und seine Freigaben werden gelöscht. Das kann nicht rückgängig gemacht werden.',
  'admin.users.editTitle': 'Benutzer „{id}“ bearbeiten',
  'admin.users.saved': 'Benutzer „{id}“ gespeichert.',
  'admin.users.actionsFor': 'Aktionen für {id}',
  'admin.users.editFor': '{id} bearbeiten',
  'admin.users.disableFor': '{id} deaktivieren',
  'admin.users.enableFor': '{id} aktivieren',
  'admin.users.deleteFor': '{id} löschen',
  'admin.users.self': 'Sie',
  'admin.groups.title': 'Gruppen',
  'admin.groups.id': 'Gruppenname',
  'admin.groups.displayName': 'Anzeigename',
  'admin.groups.members': 'Mitglieder',
  'admin.groups.create': 'Gruppe anlegen',
  'admin.groups.created': 'Gruppe „{id}“ angelegt.',
  'admin.groups.deleted': 'Gruppe „{id}“ gelöscht.',
  'admin.groups.deleteFor': 'Gruppe {id} löschen',
  'admin.groups.deleteTitle': 'Gruppe „{id}“ löschen?',
  'admin.groups.deleteText': 'Ihre Mitglieder bleiben erhalten; sie verlassen nur die Gruppe.',
  'admin.groups.protected': 'Die Gruppe admin kann nicht gelöscht werden.',
  'admin.groups.none': 'Keine Gruppen.',
  'admin.groups.caption': 'Gruppen',
  'admin.error': 'Der Server hat abgelehnt: {message}',
  'notFound.title': 'Seite nicht gefunden',
  'notFound.back': 'Zu den Dateien',
  'loading': 'Wird geladen…',
};

export const LANGUAGES = ['en', 'de'] as const;
export type Language = typeof LANGUAGES[number];
/** Each language's name in itself (a language menu lists them so). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', de: 'Deutsch' };
const tables: Record<Language, Table> = { en, de };

const LANGUAGE_KEY = 'cumulus.language';

function isLanguage(value: string | null | undefined): value is Language {
  return (LANGUAGES as readonly string[]).includes(value ?? '');
}

/** The language the browser asks for, among ours (English when none matches). */
export function browserLanguage(): Language {
  const wanted = (navigator.languages?.length ? navigator.languages : [navigator.language ?? 'en'])
    .map((l) => l.toLowerCase().split('-')[0]);
  return wanted.find(isLanguage) ?? 'en';
}

/** The language the user picked, or null to follow the browser. */
export function chosenLanguage(): Language | null {
  try {
    const value = localStorage.getItem(LANGUAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

let language: Language = chosenLanguage() ?? browserLanguage();
applyLanguage();
const listeners = new Set<() => void>();

/** The language in use. */
export function currentLanguage(): Language {
  return language;
}

/** Sets <html lang> to the language in use (at start and on every change). */
export function applyLanguage(): void {
  document.documentElement.lang = language;
}

/** Picks a language (null: follow the browser again), keeps the choice and re-renders subscribers. */
export function chooseLanguage(choice: Language | null): void {
  try {
    if (choice === null) localStorage.removeItem(LANGUAGE_KEY);
    else localStorage.setItem(LANGUAGE_KEY, choice);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  language = choice ?? browserLanguage();
  applyLanguage();
  for (const listener of listeners) listener();
}

/** Calls `listener` after every language change; returns the unsubscribe function. */
export function onLanguageChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** The message for `key` with `{param}` placeholders filled in (English when the language lacks it). */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const message = tables[language][key] ?? en[key];
  return message.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
