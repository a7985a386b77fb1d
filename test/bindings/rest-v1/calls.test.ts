// api.rest.v1 against a real HTTP server on loopback: methods, parameters,
// headers, bodies and the response shape (SPEC §4.1, §4.2).
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { startEchoServer, type Received } from '../../helpers/echo-server.js';
import { rejection } from '../../helpers/expect.js';

let server: Awaited<ReturnType<typeof startEchoServer>>;
let t: TestRuntime;

const run = async (body: string, input: Record<string, unknown> = {}) => {
  await t.app.write('scripts/call.js', `function callService(context) {\n${body}\n}`);
  t.runtime.invalidateCache();
  return (await t.runtime.runScript('call', { input: input as never, trace: true }));
};
const echoed = async (body: string): Promise<Received> => (await run(`var r = ${body}; return [r.body];`)).output[0] as Received;

beforeAll(async () => {
  server = await startEchoServer({
    '/text': (_q, res) => { res.setHeader('content-type', 'text/plain; charset=utf-8'); res.end('zażółć'); },
    '/latin1': (_q, res) => { res.setHeader('content-type', 'text/plain; charset=iso-8859-1'); res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9])); },
    '/empty': (_q, res) => { res.statusCode = 204; res.end(); },
    '/binary': (_q, res) => { res.setHeader('content-type', 'application/octet-stream'); res.end(Buffer.from([0, 1, 2, 255])); },
    '/xml': (_q, res) => { res.setHeader('content-type', 'application/xml'); res.end('<customer id="7"><name>Ada</name><tags><tag>a</tag><tag>b</tag></tags></customer>'); },
    '/badjson': (_q, res) => { res.setHeader('content-type', 'application/json'); res.end('{"a":'); },
    '/badxml': (_q, res) => { res.setHeader('content-type', 'text/xml'); res.end('<a><b></a>'); },
    '/gzip': (_q, res) => { res.setHeader('content-type', 'application/json'); res.setHeader('content-encoding', 'gzip'); res.end(gzipSync('{"zipped":true}')); },
    '/missing': (_q, res) => { res.statusCode = 404; res.setHeader('content-type', 'application/json'); res.setHeader('x-trace', 't1'); res.end('{"error":"no such customer"}'); },
    '/moved': (_q, res) => { res.statusCode = 302; res.setHeader('location', '/elsewhere'); res.end(); },
    '/api/v2/gone': (_q, res) => { res.statusCode = 404; res.end('gone'); },
    '/api/v2/hang': () => { /* never answers */ },
    '/headers': (_q, res) => { res.setHeader('content-type', 'application/json'); res.setHeader('X-Multi', ['a', 'b']); res.end('{}'); },
  });
  t = await startRuntime({
    'scriptcode.yaml': `services:
  echo:
    url: ${server.url}/api/v2
    allowInsecureHttp: true
    network: { allowPrivate: true }
    headers: { X-Static: static-value }
    queryParams: { lang: pl }
  postcodes:
    url: ${server.url}/v1/postcodes/{postcode}
    allowInsecureHttp: true
    network: { allowPrivate: true }
`,
    'scripts/call.js': 'function callService() {}',
  }, { config: { cache: { ttlMs: 0, watch: false } } as never });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
});

