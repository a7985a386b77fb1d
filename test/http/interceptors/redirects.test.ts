import { describe, expect, it } from 'vitest';
import { redirectsInterceptor } from '../../../src/http/interceptors/redirects.js';
import { retryInterceptor } from '../../../src/http/interceptors/retry.js';
import { harness, partner, reply } from './harness.js';

describe('redirectsInterceptor', () => {
  it('follows same-origin redirects; a 303 after a POST becomes a GET without the body', async () => {
    const p = await partner((req, _n, res) => {
      if (req.path === '/start') return reply(res, 303, '', { location: '/next' });
      reply(res, 200, `${req.method} ${req.path} [${req.body}] ${req.headers['content-type'] ?? '-'}`);
    });
    const h = harness(p.url, [redirectsInterceptor()]);
    const answer = await h.send('/start', { method: 'POST', body: Buffer.from('{"a":1}'), headers: { 'content-type': 'application/json' } });
    expect(answer.body).toBe('GET /next [] -');
  });

  it('a 307 keeps the method and the body', async () => {
    const p = await partner((req, _n, res) => (req.path === '/start' ? reply(res, 307, '', { location: '/again' }) : reply(res, 200, `${req.method} ${req.body}`)));
    const h = harness(p.url, [redirectsInterceptor()]);
    expect((await h.send('/start', { method: 'PUT', body: Buffer.from('x') })).body).toBe('PUT x');
  });

  it('refuses a redirect to another origin, a redirect loop and a redirect without Location', async () => {
    const p = await partner((req, n, res) => {
      if (req.path === '/away') return reply(res, 302, '', { location: 'http://elsewhere.invalid/x' });
      if (req.path === '/nowhere') return reply(res, 301);
      reply(res, 302, '', { location: `/loop${n}` });
    });
    const h = harness(p.url, [redirectsInterceptor()]);
    await expect(h.send('/away')).rejects.toMatchObject({ kind: 'policy', code: 'CROSS_ORIGIN_REDIRECT' });
    await expect(h.send('/nowhere')).rejects.toMatchObject({ kind: 'protocol', code: 'INVALID_REDIRECT' });
    const before = p.arrivals.length;
    await expect(h.send('/loop')).rejects.toMatchObject({ kind: 'policy', code: 'TOO_MANY_REDIRECTS', message: "service 'svc' redirected more than 5 times" });
    expect(p.arrivals.length - before).toBe(6);
  });

  it('each followed request has retries of its own, and errors after a redirect no longer print the first URL', async () => {
    const p = await partner((req, n, res) => {
      if (req.path === '/start') return reply(res, 302, '', { location: '/flaky' });
      reply(res, n <= 2 ? 503 : 200, 'fine');
    });
    const h = harness(p.url, [redirectsInterceptor(), retryInterceptor()], { retry: { attempts: 3 } });
    expect((await h.send('/start', { shownUrl: 'http://shown/{id}' })).body).toBe('fine');
    expect(h.attempts.map((a) => a.status)).toEqual([302, 503, 200]);
  });
});
