// Issue 7 §3: the network-policy bypass corpus, path traversal and header /
// query injection. Every blocked form is refused before a packet is sent: the
// loopback server that would answer sees no connection at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startEchoServer, type Received } from '../helpers/echo-server.js';

let server: Awaited<ReturnType<typeof startEchoServer>>;
let t: TestRuntime;

// Service URLs an administrator might write (or be tricked into writing) that
// all lead to loopback or link-local space. None sets network.allowPrivate.
const bypassUrls = (port: number): Record<string, string> => ({
  dotted: `http://127.0.0.1:${port}`,
  decimal: `http://2130706433:${port}`,
  hex: `http://0x7f000001:${port}`,
  hexDotted: `http://0x7f.0x0.0x0.0x1:${port}`,
  octal: `http://0177.0.0.1:${port}`,
  shortForm: `http://127.1:${port}`,
  otherLoopback: `http://127.53.1.2:${port}`,
  localhostName: `http://localhost:${port}`,
  localhostTrailingDot: `http://localhost.:${port}`,
  ipv6Loopback: `http://[::1]:${port}`,
  ipv6Mapped: `http://[::ffff:127.0.0.1]:${port}`,
  ipv6MappedHex: `http://[::ffff:7f00:1]:${port}`,
  ipv6MappedLong: `http://[0:0:0:0:0:ffff:7f00:1]:${port}`,
  ipv6Nat64: `http://[64:ff9b::7f00:1]:${port}`,
  unspecified: `http://0.0.0.0:${port}`,
  metadata: 'http://169.254.169.254/latest/meta-data/',
  metadataDecimal: 'http://2852039166/latest/meta-data/',
  metadataMapped: 'http://[::ffff:a9fe:a9fe]/latest/',
  privateTen: 'http://10.0.0.1/',
  privateOneSevenTwo: 'http://172.16.0.1/',
  privateOneNineTwo: 'http://192.168.1.1/',
  cgnat: 'http://100.64.0.1/',
  multicast: 'http://224.0.0.1/',
  broadcast: 'http://255.255.255.255/',
  uniqueLocalV6: 'http://[fd00::1]/',
  linkLocalV6: 'http://[fe80::1]/',
});

beforeAll(async () => {
  server = await startEchoServer({
    '/base/redirect-to-metadata': (_q, res) => { res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }); res.end(); },
    '/base/redirect-to-loopback-name': (_q, res) => { res.writeHead(302, { location: `http://localhost:${server.port}/x` }); res.end(); },
  });
  const services = Object.entries(bypassUrls(server.port))
    .map(([id, url]) => `  ${id}: { url: '${url}', allowInsecureHttp: true, timeouts: { connectTimeout: 300 } }`)
    .join('\n');
  t = await startRuntime({
    'scriptcode.yaml': `services:\n${services}
  local: { url: '${server.url}/base', allowInsecureHttp: true, network: { allowPrivate: true }, followRedirects: true, maxResponseBytes: 20000000 }
`,
    'scripts/probe.js': `function callService(context) {
      var id = context.getFirstParameter('service');
      try { api.rest.v1.get(id); return [{ reached: true }]; }
      catch (e) { return [{ name: e.name, code: e.code }]; }
    }`,
    'scripts/inject.js': `function callService(context) {
      var p = JSON.parse(context.getFirstParameter('params'));
      var h = JSON.parse(context.getFirstParameter('headers') || 'null');
      try { return [{ got: api.rest.v1.get('local', p, h || undefined).body }]; }
      catch (e) { return [{ name: e.name, code: e.code, message: e.message }]; }
    }`,
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
});

describe('network-policy bypass corpus', () => {
  it.each(Object.keys(bypassUrls(1)))('%s is refused before any connection', async (id) => {
    const before = server.connections;
    const started = Date.now();
    const r = await t.runtime.runScript('probe', { input: { service: id } });
    // 'localhost.' does not resolve here at all: refused all the same, by DNS
    const expected = id === 'localhostTrailingDot' ? ['BLOCKED_ADDRESS', 'DNS_FAILURE'] : ['BLOCKED_ADDRESS'];
    expect(expected).toContain((r.output[0] as { code: string }).code);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.connections).toBe(before);
  });

  it('redirects into private space are refused (cross-origin), and the target is never contacted', async () => {
    const before = server.requests.length;
    for (const path of ['redirect-to-metadata', 'redirect-to-loopback-name']) {
      const r = await t.runtime.runScript('inject', { input: { params: JSON.stringify({ path }) } });
      expect(r.output[0]).toMatchObject({ name: 'RestPolicyError', code: 'CROSS_ORIGIN_REDIRECT' });
    }
    expect(server.requests.length).toBe(before + 2); // only the two redirecting requests
  });
});

