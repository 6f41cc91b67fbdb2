/** Human-readable sizes, dates and locations for the file list. */
import { parentOf } from '../dav';
import { t } from '../i18n';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** "0 B", "12 KB", "3.4 MB" (binary multiples, as Nextcloud shows them). */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A local date and time, empty for an unknown time. */
export function formatDate(ms: number): string {
  return ms > 0 ? dateFormat.format(ms) : '';
}

/** The folder an entry lives in, as the list shows it: "Home" for the top, else its path ("/a/b"). */
export function formatLocation(path: string): string {
  const folder = parentOf(path);
  return folder === '/' ? t('files.home') : folder;
}
