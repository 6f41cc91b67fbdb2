/**
 * Domain errors: thrown by services, carry no HTTP meaning. A DAV backend or an OCS/JSON route
 * translates them at its boundary (see worker/dav/errors.ts and worker/ocs/envelope.ts).
 */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** The thing addressed does not exist (or is not visible to the caller). */
export class NotFound extends DomainError {}
/** The target exists already and may not be replaced. */
export class AlreadyExists extends DomainError {}
/** A second calendar object or card with the same UID in one collection; `existingUri` names the first. */
export class UidConflict extends AlreadyExists {
  constructor(readonly existingUri: string, message = 'Another resource in this collection has the same UID') {
    super(message);
  }
}
/** A parent is missing or the operation contradicts the tree (e.g. moving a folder into itself). */
export class Conflict extends DomainError {}
/** A precondition on the current state (ETag, If-Match) does not hold. */
export class PreconditionFailed extends DomainError {}
/** The owner's quota cannot take this many bytes. */
export class QuotaExceeded extends DomainError {}
/** A lock held by someone else prevents the change. */
export class Locked extends DomainError {}
/** The caller may not do this. */
export class Forbidden extends DomainError {}
/** The input is malformed or not allowed (bad name, bad value). */
export class BadInput extends DomainError {}
