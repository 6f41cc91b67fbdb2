import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAppPassword } from '../../worker/accounts/app-passwords';
import { CapabilityRegistry } from '../../worker/ocs/capabilities';
import { addUser, ALICE, basic, call, installAdmin, ocsJson } from '../accounts/helpers';

const VERSION = { major: 30, minor: 0, micro: 4, string: '30.0.4', edition: '', extendedSupport: false };
const CORE = {
  pollinterval: 60, 'webdav-root': 'remote.php/webdav', 'mod-rewrite-working': true,
  status: {
    installed: true, maintenance: false, needsDbUpgrade: false, version: '30.0.4.1', versionstring: '30.0.4',
    edition: '', productname: 'Nextcloud', extendedSupport: false,
  },
};
const DAV = { chunking: '1.0', bulkupload: '1.0' };
const FILES = {
  bigfilechunking: true, blacklisted_files: ['.htaccess'], forbidden_filenames: ['.htaccess'],
  forbidden_filename_characters: [], forbidden_filename_basenames: [], forbidden_filename_extensions: [],
  undelete: true, versioning: true, chunked_upload: { max_size: 95_000_000, max_parallel_count: 5 },
};
const CHECKSUMS = { supportedTypes: ['SHA1', 'MD5'], preferredUploadType: 'SHA1' };

beforeAll(async () => {
  await installAdmin();
  await addUser({ ...ALICE, email: 'alice@example.org' });
});

