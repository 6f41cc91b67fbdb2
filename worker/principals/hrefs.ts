import { encodeRelativePath } from '../dav/paths';

/** Where a user's principal, homes and scheduling boxes live (Nextcloud's URL layout). */
export const userPrincipalHref = (user: string) => `/remote.php/dav/principals/users/${encodeRelativePath(user)}/`;
export const groupPrincipalHref = (group: string) => `/remote.php/dav/principals/groups/${encodeRelativePath(group)}/`;
export const calendarHomeHref = (user: string) => `/remote.php/dav/calendars/${encodeRelativePath(user)}/`;
export const addressbookHomeHref = (user: string) => `/remote.php/dav/addressbooks/users/${encodeRelativePath(user)}/`;
