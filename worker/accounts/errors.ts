import { BadInput, NotFound } from '../errors';

/** Which account attribute an input error is about (OCS maps each to Nextcloud's status code). */
export type AccountField = 'userid' | 'displayname' | 'email' | 'password' | 'quota' | 'groupid';

/** A value of one account attribute is malformed or out of range. */
export class InvalidField extends BadInput {
  constructor(readonly field: AccountField, message: string) {
    super(message);
  }
}

/** The password is well-formed but below the password policy (Nextcloud's "hint" errors). */
export class WeakPassword extends BadInput {}

/** A group named in a request does not exist. */
export class UnknownGroup extends NotFound {
  constructor(readonly groupId: string) {
    super(`group ${groupId} does not exist`);
  }
}
