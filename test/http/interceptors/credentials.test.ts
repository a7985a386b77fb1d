import { describe, expect, it } from 'vitest';
import { CredentialAuthorizer } from '../../../src/http/auth/authorizer.js';
import { OAuth2Tokens } from '../../../src/http/auth/oauth2.js';
import { OAuth2Error } from '../../../src/http/auth/oauth2-errors.js';
import { credentialRefreshInterceptor } from '../../../src/http/interceptors/credential-refresh.js';
import { credentialsInterceptor } from '../../../src/http/interceptors/credentials.js';
import { retryInterceptor } from '../../../src/http/interceptors/retry.js';
import { deadlineInterceptor } from '../../../src/http/interceptors/deadline.js';
import type { AuthConfig } from '../../../src/services/types.js';
import { track } from '../support.js';
import { harness, partner, reply } from './harness.js';

const authorizer = () => new CredentialAuthorizer(track(new OAuth2Tokens()));

/** A token endpoint handing out token-1, token-2, … (or refusing, with `status`). */
async function tokenEndpoint(status = 200) {
  return partner((_req, n, res) => {
    if (status !== 200) return reply(res, status, '{"error":"invalid_client"}', { 'content-type': 'application/json' });
    reply(res, 200, JSON.stringify({ access_token: `token-${n}`, token_type: 'Bearer', expires_in: 3600 }), { 'content-type': 'application/json' });
  });
}

const oauth2 = (tokenUrl: string): AuthConfig => ({ type: 'oauth2', tokenUrl, clientId: 'runtime', clientSecret: 'client-secret-value', clientAuth: 'basic' });

describe('credentialsInterceptor', () => {
  it.each<[string, AuthConfig, string, string | undefined]>([
    ['basic', { type: 'basic', username: 'ada', password: 'pw-9f2c81' }, 'authorization', `Basic ${Buffer.from('ada:pw-9f2c81').toString('base64')}`],
    ['bearer', { type: 'bearer', token: 'tok-7d1e' }, 'authorization', 'Bearer tok-7d1e'],
    ['an API key in a header', { type: 'apiKey', in: 'header', name: 'x-api-key', value: 'key-55aa' }, 'x-api-key', 'key-55aa'],
  ])('%s: on the request that is sent, never on the request it was given', async (_name, auth, header, value) => {
    const p = await partner((_req, _n, res) => reply(res, 200));
    const h = harness(p.url, [deadlineInterceptor(), credentialsInterceptor(authorizer())], { auth });
    const request = h.request('/x', { headers: { accept: 'text/plain' } });
    await h.dispatch(request, h.context());
    expect(p.arrivals[0]!.headers[header]).toBe(value);
    expect(request.headers).toEqual({ accept: 'text/plain' });
  });

  it('an API key in the query goes on a copy of the URL', async () => {
    const p = await partner((_req, _n, res) => reply(res, 200));
    const h = harness(p.url, [deadlineInterceptor(), credentialsInterceptor(authorizer())], { auth: { type: 'apiKey', in: 'query', name: 'key', value: 'q-31c' } });
    const request = h.request('/x?a=1');
    await h.dispatch(request, h.context());
    expect(p.arrivals[0]!.path).toBe('/x?a=1&key=q-31c');
    expect(request.url.search).toBe('?a=1');
  });

  it('OAuth2: fetches a token, sends it and keeps it as the call\'s credential; a refused token request is an OAuth2Error, the service not contacted', async () => {
    const tokens = await tokenEndpoint();
    const p = await partner((_req, _n, res) => reply(res, 200));
    const h = harness(p.url, [deadlineInterceptor(), credentialsInterceptor(authorizer())], { auth: oauth2(tokens.url) });
    const call = h.context();
    await h.dispatch(h.request('/x'), call);
    expect(p.arrivals[0]!.headers.authorization).toBe('Bearer token-1');
    expect(call.credential).toBe('token-1');

    const refusing = await tokenEndpoint(401);
    const r = harness(p.url, [deadlineInterceptor(), credentialsInterceptor(authorizer())], { auth: oauth2(refusing.url) });
    await expect(r.send('/y')).rejects.toBeInstanceOf(OAuth2Error);
    expect(p.arrivals).toHaveLength(1);
  });
});

describe('credentialRefreshInterceptor', () => {
  it('after a 401 to a token, sends once more with a fresh token; the 401 is traced as an attempt, not a retry', async () => {
    const tokens = await tokenEndpoint();
    const p = await partner((req, _n, res) => reply(res, req.headers.authorization === 'Bearer token-1' ? 401 : 200, String(req.headers.authorization)));
    const auth = authorizer();
    const h = harness(p.url, [retryInterceptor(), credentialRefreshInterceptor(auth), deadlineInterceptor(), credentialsInterceptor(auth)], { auth: oauth2(tokens.url) });
    const answer = await h.send('/x');
    expect(answer).toMatchObject({ status: 200, body: 'Bearer token-2' });
    expect(h.attempts.map((a) => a.status)).toEqual([401, 200]);
  });

  it('a second 401 is the answer: one refresh per call', async () => {
    const tokens = await tokenEndpoint();
    const p = await partner((_req, _n, res) => reply(res, 401));
    const auth = authorizer();
    const h = harness(p.url, [retryInterceptor(), credentialRefreshInterceptor(auth), deadlineInterceptor(), credentialsInterceptor(auth)], { auth: oauth2(tokens.url) });
    expect((await h.send('/x')).status).toBe(401);
    expect(p.arrivals).toHaveLength(2);
    expect(tokens.arrivals).toHaveLength(2);
  });

  it('a static credential is not refreshed: its 401 is the answer', async () => {
    const p = await partner((_req, _n, res) => reply(res, 401));
    const auth = authorizer();
    const h = harness(p.url, [credentialRefreshInterceptor(auth), deadlineInterceptor(), credentialsInterceptor(auth)], { auth: { type: 'bearer', token: 'static-tok' } });
    expect((await h.send('/x')).status).toBe(401);
    expect(p.arrivals).toHaveLength(1);
  });
});
