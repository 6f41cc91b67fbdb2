/**
 * Translation of account domain errors into OCS errors, with Nextcloud's provisioning_api codes.
 * The codes differ per call (Nextcloud reuses numbers), so a route passes its own where needed.
 */
import { AlreadyExists, Forbidden, NotFound } from '../errors';
import { OcsError, OCS_NOT_FOUND } from '../ocs/envelope';
import { InvalidField, UnknownGroup, WeakPassword } from './errors';

export interface OcsCodes {
  exists: number;
  unknownGroup: number;
  notFound: number;
  invalid: number;
  invalidQuota: number;
  weakPassword: number;
  forbidden: number;
}

const DEFAULTS: OcsCodes = {
  exists: 102, unknownGroup: 104, notFound: OCS_NOT_FOUND, invalid: 101, invalidQuota: 102,
  weakPassword: 107, forbidden: 403,
};

/** The OcsError for a known domain error; anything else is returned unchanged (a real 500). */
export function ocsErrorFor(err: unknown, codes: Partial<OcsCodes> = {}): unknown {
  const c = { ...DEFAULTS, ...codes };
  if (err instanceof OcsError) return err;
  if (err instanceof WeakPassword) return new OcsError(c.weakPassword, err.message);
  if (err instanceof InvalidField) return new OcsError(err.field === 'quota' ? c.invalidQuota : c.invalid, err.message);
  if (err instanceof AlreadyExists) return new OcsError(c.exists, err.message);
  if (err instanceof UnknownGroup) return new OcsError(c.unknownGroup, err.message);
  if (err instanceof NotFound) return new OcsError(c.notFound, err.message);
  if (err instanceof Forbidden) return new OcsError(c.forbidden, err.message);
  return err;
}
