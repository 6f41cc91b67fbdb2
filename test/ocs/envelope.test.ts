import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../worker/http/env';
import { renderError } from '../../worker/http/errors';
import { OcsError, ocsOk, type OcsData } from '../../worker/ocs/envelope';
import { call } from '../accounts/helpers';

const DATA: OcsData = { id: 'x', list: ['a', 'b'], on: true, off: false, none: null, n: 3, text: '<&>' };

/** A tiny OCS app on both versions: one success, one created, and errors of a given code. */
function envelopeApp() {
  const api = new Hono<AppEnv>();
  api.get('/ok', (c) => ocsOk(c, DATA));
  api.post('/created', (c) => ocsOk(c, { id: 'new' }, 201));
  api.get('/empty', (c) => ocsOk(c));
  api.get('/error/:code', (c) => { throw new OcsError(Number(c.req.param('code')), 'It went <wrong> & bad'); });
  const app = new Hono<AppEnv>();
  app.onError(renderError);
  app.route('/ocs/v1.php', api);
  app.route('/ocs/v2.php', api);
  return (path: string, init: RequestInit = {}) => app.fetch(new Request(`http://cumulus.test${path}`, init), env);
}
const ocs = envelopeApp();
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';
const JSON_DATA = '{"id":"x","list":["a","b"],"on":true,"off":false,"none":null,"n":3,"text":"\\u003C&\\u003E"}';
const XML_DATA = '<data><id>x</id><list><element>a</element><element>b</element></list><on>1</on><off></off>'
  + '<none/><n>3</n><text>&lt;&amp;&gt;</text></data>';

describe('OCS envelope v1', () => {
  it('success as JSON: statuscode 100, HTTP 200, empty totalitems/itemsperpage, compact', async () => {
    const res = await ocs('/ocs/v1.php/ok?format=json');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe(JSON_TYPE);
    expect(await res.text()).toBe('{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK",'
      + `"totalitems":"","itemsperpage":""},"data":${JSON_DATA}}}`);
  });

  it('success as XML: lists as <element>, booleans as 1/empty, text escaped', async () => {
    const res = await ocs('/ocs/v1.php/ok');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe(XML_TYPE);
    expect(await res.text()).toBe('<?xml version="1.0"?>\n<ocs><meta><status>ok</status><statuscode>100</statuscode>'
      + `<message>OK</message><totalitems></totalitems><itemsperpage></itemsperpage></meta>${XML_DATA}</ocs>\n`);
  });

  it('reports a creation as plain 200/100', async () => {
    const res = await ocs('/ocs/v1.php/created?format=json', { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await res.json<{ ocs: { meta: { statuscode: number } } }>()).ocs.meta.statuscode).toBe(100);
  });

  it('errors answer HTTP 200 with the OCS code and message (JSON and XML)', async () => {
    const json = await ocs('/ocs/v1.php/error/102?format=json');
    expect(json.status).toBe(200);
    expect(await json.text()).toBe('{"ocs":{"meta":{"status":"failure","statuscode":102,'
      + '"message":"It went \\u003Cwrong\\u003E & bad","totalitems":"","itemsperpage":""},"data":[]}}');
    const xml = await ocs('/ocs/v1.php/error/998');
    expect(xml.status).toBe(200);
    expect(await xml.text()).toBe('<?xml version="1.0"?>\n<ocs><meta><status>failure</status><statuscode>998</statuscode>'
      + '<message>It went &lt;wrong&gt; &amp; bad</message><totalitems></totalitems><itemsperpage></itemsperpage>'
      + '</meta><data></data></ocs>\n');
  });

  it('except 997 (not logged in), which is HTTP 401', async () => {
    expect((await ocs('/ocs/v1.php/error/997?format=json')).status).toBe(401);
  });
});