const run = async (params: unknown, headers?: unknown) =>
  (await t.runtime.runScript('inject', { input: { params: JSON.stringify(params), ...(headers ? { headers: JSON.stringify(headers) } : {}) } })).output[0] as { got?: Received; name?: string; code?: string; message?: string };

describe('path traversal', () => {
  const refused = [
    { path: '../secret' }, { path: 'a/../../secret' }, { path: '%2e%2e/secret' }, { path: '%2E%2E%2Fsecret' },
    { path: '%252e%252e/secret' }, { path: '%25252e%25252e/secret' }, { path: '..%2fsecret' }, { path: '..\\secret' },
    { path: '.%2e/secret' }, { path: '%2e/secret' }, { path: 'http://evil.example/x' }, { path: '//evil.example/x' },
    { path: 'javascript:alert(1)' }, { path: 'a\u0000b' }, { path: 'a\tb' },
    { path: 'x/{id}', pathParams: { id: '..' } }, { path: 'x/{id}', pathParams: { id: '.' } },
    { path: 'x/..;/admin' }, { path: 'x/{id}', pathParams: { id: '..;' } }, { path: 'x/{id}', pathParams: { id: '../../admin' } },
  ];
  it.each(refused.map((p) => [JSON.stringify(p), p]))('%s is refused', async (_label, params) => {
    const before = server.requests.length;
    expect(await run(params)).toMatchObject({ name: 'RestRequestError' });
    expect(server.requests.length).toBe(before);
  });

  it('path parameters cannot add segments, whatever they contain', async () => {
    const r = await run({ path: 'x/{id}', pathParams: { id: 'a/b/admin?x=1#f' } });
    expect(r.got!.rawUrl.startsWith('/base/x/a%2Fb%2Fadmin%3Fx%3D1%23f')).toBe(true);
    expect(r.got!.path.startsWith('/base/x/')).toBe(true);
  });

  it('an @ in the path stays in the path', async () => {
    const r = await run({ path: '@evil.example/x' });
    expect(r.got!.path).toBe('/base/@evil.example/x');
  });
});

describe('header and query injection', () => {
  it('CRLF in a header value or name is refused', async () => {
    expect(await run({}, { 'X-A': 'v\r\nX-Injected: 1' })).toMatchObject({ name: 'RestRequestError', code: 'INVALID_HEADER' });
    expect(await run({}, { 'X-A\r\nX-B': 'v' })).toMatchObject({ name: 'RestRequestError', code: 'INVALID_HEADER' });
    expect(await run({}, { 'X-A': 'v\nX-B: 1' })).toMatchObject({ name: 'RestRequestError', code: 'INVALID_HEADER' });
  });

  it('CRLF and separators in query values are encoded, never injected', async () => {
    const r = await run({ queryParams: { q: 'a\r\nX-Injected: 1', 'n&x': 'b=c&d', h: '#frag' } });
    expect(r.got!.query).toEqual({ q: ['a\r\nX-Injected: 1'], 'n&x': ['b=c&d'], h: ['#frag'] });
    expect(r.got!.headers['x-injected']).toBeUndefined();
    expect(r.got!.rawUrl).not.toMatch(/[\r\n]/);
  });
});

describe('oversized inputs', () => {
  it('a 5 MB input and a 5 MB body are handled (sent whole), not truncated or crashed', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    await t.app.write('scripts/big.js', `function callService(context) { var v = context.getFirstParameter('big'); var r = api.rest.v1.post('local', { path: 'big' }, v); return [{ sent: v.length, received: r.body.body.length }]; }`);
    const r = await t.runtime.runScript('big', { input: { big } });
    expect(r.output).toEqual([{ sent: big.length, received: big.length }]);
  });

  it('a huge path is refused by the server or sent intact, never truncated into another path', async () => {
    const r = await run({ path: `a/${'b'.repeat(100_000)}` });
    if (r.got) expect(r.got.path.length).toBeGreaterThan(100_000);
    else expect(r.name).toMatch(/Rest/);
  });
});
