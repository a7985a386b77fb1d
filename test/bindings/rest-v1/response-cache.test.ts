// A service's response cache (http/response-cache.ts) against a real partner
// that counts its requests: what is kept, for how long, under which key, what
// HTTP forbids keeping, and that a cached answer is still a REST call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { startEchoServer } from '../../helpers/echo-server.js';
import { rejection } from '../../helpers/expect.js';

const TOKEN = 'tok-Cache-never-shown';
let server: Awaited<ReturnType<typeof startEchoServer>>;
let t: TestRuntime;
const count: Record<string, number> = {};

beforeAll(async () => {
  const answer = (cacheControl?: string, body: (q: URLSearchParams, auth?: string) => unknown = (q) => ({ q: q.get('q') ?? null })) =>
    (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      count[url.pathname] = (count[url.pathname] ?? 0) + 1;
      res.setHeader('content-type', 'application/json');
      if (cacheControl) res.setHeader('cache-control', cacheControl);
      res.end(JSON.stringify({ n: count[url.pathname], ...(body(url.searchParams, req.headers.authorization) as object) }));
    };
  server = await startEchoServer({
    '/plain': answer(),
    '/nostore': answer('no-store'),
    '/private': answer('private, max-age=300'),
    '/short': answer('max-age=1'),
    '/echo-token': answer(undefined, (_q, auth) => ({ auth })),
    '/no-token': answer(undefined, () => ({ auth: 'not echoed' })),
    '/moved': (req, res) => {
      count['/moved'] = (count['/moved'] ?? 0) + 1;
      res.writeHead(302, { location: `/target${new URL(req.url ?? '/', 'http://x').search}` }).end();
    },
    '/target': answer(),
  });
  process.env.SC_CACHE_TOKEN = TOKEN;
  t = await startRuntime({
    'scriptcode.yaml': `serviceDefaults: { allowInsecureHttp: true, network: { allowPrivate: true } }
services:
  partner: { url: ${server.url}, cache: { ttlSeconds: 300 } }
  expiring: { url: ${server.url}, cache: { ttlSeconds: 1 } }
  uncached: { url: ${server.url} }
  redirected: { url: ${server.url}, cache: { ttlSeconds: 300 }, followRedirects: true }
  secured: { url: ${server.url}, cache: { ttlSeconds: 300 }, auth: { type: bearer, token: '\${env:SC_CACHE_TOKEN}' } }
`,
    'scripts/get.js': `function callService(context) {
      var r = api.rest.v1.get(context.getFirstParameter('service') || 'partner', { path: context.getFirstParameter('path'), queryParams: { q: context.getFirstParameter('q') } },
        context.getFirstParameter('lang') ? { 'Accept-Language': context.getFirstParameter('lang') } : null);
      return [r.body];
    }`,
    'scripts/twice.js': `function callService(context) {
      var out = [];
      for (var i = 0; i < 3; i++) {
        try { out.push(api.rest.v1.get('partner', { path: 'plain', queryParams: { q: 'budget' } }).body.n); }
        catch (e) { out.push(e.code); }
      }
      return out;
    }`,
    'scripts/twice.yaml': 'limits: { restCalls: 2 }\n',
    'scripts/post.js': "function callService() { return [api.rest.v1.post('partner', { path: 'plain' }, { a: 1 }).body, api.rest.v1.post('partner', { path: 'plain' }, { a: 1 }).body]; }",
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
  delete process.env.SC_CACHE_TOKEN;
});

const get = async (input: Record<string, string>, trace = false) => {
  const answer = await t.runtime.runScript('get', { input, trace });
  return { body: answer.output[0] as Record<string, unknown>, call: answer.trace?.calls[0] as Record<string, unknown> | undefined };
};

describe('response cache', () => {
  it('a second GET of the same URL is answered from the cache: the partner saw one request; the trace says cached', async () => {
    const first = await get({ path: 'plain', q: 'a' }, true);
    const second = await get({ path: 'plain', q: 'a' }, true);
    expect(first.body).toEqual({ n: 1, q: 'a' });
    expect(second.body).toEqual({ n: 1, q: 'a' });
    expect(first.call).not.toHaveProperty('cached');
    expect(second.call).toMatchObject({ cached: true, attempts: 0, status: 200 });
    expect(count['/plain']).toBe(1);
  });

  it('with followRedirects, the answer at the end is kept under the URL asked for: the next call follows nothing', async () => {
    const first = await get({ service: 'redirected', path: 'moved', q: 'r' });
    const second = await get({ service: 'redirected', path: 'moved', q: 'r' }, true);
    expect(first.body).toEqual({ n: 1, q: 'r' });
    expect(second.body).toEqual({ n: 1, q: 'r' });
    expect(second.call).toMatchObject({ cached: true });
    expect([count['/moved'], count['/target']]).toEqual([1, 1]);
  });

  it('the key is the URL and the request headers: another query or Accept-Language is another entry', async () => {
    const before = count['/plain']!;
    expect((await get({ path: 'plain', q: 'b' })).body.q).toBe('b');
    expect((await get({ path: 'plain', q: 'a', lang: 'pl' })).body.n).toBe(before + 2);
    expect((await get({ path: 'plain', q: 'a', lang: 'pl' })).body.n).toBe(before + 2);
    expect(count['/plain']).toBe(before + 2);
  });

  it('no-store and private answers are never kept; max-age shortens ttlSeconds; ttlSeconds ends an entry', async () => {
    for (const path of ['nostore', 'private']) {
      await get({ path });
      await get({ path });
      expect(count[`/${path}`], path).toBe(2);
    }
    await get({ path: 'short' });
    await get({ path: 'short' });
    expect(count['/short']).toBe(1);
    await get({ service: 'expiring', path: 'plain', q: 'exp' });
    await get({ service: 'expiring', path: 'plain', q: 'exp' });
    const kept = count['/plain']!;
    await new Promise((r) => setTimeout(r, 1_200));
    await get({ path: 'short' });
    expect(count['/short']).toBe(2); // max-age=1 although the service keeps answers 300 s
    await get({ service: 'expiring', path: 'plain', q: 'exp' });
    expect(count['/plain']).toBe(kept + 1); // ttlSeconds: 1
  });

  it('an answer echoing the credential is not kept; one that does not is, and the token is never in it', async () => {
    const echoed = await get({ service: 'secured', path: 'echo-token' });
    expect(echoed.body.auth).toBe('Bearer *****');
    await get({ service: 'secured', path: 'echo-token' });
    expect(count['/echo-token']).toBe(2);
    await get({ service: 'secured', path: 'no-token' });
    const again = await get({ service: 'secured', path: 'no-token' }, true);
    expect(count['/no-token']).toBe(1);
    expect(JSON.stringify(again)).not.toContain(TOKEN);
  });

  it('a service without cache, and POST, are never cached', async () => {
    const before = count['/plain']!;
    await get({ service: 'uncached', path: 'plain', q: 'u' });
    await get({ service: 'uncached', path: 'plain', q: 'u' });
    const posted = (await t.runtime.runScript('post')).output as { n: number }[];
    expect(posted[1]!.n).toBe(posted[0]!.n + 1);
    expect(count['/plain']).toBe(before + 4);
  });

  it('a cached answer counts against the REST-call budget like any call', async () => {
    const before = count['/plain']!;
    // three GETs, the second and third from the cache, with a budget of two: the third ends the invocation
    const failure = await rejection(() => t.runtime.runScript('twice'));
    expect(failure.body.error).toMatchObject({ code: 'REST_CALL_LIMIT' });
    expect(count['/plain']).toBe(before + 1);
  });
});