describe('OCS envelope v2', () => {
  it('success as JSON: statuscode 200 and no totalitems/itemsperpage', async () => {
    const res = await ocs('/ocs/v2.php/ok?format=json');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":${JSON_DATA}}}`);
  });

  it('success as XML', async () => {
    const res = await ocs('/ocs/v2.php/ok');
    expect(res.headers.get('Content-Type')).toBe(XML_TYPE);
    expect(await res.text()).toBe('<?xml version="1.0"?>\n<ocs><meta><status>ok</status><statuscode>200</statuscode>'
      + `<message>OK</message></meta>${XML_DATA}</ocs>\n`);
  });

  it('passes a success status through (201) and renders empty data as []', async () => {
    const res = await ocs('/ocs/v2.php/created?format=json', { method: 'POST' });
    expect(res.status).toBe(201);
    expect((await res.json<{ ocs: { meta: { statuscode: number } } }>()).ocs.meta.statuscode).toBe(201);
    expect(await (await ocs('/ocs/v2.php/empty?format=json')).text()).toContain('"data":[]');
  });

  it('maps error codes to HTTP statuses: 997→401, 998→404, 996/999→500, <200→400, else itself', async () => {
    const cases: Array<[number, number]> = [[997, 401], [998, 404], [996, 500], [999, 500], [102, 400], [403, 403], [404, 404]];
    for (const [code, status] of cases) {
      const res = await ocs(`/ocs/v2.php/error/${code}?format=json`);
      expect(res.status, String(code)).toBe(status);
      const { ocs: body } = await res.json<{ ocs: { meta: { status: string; statuscode: number; message: string } } }>();
      expect(body.meta).toEqual({ status: 'failure', statuscode: code, message: 'It went <wrong> & bad' });
    }
  });

  it('errors as XML', async () => {
    const res = await ocs('/ocs/v2.php/error/403');
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('<?xml version="1.0"?>\n<ocs><meta><status>failure</status><statuscode>403</statuscode>'
      + '<message>It went &lt;wrong&gt; &amp; bad</message></meta><data></data></ocs>\n');
  });
});

describe('OCS format negotiation', () => {
  it('uses JSON for Accept: application/json, and the format query wins over Accept', async () => {
    const accept = { headers: { Accept: 'application/json, text/plain' } };
    expect((await ocs('/ocs/v2.php/ok', accept)).headers.get('Content-Type')).toBe(JSON_TYPE);
    expect((await ocs('/ocs/v2.php/ok?format=xml', accept)).headers.get('Content-Type')).toBe(XML_TYPE);
    expect((await ocs('/ocs/v2.php/ok', { headers: { Accept: 'text/html' } })).headers.get('Content-Type')).toBe(XML_TYPE);
  });

  it('replaces characters XML cannot carry instead of emitting broken XML', async () => {
    const api = new Hono<AppEnv>();
    api.get('/ocs/v2.php/ctl', (c) => ocsOk(c, { name: 'a\u0001b\uD800c' }));
    const text = await (await api.fetch(new Request('http://cumulus.test/ocs/v2.php/ctl'), env)).text();
    expect(text).toContain('<name>a\uFFFDb\uFFFDc</name>');
  });
});

describe('OCS mount', () => {
  it('answers an unknown OCS route with 998 (v1: HTTP 200, v2: HTTP 404)', async () => {
    const v1 = await call('/ocs/v1.php/no/such/route?format=json');
    expect(v1.status).toBe(200);
    expect((await v1.json<{ ocs: { meta: { statuscode: number } } }>()).ocs.meta.statuscode).toBe(998);
    const v2 = await call('/ocs/v2.php/no/such/route?format=json');
    expect(v2.status).toBe(404);
  });

  it('serves OCS under /index.php too', async () => {
    const res = await call('/index.php/ocs/v2.php/cloud/user?format=json');
    expect(res.status).toBe(401);
    expect((await res.json<{ ocs: { meta: { statuscode: number } } }>()).ocs.meta.statuscode).toBe(997);
  });
});