describe('api.rest.v1 calls', () => {
  it('GET with path, pathParams (one encoded segment each) and repeated query names', async () => {
    const got = await echoed(`api.rest.v1.get('echo', { path: 'customers/{id}/orders', pathParams: { id: 'A/1 b' }, queryParams: { tag: ['x', 'y z'], none: null, n: 5 } })`);
    expect(got.method).toBe('GET');
    expect(got.rawUrl.split('?')[0]).toBe('/api/v2/customers/A%2F1%20b/orders');
    expect(got.query).toEqual({ lang: ['pl'], tag: ['x', 'y z'], n: ['5'] });
    expect(got.headers['x-static']).toBe('static-value');
    expect(got.body).toBe('');
  });

  it('placeholders in the service URL are filled from pathParams', async () => {
    const got = await echoed(`api.rest.v1.get('postcodes', { pathParams: { postcode: '00-950' } })`);
    expect(got.path).toBe('/v1/postcodes/00-950');
  });

  it('DELETE, POST, PUT, PATCH and request() send the method and a JSON body by default', async () => {
    const r = await run(`return [
      api.rest.v1.delete('echo', { path: 'c/1' }).body,
      api.rest.v1.post('echo', { path: 'c' }, { name: 'Ada', n: [1, 2] }).body,
      api.rest.v1.put('echo', { path: 'c/1' }, { name: 'Grace' }, { 'X-Request-Id': 'r-1' }).body,
      api.rest.v1.patch('echo', {}, { op: 'x' }).body,
      api.rest.v1.request({ method: 'post', serviceId: 'echo', path: 'r', queryParams: { q: 1 }, headers: { 'X-A': 'b' }, body: [1] }).body,
    ];`);
    const [del, post, put, patch, req] = r.output as Received[];
    expect(del).toMatchObject({ method: 'DELETE', path: '/api/v2/c/1', body: '' });
    expect(post).toMatchObject({ method: 'POST', path: '/api/v2/c', body: '{"name":"Ada","n":[1,2]}' });
    expect(post.headers['content-type']).toBe('application/json');
    expect(put).toMatchObject({ method: 'PUT', body: '{"name":"Grace"}' });
    expect(put.headers['x-request-id']).toBe('r-1');
    expect(patch).toMatchObject({ method: 'PATCH', path: '/api/v2', body: '{"op":"x"}' });
    expect(req).toMatchObject({ method: 'POST', path: '/api/v2/r', body: '[1]', query: { lang: ['pl'], q: ['1'] } });
    expect(req.headers['x-a']).toBe('b');
  });

  it('a string body is sent as it is; form-urlencoded and multipart are built from objects', async () => {
    const r = await run(`return [
      api.rest.v1.post('echo', {}, '<raw/>', { 'Content-Type': 'application/xml' }).body,
      api.rest.v1.post('echo', {}, { a: 'x y', list: [1, 2] }, { 'Content-Type': 'application/x-www-form-urlencoded' }).body,
      api.rest.v1.post('echo', {}, { field: 'v', file: { filename: 'a.txt', contentType: 'text/plain', base64: btoa('hello file') } }, { 'content-type': 'multipart/form-data' }).body,
    ];`);
    const [raw, form, multipart] = r.output as Received[];
    expect(raw).toMatchObject({ body: '<raw/>' });
    expect(raw.headers['content-type']).toBe('application/xml');
    expect(form.body).toBe('a=x+y&list=1&list=2');
    expect(form.form).toEqual({ a: ['x y'], list: ['1', '2'] });
    expect(multipart.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(multipart.form).toEqual({ field: ['v'], file: [{ filename: 'a.txt', type: 'text/plain', text: 'hello file' }] });
  });

  it('the response has status, lower-case headers and a body parsed by content type', async () => {
    const r = await run(`
      var json = api.rest.v1.get('echo', { path: 'x' });
      return [
        { status: json.status, ct: json.headers['content-type'], hasEncoding: 'bodyEncoding' in json },
        api.rest.v1.get('echo', { path: '../../text' === 1 ? '' : 'x' }).status.code,
        api.rest.v1.get('echo', { path: '/x' }).body.path,
      ];`);
    expect(r.output[0]).toEqual({ status: { code: 200, message: 'OK' }, ct: 'application/json', hasEncoding: false });
    expect(r.output[1]).toBe(200);
    expect(r.output[2]).toBe('/api/v2/x');
  });

  it('text, empty, binary (base64), XML, gzip and charset bodies', async () => {
    await t.app.write('scriptcode.yaml', `services:\n  root:\n    url: ${server.url}\n    allowInsecureHttp: true\n    network: { allowPrivate: true }\n`);
    const other = await startRuntime({ 'scriptcode.yaml': `services:\n  root:\n    url: ${server.url}\n    allowInsecureHttp: true\n    network: { allowPrivate: true }\n`,
      'scripts/bodies.js': `function callService() {
        function g(p) { var r = api.rest.v1.get('root', { path: p }); return { body: r.body, enc: r.bodyEncoding || null, code: r.status.code }; }
        return [g('text'), g('empty'), g('binary'), g('xml'), g('gzip'), g('latin1'), api.rest.v1.get('root', { path: 'headers' }).headers['x-multi']];
      }` });
    try {
      const r = await other.runtime.runScript('bodies');
      expect(r.output).toEqual([
        { body: 'zażółć', enc: null, code: 200 },
        { body: null, enc: null, code: 204 },
        { body: Buffer.from([0, 1, 2, 255]).toString('base64'), enc: 'base64', code: 200 },
        { body: { customer: { '@id': '7', name: 'Ada', tags: { tag: ['a', 'b'] } } }, enc: null, code: 200 },
        { body: { zipped: true }, enc: null, code: 200 },
        { body: 'café', enc: null, code: 200 },
        'a, b',
      ]);
    } finally {
      await other.close();
    }
  });

  it('a non-2xx answer is a RestResponseError with status, raw body and headers; 3xx too', async () => {
    const r = await run(`
      var out = [];
      try { api.rest.v1.get('echo', { path: '../v2/x' }); } catch (e) { out.push(e.name); }
      return out;`);
    expect(r.output).toEqual(['RestRequestError']);
    const other = await startRuntime({ 'scriptcode.yaml': `services:\n  root:\n    url: ${server.url}\n    allowInsecureHttp: true\n    network: { allowPrivate: true }\n`,
      'scripts/err.js': `function callService() {
        var out = [];
        try { api.rest.v1.get('root', { path: 'missing' }); } catch (e) {
          out.push({ name: e.name, isError: e instanceof Error, isRest: e instanceof api.rest.v1.RestResponseError, status: e.status, body: e.body, trace: e.headers['x-trace'], serviceId: e.serviceId, code: e.code });
        }
        try { api.rest.v1.get('root', { path: 'moved' }); } catch (e) { out.push({ name: e.name, code: e.status.code, msg: e.message }); }
        try { api.rest.v1.get('root', { path: 'badjson' }); } catch (e) { out.push({ name: e.name, hasStatus: e.status !== undefined, code: e.code }); }
        try { api.rest.v1.get('root', { path: 'badxml' }); } catch (e) { out.push({ name: e.name, code: e.code }); }
        return out;
      }` });
    try {
      const res = await other.runtime.runScript('err');
      expect(res.output[0]).toEqual({ name: 'RestResponseError', isError: true, isRest: true, status: { code: 404, message: 'Not Found' }, body: '{"error":"no such customer"}', trace: 't1', serviceId: 'root', code: 'HTTP_404' });
      expect(res.output[1]).toMatchObject({ name: 'RestResponseError', code: 302 });
      expect((res.output[1] as { msg: string }).msg).toContain('followRedirects');
      expect(res.output[2]).toEqual({ name: 'RestProtocolError', hasStatus: false, code: 'INVALID_BODY' });
      expect(res.output[3]).toEqual({ name: 'RestProtocolError', code: 'INVALID_BODY' });
    } finally {
      await other.close();
    }
  });

  it('an uncaught RestResponseError fails the script with its status', async () => {
    const other = await startRuntime({ 'scriptcode.yaml': `services:\n  root:\n    url: ${server.url}\n    allowInsecureHttp: true\n    network: { allowPrivate: true }\n`,
      'scripts/err.js': "function callService() { api.rest.v1.get('root', { path: 'missing' }); }" });
    try {
      const err = await rejection(() => other.runtime.runScript('err'));
      expect(err.body.error).toMatchObject({ name: 'RestResponseError', code: 'HTTP_404', status: { code: 404, message: 'Not Found' }, serviceId: 'root', line: 1 });
    } finally {
      await other.close();
    }
  });

  it('path parameters are personal data: logs, traces and error messages show the template', async () => {
    const pesel = '44051401458';
    const r = await run(`api.rest.v1.get('echo', { path: 'customers/{pesel}/x', pathParams: { pesel: '${pesel}' } });
      var messages = [];
      try { api.rest.v1.get('echo', { path: 'gone/{pesel}', pathParams: { pesel: '${pesel}' } }); } catch (e) { messages.push(e.message); }
      try { api.rest.v1.get('echo', { path: 'hang/{pesel}', pathParams: { pesel: '${pesel}' }, timeouts: { readTimeout: 200 } }); } catch (e) { messages.push(e.code + ' ' + e.message); }
      return messages;`);
    const calls = r.trace!.calls as Record<string, unknown>[];
    expect(calls[0]).toMatchObject({ url: `${server.url}/api/v2/customers/{pesel}/x`, pathParams: { pesel: '*****' } });
    expect(r.output[0]).toContain(`${server.url}/api/v2/gone/{pesel}`);
    expect(r.output[1]).toMatch(/^READ_TIMEOUT /);
    expect(r.output[1]).toContain(`${server.url}/api/v2/hang/{pesel}`);
    expect(JSON.stringify(r)).not.toContain(pesel);
    expect(t.log.text).not.toContain(pesel);
    expect(server.requests.some((q) => q.path === `/api/v2/customers/${pesel}/x`)).toBe(true);
  });

  it('a response over maxResponseBytes is a RestPolicyError (by content-length and by the bytes that came)', async () => {
    const other = await startRuntime({ 'scriptcode.yaml': `services:\n  small: { url: '${server.url}', allowInsecureHttp: true, network: { allowPrivate: true }, maxResponseBytes: 100 }\n`,
      'scripts/big.js': "function callService() { try { api.rest.v1.get('small', { path: 'x', queryParams: { pad: 'y'.repeat(500) } }); return []; } catch (e) { return [{ name: e.name, code: e.code, status: e.status === undefined ? null : e.status }]; } }" });
    try {
      expect((await other.runtime.runScript('big')).output).toEqual([{ name: 'RestPolicyError', code: 'RESPONSE_TOO_LARGE', status: null }]);
    } finally {
      await other.close();
    }
  });

  it('await works on a call in an async script', async () => {
    const r = await run(`return (async function () { var r = await api.rest.v1.get('echo', { path: 'a' }); return [r.status.code]; })();`);
    expect(r.output).toEqual([200]);
  });

  it('each call appears in the trace and the log; query values and bodies are masked', async () => {
    const r = await run(`api.rest.v1.post('echo', { path: 'p', queryParams: { pesel: '44051401458' } }, { pesel: '44051401458' }); return [];`);
    const calls = r.trace!.calls as Record<string, unknown>[];
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ serviceId: 'echo', method: 'POST', url: `${server.url}/api/v2/p`, status: 200, attempts: 1, query: { lang: ['*****'], pesel: ['*****'] }, requestBody: '*****', responseBody: '*****' });
    expect(typeof calls[0].durationMs).toBe('number');
    expect(t.log.text).not.toContain('44051401458');
    const line = t.log.parsed().find((l) => l.msg === 'REST call' && l.invocationId === r.invocationId);
    expect(line).toMatchObject({ rest: { serviceId: 'echo', method: 'POST', url: `${server.url}/api/v2/p`, status: 200, attempt: 1 } });
  });
});
