/**
 * Capability blocks of the server core and of the files protocols (nextcloud-api.md §1.3).
 * Values are what the Nextcloud clients read; see the comments for the ones that matter.
 */
import { NEXTCLOUD_VERSION } from '../http/status';
import type { CapabilityBlock } from './capabilities';

/**
 * Largest chunk we ask clients to send. The edge refuses request bodies over 100 MB (Free and Pro
 * zones) with a 413, which the desktop client takes as permanent and blacklists the file.
 */
export const MAX_CHUNK_BYTES = 95_000_000;

/** `core`: poll interval, legacy WebDAV root, and the status.php object (nextcloudcmd reads its version here). */
export const coreCapabilities: CapabilityBlock = () => ({
  pollinterval: 60,
  'webdav-root': 'remote.php/webdav',
  // Every route works without /index.php.
  'mod-rewrite-working': true,
  status: {
    installed: true, maintenance: false, needsDbUpgrade: false,
    version: NEXTCLOUD_VERSION.version, versionstring: NEXTCLOUD_VERSION.versionstring,
    edition: '', productname: 'Nextcloud', extendedSupport: false,
  },
});

/**
 * `dav`: chunking "1.0" makes the desktop use chunked upload v2 (`/remote.php/dav/uploads/…`)
 * instead of the legacy `-chunking-` names; bulkupload "1.0" enables `POST /remote.php/dav/bulk`.
 */
export const davCapabilities: CapabilityBlock = () => ({ chunking: '1.0', bulkupload: '1.0' });

/** `files`: name rules clients apply locally, chunk limits, trash and versions. */
export const filesCapabilities: CapabilityBlock = () => ({
  bigfilechunking: true,
  // Deprecated since Nextcloud 30 in favour of forbidden_filenames; 3.x desktop clients read it.
  'blacklisted_files': ['.htaccess'],
  'forbidden_filenames': ['.htaccess'],
  'forbidden_filename_characters': [],
  'forbidden_filename_basenames': [],
  'forbidden_filename_extensions': [],
  undelete: true,
  versioning: true,
  'chunked_upload': { 'max_size': MAX_CHUNK_BYTES, 'max_parallel_count': 5 },
});

/** `checksums`: what OC-Checksum may carry; the desktop uploads with the preferred type. */
export const checksumCapabilities: CapabilityBlock = () => ({ supportedTypes: ['SHA1', 'MD5'], preferredUploadType: 'SHA1' });
