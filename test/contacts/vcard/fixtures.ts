import appleGroup from './fixtures/apple-group.vcf?raw';
import applePerson from './fixtures/apple-person.vcf?raw';
import davx5GroupV4 from './fixtures/davx5-group-v4.vcf?raw';
import davx5V4 from './fixtures/davx5-v4.vcf?raw';
import googleNoUidNoFn from './fixtures/google-no-uid-no-fn.vcf?raw';

export { appleGroup, applePerson, davx5GroupV4, davx5V4, googleNoUidNoFn };

/** A vCard of the given version around the given property lines (CRLF-joined). */
export function vcard(version: '3.0' | '4.0', ...lines: string[]): string {
  return ['BEGIN:VCARD', `VERSION:${version}`, ...lines, 'END:VCARD', ''].join('\r\n');
}
