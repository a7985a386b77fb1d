// Every refusal of SPEC §4.1 is a RestRequestError that says what was wrong,
// and nothing reaches the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { startEchoServer } from '../../helpers/echo-server.js';

let server: Awaited<ReturnType<typeof startEchoServer>>;
let t: TestRuntime;

const cases: Record<string, [string, RegExp]> = {
  dotDot: ["api.rest.v1.get('echo', { path: 'customers/../admin' })", /'\.' and '\.\.' segments/],
  dotDotOnly: ["api.rest.v1.get('echo', { path: '..' })", /'\.' and '\.\.' segments/],
  encodedDotDot: ["api.rest.v1.get('echo', { path: 'a/%2e%2e/admin' })", /segment "%2e%2e" would be read as '\.\.' .*percent-decode/],
  doubleEncodedDotDot: ["api.rest.v1.get('echo', { path: 'a/%252e%252e/admin' })", /segment "%252e%252e" would be read as '\.\.' .*encoded more than once/],
  encodedSlashDotDot: ["api.rest.v1.get('echo', { path: 'a%2f..%2fadmin' })", /segment "a%2f\.\.%2fadmin" would be read as '\.\.' .*split the segment/],
  servletPathParameter: ["api.rest.v1.get('echo', { path: 'a/..;jsessionid=1/admin' })", /segment "\.\.;jsessionid=1" would be read as '\.\.' .*drop the ';…' path parameter.*queryParams/],
  absoluteUrl: ["api.rest.v1.get('echo', { path: 'https://evil.example/x' })", /absolute URL/],
  schemeRelative: ["api.rest.v1.get('echo', { path: '//evil.example/x' })", /'\/\/' is not allowed/],
  doubleSlashInside: ["api.rest.v1.get('echo', { path: 'a//b' })", /'\/\/' is not allowed/],
  backslash: ["api.rest.v1.get('echo', { path: 'a\\\\..\\\\b' })", /backslash/],
  controlChar: ["api.rest.v1.get('echo', { path: 'a\\r\\nb' })", /control characters/],
  question: ["api.rest.v1.get('echo', { path: 'a?x=1' })", /queryParams/],
  hash: ["api.rest.v1.get('echo', { path: 'a#frag' })", /'\?' and '#'/],
  missingPlaceholder: ["api.rest.v1.get('echo', { path: 'customers/{id}' })", /pathParams\.id is missing/],
  unusedPathParam: ["api.rest.v1.get('echo', { path: 'c', pathParams: { id: 1 } })", /no \{id\} placeholder/],
  dotDotPathParam: ["api.rest.v1.get('echo', { path: 'c/{id}', pathParams: { id: '..' } })", /other than '\.' or '\.\.'/],
  unknownService: ["api.rest.v1.get('nope')", /unknown service 'nope'; declared services: echo, keyed/],
  noServiceId: ['api.rest.v1.get()', /serviceId/],
  badParams: ["api.rest.v1.get('echo', { pth: 'x' })", /params/],
  badQueryValue: ["api.rest.v1.get('echo', { queryParams: { a: { b: 1 } } })", /queryParams/],
  hostHeader: ["api.rest.v1.get('echo', {}, { Host: 'evil.example' })", /managed by the runtime/],
  contentLength: ["api.rest.v1.get('echo', {}, { 'Content-Length': '5' })", /managed by the runtime/],
  transferEncoding: ["api.rest.v1.post('echo', {}, 'x', { 'Transfer-Encoding': 'chunked' })", /managed by the runtime/],
  connectionHeader: ["api.rest.v1.get('echo', {}, { Connection: 'close' })", /managed by the runtime/],
  crlfValue: ["api.rest.v1.get('echo', {}, { 'X-A': 'a\\r\\nX-Injected: 1' })", /CR, LF or NUL/],
  nulValue: ["api.rest.v1.get('echo', {}, { 'X-A': 'a\\u0000b' })", /CR, LF or NUL/],
  badHeaderName: ["api.rest.v1.get('echo', {}, { 'X A': '1' })", /not a valid HTTP header name/],
  overrideAuth: ["api.rest.v1.get('keyed', {}, { Authorization: 'Bearer mine' })", /set by the authorization configured/],
  overrideApiKeyHeader: ["api.rest.v1.get('keyed', {}, { 'x-api-key': 'mine' })", /set by the authorization configured/],
  cyclicBody: ["(function () { var a = {}; a.a = a; return api.rest.v1.post('echo', {}, a); })()", /body cannot be serialized/],
  bigintBody: ["api.rest.v1.post('echo', {}, { n: 1n })", /body cannot be serialized/],
  objectBodyWrongType: ["api.rest.v1.post('echo', {}, { a: 1 }, { 'Content-Type': 'application/pdf' })", /send a string for that type/],
  badMethod: ["api.rest.v1.request({ method: 'TRACE', serviceId: 'echo' })", /method/],
  requestNotObject: ["api.rest.v1.request('echo')", /options must be an object/],
};

beforeAll(async () => {
  server = await startEchoServer();
  const body = Object.entries(cases)
    .map(([name, [call]]) => `  try { ${call}; out[${JSON.stringify(name)}] = 'SENT'; } catch (e) { out[${JSON.stringify(name)}] = { name: e.name, message: e.message, status: e.status === undefined ? null : e.status }; }`)
    .join('\n');
  t = await startRuntime({
    'scriptcode.yaml': `services:
  echo: { url: '${server.url}/api', allowInsecureHttp: true, network: { allowPrivate: true } }
  keyed:
    url: ${server.url}/keyed
    allowInsecureHttp: true
    network: { allowPrivate: true }
    auth: { type: apiKey, in: header, name: X-Api-Key, value: k-123 }
`,
    'scripts/refusals.js': `function callService() {\n  var out = {};\n${body}\n  return [out];\n}`,
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
});

describe('api.rest.v1 refusals', () => {
  it('each refusal is a RestRequestError with a message that says what was wrong; nothing is sent', async () => {
    const r = await t.runtime.runScript('refusals');
    const out = r.output[0] as Record<string, { name: string; message: string; status: unknown } | string>;
    for (const [name, [, message]] of Object.entries(cases)) {
      const got = out[name];
      expect(got, name).not.toBe('SENT');
      expect(got, name).toMatchObject({ name: 'RestRequestError', status: null });
      expect((got as { message: string }).message, name).toMatch(message);
    }
    expect(server.requests).toHaveLength(0);
  });
});