describe('GET /ocs/v{1,2}.php/cloud/capabilities', () => {
  it('answers anonymous clients with 200 on v2 (the desktop\'s pre-login probe), compact JSON', async () => {
    const res = await call('/ocs/v2.php/cloud/capabilities?format=json', { headers: { 'OCS-APIRequest': 'true' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('WWW-Authenticate')).toBeNull();
    const text = await res.text();
    expect(text).toMatch(/^\{"ocs":\{"meta":\{"status":"ok","statuscode":200,"message":"OK"\},"data":\{"version":/);
    const { data } = JSON.parse(text).ocs;
    expect(data).toEqual({
      version: VERSION,
      capabilities: { core: CORE, bruteforce: { delay: 0, 'allow-listed': false }, dav: DAV, files: FILES, checksums: CHECKSUMS },
    });
  });

  it('answers anonymous v1 with statuscode 100 and the same data', async () => {
    const res = await ocsJson(null, 'GET', '/ocs/v1.php/cloud/capabilities');
    expect(res.status).toBe(200);
    expect(res.meta).toMatchObject({ status: 'ok', statuscode: 100 });
    expect(res.data.capabilities.dav).toEqual(DAV);
  });

  it('answers authenticated callers (login password and app password) on v1 and v2', async () => {
    const { token } = await createAppPassword(env, { userId: 'alice', name: 'caps', loginName: 'alice' });
    for (const auth of [basic('alice', ALICE.password), basic('alice', token)]) {
      for (const v of [1, 2]) {
        const res = await ocsJson(auth, 'GET', `/ocs/v${v}.php/cloud/capabilities`);
        expect(res.status).toBe(200);
        expect(res.data.version).toEqual(VERSION);
        expect(res.data.capabilities).toMatchObject({ core: CORE, dav: DAV, files: FILES, checksums: CHECKSUMS });
      }
    }
  });

  it('renders XML without format=json (v1 and v2)', async () => {
    const v1 = await (await call('/ocs/v1.php/cloud/capabilities')).text();
    expect(v1).toContain('<statuscode>100</statuscode>');
    expect(v1).toContain('<version><major>30</major><minor>0</minor><micro>4</micro><string>30.0.4</string>'
      + '<edition></edition><extendedSupport></extendedSupport></version>');
    expect(v1).toContain('<webdav-root>remote.php/webdav</webdav-root>');
    expect(v1).toContain('<dav><chunking>1.0</chunking><bulkupload>1.0</bulkupload></dav>');
    expect(v1).toContain('<supportedTypes><element>SHA1</element><element>MD5</element></supportedTypes>');
    expect(v1).toContain('<chunked_upload><max_size>95000000</max_size><max_parallel_count>5</max_parallel_count></chunked_upload>');
    const v2 = await call('/ocs/v2.php/cloud/capabilities', { headers: { Authorization: basic('alice', ALICE.password) } });
    expect(v2.status).toBe(200);
    expect(v2.headers.get('Content-Type')).toBe('application/xml; charset=utf-8');
    expect(await v2.text()).toContain('<statuscode>200</statuscode>');
  });

  it('answers wrong credentials as an anonymous client (as Nextcloud), but counts them: bruteforce.delay grows', async () => {
    const ip = '198.51.100.40';
    const wrong = await ocsJson(basic('alice', 'wrong-password'), 'GET', '/ocs/v2.php/cloud/capabilities', {}, ip);
    expect(wrong.status).toBe(200);
    expect(wrong.data.capabilities.files).toEqual(FILES);
    // The block is computed after the failed login of the same request.
    expect(wrong.data.capabilities.bruteforce).toEqual({ delay: 100, 'allow-listed': false });
    await ocsJson(basic('alice', 'wrong-again'), 'GET', '/ocs/v2.php/cloud/capabilities', {}, ip);
    const after = await ocsJson(null, 'GET', '/ocs/v2.php/cloud/capabilities', {}, ip);
    expect(after.data.capabilities.bruteforce.delay).toBe(200);
  });

  it('advertises chunks below the 100 MB request-body cap of the edge', async () => {
    const res = await ocsJson(null, 'GET', '/ocs/v2.php/cloud/capabilities');
    expect(res.data.capabilities.files.chunked_upload.max_size).toBeLessThan(100_000_000);
  });

  it('is not swallowed by the OCS catch-all, which still answers unknown routes with 998', async () => {
    const res = await ocsJson(null, 'GET', '/ocs/v2.php/cloud/capabilitiesx');
    expect(res.status).toBe(404);
    expect(res.meta.statuscode).toBe(998);
  });
});

describe('CapabilityRegistry', () => {
  const ctx = { env, user: null, ip: 'unknown', origin: 'http://cumulus.test' };

  it('collects blocks in registration order and leaves out blocks that answer undefined', async () => {
    const registry = new CapabilityRegistry()
      .register('b', () => ({ x: 1 }))
      .register('off', () => undefined)
      .register('a', async () => ({ y: [true] }));
    const collected = await registry.collect(ctx);
    expect(collected).toEqual({ b: { x: 1 }, a: { y: [true] } });
    expect(Object.keys(collected)).toEqual(['b', 'a']);
  });

  it('lets a block depend on the caller', async () => {
    const registry = new CapabilityRegistry().register('who', ({ user }) => user?.id ?? 'anonymous');
    expect(await registry.collect(ctx)).toEqual({ who: 'anonymous' });
  });

  it('refuses a second owner of the same block', () => {
    const registry = new CapabilityRegistry().register('files', () => ({}));
    expect(() => registry.register('files', () => ({}))).toThrow(/registered twice/);
  });
});

describe('GET /ocs/v{1,2}.php/config', () => {
  it('describes the OCS provider like Nextcloud, anonymously', async () => {
    const res = await ocsJson(null, 'GET', '/ocs/v1.php/config');
    expect(res.status).toBe(200);
    expect(res.meta.statuscode).toBe(100);
    expect(res.data).toEqual({ version: '1.7', website: 'Nextcloud', host: 'cumulus.test', contact: '', ssl: 'false' });
  });

  it('says ssl "true" over https', async () => {
    const res = await (await exports.default.fetch(new Request('https://cumulus.test/ocs/v2.php/config?format=json')))
      .json<{ ocs: { data: { ssl: string } } }>();
    expect(res.ocs.data.ssl).toBe('true');
  });
});

describe('GET /ocs/v{1,2}.php/cloud/user: what the desktop client reads', () => {
  it('has id, display-name and a quota whose used and free follow the files really stored', async () => {
    await addUser({ id: 'quoted', password: 'quoted-password-1', displayName: 'Quoted', quota: 10_000 });
    const auth = basic('quoted', 'quoted-password-1');
    const put = await call('/remote.php/dav/files/quoted/file.bin', { method: 'PUT', body: new Uint8Array(1234), headers: { Authorization: auth } });
    expect(put.status).toBe(201);
    const res = await ocsJson(auth, 'GET', '/ocs/v1.php/cloud/user');
    expect(res.data).toMatchObject({
      id: 'quoted', 'display-name': 'Quoted',
      quota: { free: 8766, used: 1234, total: 10_000, relative: 12.34, quota: 10_000 },
    });
  });
});

