/**
 * Validation and normalisation of account attributes, shared by setup, provisioning and the
 * web app so that every path into the users table applies the same rules.
 */
import { InvalidField, WeakPassword } from './errors';

/** Nextcloud's user id alphabet; ids appear in every DAV URL, so they stay this plain. */
const USER_ID = /^[a-zA-Z0-9 _.@\-']{1,64}$/;
/** Nextcloud refuses longer passwords (IUserManager::MAX_PASSWORD_LENGTH), in bytes. */
const MAX_PASSWORD_BYTES = 469;
/** Our policy: no default or trivial passwords, the same floor for setup and provisioning. */
export const MIN_PASSWORD_LENGTH = 8;
const MAX_DISPLAY_NAME = 64;
const MAX_GROUP_ID = 64;
// Control characters break XML responses and header values; nobody needs them in a name.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Returns `id` if it is a valid new user id, else throws InvalidField. */
export function validateUserId(id: string): string {
  if (!USER_ID.test(id)) {
    throw new InvalidField('userid',
      'A user id has 1 to 64 characters of "a-z", "A-Z", "0-9", spaces and "_.@-\'"');
  }
  if (id.trim() !== id) throw new InvalidField('userid', 'A user id cannot start or end with a space');
  if (/^\.+$/.test(id)) throw new InvalidField('userid', 'A user id cannot consist of dots only');
  return id;
}

/** Trims a display name; empty means "use the user id". */
export function normalizeDisplayName(name: string, userId: string): string {
  const trimmed = name.trim();
  if (CONTROL.test(trimmed)) throw new InvalidField('displayname', 'The display name contains control characters');
  if ([...trimmed].length > MAX_DISPLAY_NAME) {
    throw new InvalidField('displayname', `The display name is longer than ${MAX_DISPLAY_NAME} characters`);
  }
  return trimmed === '' ? userId : trimmed;
}

/**
 * Lower-cases and checks an e-mail address; '' clears it (null). Stored lower-cased because
 * logins by e-mail are case-insensitive and the users_email index then serves them.
 */
export function normalizeEmail(email: string): string | null {
  const trimmed = email.trim().toLowerCase();
  if (trimmed === '') return null;
  if (trimmed.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(trimmed) || CONTROL.test(trimmed)) {
    throw new InvalidField('email', `Invalid e-mail address: ${email}`);
  }
  return trimmed;
}

/** Throws unless `password` is acceptable as a new password. */
export function validatePassword(password: string): void {
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
    throw new InvalidField('password', 'Invalid password value: too long');
  }
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new WeakPassword(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
}

/** Returns `id` if it is a valid new group id. Slashes are refused: ids are URL segments. */
export function validateGroupId(id: string): string {
  if (id.trim() === '' || id.trim() !== id) throw new InvalidField('groupid', 'Invalid group name');
  if ([...id].length > MAX_GROUP_ID || CONTROL.test(id) || /[/\\]/.test(id)) {
    throw new InvalidField('groupid', `Invalid group name: at most ${MAX_GROUP_ID} characters, no slashes`);
  }
  return id;
}
