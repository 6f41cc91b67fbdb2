import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../../worker/dav/xml';
import { TRASH_ROOT } from '../../worker/files/tree';
import { fileRows, lockInfo, makeUser, patternBytes, type DavClient } from '../helpers';

// ARCHITECTURE §7: bad input gets a clear 4xx with a DAV error body, never a 500, never a partial write.

let alice: DavClient;
beforeAll(async () => {
  alice = await makeUser('alice');
  await alice.mkcol('/dir');
  await alice.put('/dir/f.txt', 'content');
});

describe('methods', () => {
  it('RFC 9110 §15.6.2: a method the server does not know → 501 with a DAV error body', async () => {
    for (const method of ['PURGE', 'NOTIFY', 'MKACTIVITY']) {
      const res = await alice.request(method, '/dir/f.txt');
      expect(res.status, method).toBe(501);
      expect(await res.text()).toContain('Sabre\\DAV\\Exception\\NotImplemented');
    }
  });

  it('RFC 9110 §15.5.6: a known method not allowed here → 405 with an Allow header', async () => {
    for (const method of ['POST', 'PATCH', 'SEARCH']) {
      const res = await alice.request(method, '/dir/f.txt');
      expect(res.status, method).toBe(405);
      expect(res.headers.get('Allow')).toContain('PROPFIND');
    }
    // REPORT exists on files (favorites): without a body it is a bad request, not an unknown method.
    expect((await alice.request('REPORT', '/dir/f.txt')).status).toBe(400);
  });
});

describe('hostile XML', () => {
  it('nesting deeper than any DAV body needs → 400, not a stack overflow', async () => {
    const deep = (n: number) => `<z:a xmlns:z="urn:z">${'<b>'.repeat(n)}${'</b>'.repeat(n)}</z:a>`;
    const patch = `<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop>${deep(60_000)}</d:prop></d:set></d:propertyupdate>`;
    expect((await alice.proppatch('/dir/f.txt', patch)).status).toBe(400);
    const fav = `<d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>${'<b>'.repeat(60_000)}1${'</b>'.repeat(60_000)}</oc:favorite></d:prop></d:set></d:propertyupdate>`;
    expect((await alice.proppatch('/dir/f.txt', fav)).status).toBe(400);
    const lock = `<d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype><d:owner>${'<b>'.repeat(60_000)}${'</b>'.repeat(60_000)}</d:owner></d:lockinfo>`;
    expect((await alice.lock('/dir/f.txt', lock)).status).toBe(400);
    expect((await alice.propfind('/dir/', `<d:propfind xmlns:d="DAV:"><d:prop>${'<b>'.repeat(60_000)}</d:prop></d:propfind>`)).status).toBe(400);
  });

  it('a body over 1 MiB → 413 (XML bodies are small)', async () => {
    const res = await alice.propfind('/dir/', `<d:propfind xmlns:d="DAV:"><d:prop>${'<d:getetag/>'.repeat(100_000)}</d:prop></d:propfind>`);
    expect(res.status).toBe(413);
  });

  it('Namespaces are resolved: a namespace URI containing } still gives well-formed XML that round-trips', async () => {
    const ns = 'urn:odd}name{space';
    const set = await alice.proppatch('/dir/f.txt', `<d:propertyupdate xmlns:d="DAV:" xmlns:z="${ns}"><d:set><d:prop><z:p>v</z:p></d:prop></d:set></d:propertyupdate>`);
    expect(set.status).toBe(207);
    const xml = await (await alice.propfind('/dir/f.txt', `<d:propfind xmlns:d="DAV:" xmlns:z="${ns}"><d:prop><z:p/><z:missing/></d:prop></d:propfind>`)).text();
    expect(() => parseXml(xml)).not.toThrow();
    expect(xml).toContain(`<x:p xmlns:x="${ns}">v</x:p>`);
  });
});

