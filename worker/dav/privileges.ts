/** current-user-privilege-set values (RFC 3744 §5.4) the groupware collections answer with. */
const privilegeSet = (names: string[]) => names.map((p) => `<d:privilege><d:${p}/></d:privilege>`).join('');

/** The owner, or a read-write sharee. */
export const ALL_PRIVILEGES = privilegeSet(['read', 'write', 'write-properties', 'write-content', 'bind', 'unbind', 'read-acl', 'read-current-user-privilege-set', 'all']);
/** A read-only sharee, or a generated collection: reads, and renames their own view (write-properties). */
export const READ_ONLY_PRIVILEGES = privilegeSet(['read', 'read-acl', 'read-current-user-privilege-set', 'write-properties']);
/** An anonymous reader of a public link. */
export const PUBLIC_PRIVILEGES = privilegeSet(['read', 'read-current-user-privilege-set']);
