// The composition: interceptors wrap one another in the order given, a
// service's pipeline holds only what its settings ask for, and the terminal
// dispatch decodes content and caps timeouts by the attempt's budget.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CredentialAuthorizer } from '../../src/http/auth/authorizer.js';
import { OAuth2Tokens } from '../../src/http/auth/oauth2.js';
import type { Dispatch, Interceptor } from '../../src/http/pipeline.js';
import { buildPipeline } from '../../src/http/service-pipeline.js';
import { ServiceGuards } from '../../src/http/service-guards.js';
import { NetworkTransport } from '../../src/http/transport.js';
import { harness, partner, reply } from './interceptors/harness.js';
import { serviceConfig, track } from './support.js';

describe('compose', () => {
  it('puts the first interceptor outermost', async () => {
    const order: string[] = [];
    const named = (name: string): Interceptor => (next) => async (request, call) => {
      order.push(`${name} in`);
      const response = await next(request, call);
      order.push(`${name} out`);
      return response;
    };
    const p = await partner((_req, _n, res) => reply(res, 200));
    const h = harness(p.url, [named('a'), undefined, named('b')]);
    await h.send('/x');
    expect(order).toEqual(['a in', 'b in', 'b out', 'a out']);
  });
});

describe('transportDispatch', () => {
  it('decodes the content the service encoded', async () => {
    const p = await partner((_req, _n, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      res.end(gzipSync('unzipped'));
    });
    expect((await harness(p.url, []).send('/x')).body).toBe('unzipped');
  });

  it('caps the read timeout by what is left of the attempt\'s budget', async () => {
    const p = await partner(() => new Promise(() => {}));
    const h = harness(p.url, []);
    const call = h.context();
    call.remaining = 150;
    await expect(h.dispatch(h.request('/slow', { readTimeout: 60_000 }), call)).rejects.toMatchObject({ code: 'READ_TIMEOUT' });
  });
});

describe('buildPipeline', () => {
  it('a service with every guard: slot, redirect, retry, breaker and rate limit all act on one call', async () => {
    const p = await partner((req, n, res) => {
      if (req.path === '/start') return reply(res, 302, '', { location: '/flaky' });
      reply(res, n === 2 ? 503 : 200, `done ${n}`);
    });
    const service = serviceConfig({
      url: p.url, followRedirects: true, retry: { attempts: 2 }, maxConcurrent: 1,
      circuitBreaker: { failureThreshold: 5, resetAfterMs: 1_000 }, rateLimit: { requests: 10, perSeconds: 1 },
    });
    const guards = new ServiceGuards(service, undefined);
    const dispatch: Dispatch = buildPipeline(service, guards, new CredentialAuthorizer(track(new OAuth2Tokens())), track(new NetworkTransport()));
    const attempts: unknown[] = [];
    const response = await dispatch(
      { method: 'GET', url: new URL('/start', p.url), headers: {}, connectTimeout: 1_000, readTimeout: 1_000 },
      { service, budgetEnd: Date.now() + 10_000, signal: new AbortController().signal, trace: { attempt: (a) => attempts.push(a.status) }, remaining: 0, attemptStarted: 0 },
    );
    expect(response.body.toString()).toBe('done 3');
    expect(attempts).toEqual([302, 503, 200]);
    expect(guards.breaker!.current()).toBe('closed');
  });

  it('leaves out what a service does not ask for: the 302 is the answer, a 503 is not retried, calls are not held back', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const p = await partner(async (req, _n, res) => {
      if (req.path === '/held') await gate;
      reply(res, req.path === '/moved' ? 302 : 503, '', req.path === '/moved' ? { location: '/elsewhere' } : {});
    });
    const service = serviceConfig({ url: p.url });
    const dispatch = buildPipeline(service, new ServiceGuards(service, undefined), new CredentialAuthorizer(track(new OAuth2Tokens())), track(new NetworkTransport()));
    const call = () => ({ service, budgetEnd: Date.now() + 10_000, signal: new AbortController().signal, trace: { attempt: () => {} }, remaining: 0, attemptStarted: 0 });
    const request = (path: string) => ({ method: 'GET', url: new URL(path, p.url), headers: {}, connectTimeout: 1_000, readTimeout: 5_000 });
    expect((await dispatch(request('/moved'), call())).status).toBe(302);
    expect((await dispatch(request('/down'), call())).status).toBe(503);
    const held = dispatch(request('/held'), call());
    await expect.poll(() => p.arrivals.some((a) => a.path === '/held')).toBe(true);
    expect((await dispatch(request('/down'), call())).status).toBe(503);
    open();
    await held;
    expect(p.arrivals.map((a) => a.path)).toEqual(['/moved', '/down', '/held', '/down']);
  });
});