describe('fuzz: garbage across methods never yields a 5xx', () => {
  /** A deterministic generator so a failure is reproducible. */
  function rng(seed: number) {
    let x = seed;
    return () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
  }
  const METHODS = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'GET', 'HEAD', 'PUT', 'DELETE', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'OPTIONS'];
  const PATHS = ['/dir/f.txt', '/dir/', '/', '/missing', '/dir/missing/deeper', '/%E2%82', '/dir/f.txt/child', 'http://localhost/remote.php/webdav/dir/'];
  const BODIES: (string | Uint8Array | null)[] = [
    null, '', '<', '<?xml version="1.0"?>', '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop>', 'not xml at all',
    '<x:propfind xmlns:x="urn:wrong"/>', '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop/></d:set></d:propertyupdate>',
    '\uFEFF<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>', '<a>&undefined;</a>', '<a>&#0;</a>',
    '<a xmlns:b="DAV:"><b:c xmlns:b=""/></a>', lockInfo('shared', '<![CDATA[<script>]]>'), '<d:lockinfo xmlns:d="DAV:"/>',
    '<d:propfind xmlns:d="DAV:"><d:prop><d:lockdiscovery/><d:quota-used-bytes/><x:y xmlns:x="urn:x"/></d:prop></d:propfind>',
    patternBytes(3000, 5), new Uint8Array([0xc3, 0x28, 0xa0, 0xa1]),
  ];
  const HEADERS: Record<string, string[]> = {
    Depth: ['0', '1', 'infinity', '2', '-1', 'Infinity', '1,0', ''],
    Destination: ['/remote.php/dav/files/alice/dir/x', 'http://', 'http://[::1', '::::', '/%', '/remote.php/dav/files/alice/%00', 'ftp://localhost/x', '/remote.php/dav/files/alice/', '/remote.php/webdav/dir/f.txt', 'x'.repeat(3000)],
    Overwrite: ['T', 'F', 't', 'maybe', ''],
    If: ['(', '<', '()', '(<a> [b', '(Not)', '(["x"])', '<http://localhost/remote.php/dav/files/alice/dir/> (<opaquelocktoken:x>)', '<http://elsewhere.example/x> (<t>)', '(<t>) (Not <t>)'],
    Timeout: ['Second-1', 'Infinite', 'Second-99999999999999999999', 'Second--1', 'garbage'],
    Range: ['bytes=0-0', 'bytes=99999999999999999999-', 'bytes=-0', 'bytes=0-99999999999999999999', 'bytes=1-0,5-', 'bytes=' + '0-1,'.repeat(100) + '0-1'],
    'If-Match': ['*', '"x"', 'garbage', 'W/"x"', ''],
    'If-None-Match': ['*', '"x"', 'garbage'],
    'If-Modified-Since': ['yesterday', 'Thu, 01 Jan 1970 00:00:00 GMT', '99999999999999'],
    'If-Range': ['"x"', 'garbage'],
    'X-OC-Mtime': ['1', '1e400', '9e15', '-0', '0x10', '1700000000.5', '99999999999999999999'],
    'OC-Checksum': ['SHA1:', 'ADLER32:abc', 'SHA1:abc', 'MD5:zz', 'nonsense'],
    'Lock-Token': ['<x>', 'x', '<>', '<opaquelocktoken:x'],
    Prefer: ['return=minimal', 'return=representation', ';;;'],
    'Content-Type': ['application/xml', 'text/xml; charset=latin1', 'multipart/form-data', 'x/y'],
    'Content-Range': ['bytes 0-1/2', 'garbage'],
  };

  it('300 random requests with malformed bodies and headers all answer below 500 (and 207s are well-formed)', async () => {
    const rand = rng(4918);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const method = pick(METHODS);
      const path = pick(PATHS);
      const headers: Record<string, string> = {};
      for (const [name, values] of Object.entries(HEADERS)) if (rand() < 0.2) headers[name] = pick(values);
      const body = method === 'GET' || method === 'HEAD' ? null : pick(BODIES);
      const res = await alice.request(method, path, { headers, body });
      const text = method === 'HEAD' ? '' : await res.text();
      if (res.status >= 500) failures.push(`${method} ${path} ${JSON.stringify(headers)} body=${String(body).slice(0, 60)} → ${res.status}`);
      if (res.status === 207) {
        try { parseXml(text); } catch (e) { failures.push(`${method} ${path} → malformed 207: ${String(e)}`); }
      }
    }
    expect(failures).toEqual([]);
  });

  it('the tree is still consistent afterwards: every folder size (the trash root too) is the sum of its files', async () => {
    const rows = await fileRows('alice');
    const { results } = await env.DB.prepare('SELECT path, is_dir, size FROM files WHERE owner = ?').bind('alice').all<{ path: string; is_dir: number; size: number }>();
    for (const folder of results.filter((r) => r.is_dir)) {
      // The home sums its own tree, not the trash (rows below TRASH_ROOT, which sums them itself).
      const inFolder = (p: string) => (folder.path === '' ? !p.startsWith(TRASH_ROOT) : p.startsWith(folder.path + '/'));
      const sum = results.filter((r) => !r.is_dir && inFolder(r.path)).reduce((n, r) => n + r.size, 0);
      expect(folder.size, `size of '${folder.path}'`).toBe(sum);
    }
    expect(rows.size).toBe(results.length);
  });
});
