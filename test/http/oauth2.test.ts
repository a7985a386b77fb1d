// OAuth 2.0 client credentials (SPEC §4.4 `auth: oauth2`) against a real
// token endpoint on loopback: it checks the credentials and the grant the way
// an authorization server does, counts requests, and can hold its answers
// (to test single flight, timeouts and aborts) or answer badly.
//
// Distinctive secret and token values are searched for in every error,
// state and observer event a test produces.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuth2Error, OAuth2Tokens, type OAuth2TokensOptions } from '../../src/http/auth/oauth2.js';
import { HttpCallError } from '../../src/http/errors.js';
import type { TokenEvent } from '../../src/runtime/observer.js';
import type { AuthConfig, ServiceConfig } from '../../src/services/types.js';
import { createTestCertificates, type TestCertificates } from '../helpers/certs.js';
import { closedPort, startHttpServer, startHttpsServer, type TestServer } from '../helpers/servers.js';
import { serviceConfig, track, trackServer } from './support.js';
import { rejection, pause } from '../helpers/expect.js';

const CLIENT_ID = 'forms runtime:7';
const CLIENT_SECRET = 'sEcReT-q7Z3x9-client';
const TOKEN_MARK = 'TOKEN-vLq4w';

interface SeenRequest {
  method: string;
  path: string;
  contentType?: string;
  /** the Basic credentials, decoded per RFC 6749 §2.3.1 */
  basic?: { id: string; secret: string };
  form: URLSearchParams;
}

interface Answer {
  status?: number;
  headers?: Record<string, string>;
  /** an object is sent as JSON */
  body?: unknown;
}

type Responder = (request: SeenRequest, n: number) => Answer | Promise<Answer>;

interface TokenServer {
  server: TestServer;
  url: string;
  requests: SeenRequest[];
  /** the tokens handed out, in order */
  issued: string[];
  /** a promise every answer waits for; `release()` resolves it */
  hold(): void;
  release(): void;
  /** resolves when the n-th request has arrived */
  arrived(n: number): Promise<void>;
  respond: Responder;
  /** server-side sockets, to see them closed */
  sockets: Socket[];
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/** A successful answer with a fresh distinctive token. */
function grant(extra: Record<string, unknown> = { expires_in: 3600 }): Responder {
  return (_req, n) => ({ body: { access_token: `${TOKEN_MARK}-${n}`, token_type: 'Bearer', ...extra } });
}

async function startTokenServer(options: { respond?: Responder; tls?: Parameters<typeof startHttpsServer>[1] } = {}): Promise<TokenServer> {
  const requests: SeenRequest[] = [];
  const issued: string[] = [];
  const sockets: Socket[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const waiters: Array<{ n: number; resolve: () => void }> = [];

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
    };
    const authz = req.headers.authorization;
    if (authz?.startsWith('Basic ')) {
      const decoded = Buffer.from(authz.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      seen.basic = { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
    }
    requests.push(seen);
    const n = requests.length;
    for (const w of waiters.filter((x) => x.n <= n)) w.resolve();
    if (gate) await gate;
    if (res.destroyed) return;

    let answer: Answer;
    // What an authorization server checks before anything else.
    const id = seen.basic?.id ?? seen.form.get('client_id');
    const secret = seen.basic?.secret ?? seen.form.get('client_secret');
    if (seen.method !== 'POST' || !seen.contentType?.startsWith('application/x-www-form-urlencoded')) {
      answer = { status: 400, body: { error: 'invalid_request' } };
    } else if (id !== CLIENT_ID || secret !== CLIENT_SECRET || (seen.basic && seen.form.has('client_secret'))) {
      answer = { status: 401, body: { error: 'invalid_client' } };
    } else if (seen.form.get('grant_type') !== 'client_credentials') {
      answer = { status: 400, body: { error: 'unsupported_grant_type' } };
    } else {
      answer = await server.respond(seen, n);
    }
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    const access = (answer.body as { access_token?: unknown } | undefined)?.access_token;
    if ((answer.status ?? 200) === 200 && typeof access === 'string') issued.push(access);
    res.writeHead(answer.status ?? 200, {
      'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
      'cache-control': 'no-store',
      ...answer.headers,
    });
    res.end(body);
  };

  const test = options.tls ? await startHttpsServer(handler, options.tls) : await startHttpServer(handler);
  trackServer(test);
  test.server.on(options.tls ? 'secureConnection' : 'connection', (s: Socket) => sockets.push(s));
  const server: TokenServer = {
    server: test,
    url: `${test.url}/oauth2/token`,
    requests,
    issued,
    sockets,
    hold() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open?.();
    },
    arrived(n) {
      if (requests.length >= n) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ n, resolve }));
    },
    respond: options.respond ?? grant(),
  };
  return server;
}

function oauth2(tokenUrl: string, extra: Partial<Extract<AuthConfig, { type: 'oauth2' }>> = {}): AuthConfig {
  return { type: 'oauth2', tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clientAuth: 'basic', ...extra };
}

function service(tokenUrl: string, overrides: Parameters<typeof serviceConfig>[0] = {}, auth: Partial<Extract<AuthConfig, { type: 'oauth2' }>> = {}): ServiceConfig {
  return serviceConfig({ id: 'crm', url: 'https://crm.example.invalid/api', auth: oauth2(tokenUrl, auth), ...overrides });
}

interface Harness {
  tokens: OAuth2Tokens;
  events: TokenEvent[];
}

function tokensWith(options: OAuth2TokensOptions = {}): Harness {
  const events: TokenEvent[] = [];
  const tokens = track(new OAuth2Tokens({ observer: { tokenRequested: (e) => events.push(e) }, ...options }));
  return { tokens, events };
}

const call = (timeoutMs = 5_000, signal: AbortSignal = new AbortController().signal) => ({ signal, timeoutMs });

/** Everything an error exposes: message, own properties, causes, inspect output. */
function exposed(value: unknown): string {
  return `${String(value)}\n${inspect(value, { depth: 8, showHidden: true })}\n${JSON.stringify(value) ?? ''}`;
}

function expectNoSecrets(text: string, server?: TokenServer) {
  expect(text).not.toContain(CLIENT_SECRET);
  expect(text).not.toContain(TOKEN_MARK);
  for (const t of server?.issued ?? []) expect(text).not.toContain(t);
}


let certs: TestCertificates;
beforeAll(async () => {
  certs = await createTestCertificates();
});
afterAll(async () => certs?.cleanup());

describe('OAuth2Tokens: the token request', () => {
  it('client_secret_basic: sends the credentials form-encoded in Basic, grant_type, scope and audience', async () => {
    const server = await startTokenServer();
    const { tokens, events } = tokensWith();
    const svc = service(server.url, {}, { scope: 'customers.read orders.write', audience: 'https://api.example.com' });
    const token = await tokens.token(svc, call());
    expect(token).toBe(`${TOKEN_MARK}-1`);
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/oauth2/token');
    expect(req.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req.basic).toEqual({ id: CLIENT_ID, secret: CLIENT_SECRET });
    expect(req.form.get('grant_type')).toBe('client_credentials');
    expect(req.form.get('scope')).toBe('customers.read orders.write');
    expect(req.form.get('audience')).toBe('https://api.example.com');
    expect(req.form.has('client_secret')).toBe(false);
    expect(events).toEqual([{ serviceId: 'crm', outcome: 'fetched' }]);
  });

  it('client_secret_post: sends client_id and client_secret as form fields, no Authorization header', async () => {
    const server = await startTokenServer();
    const { tokens } = tokensWith();
    const token = await tokens.token(service(server.url, {}, { clientAuth: 'post' }), call());
    expect(token).toBe(`${TOKEN_MARK}-1`);
    const [req] = server.requests;
    expect(req.basic).toBeUndefined();
    expect(req.form.get('client_id')).toBe(CLIENT_ID);
    expect(req.form.get('client_secret')).toBe(CLIENT_SECRET);
    expect(req.form.get('grant_type')).toBe('client_credentials');
  });

  it('sends no scope or audience when they are not configured', async () => {
    const server = await startTokenServer();
    const { tokens } = tokensWith();
    await tokens.token(service(server.url), call());
    expect(server.requests[0].form.has('scope')).toBe(false);
    expect(server.requests[0].form.has('audience')).toBe(false);
  });

  it('works over HTTPS with the service tls.ca, and with a client certificate (mutual TLS)', async () => {
    const server = await startTokenServer({
      tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requestClientCert: true },
    });
    expect(server.url).toMatch(/^https:/);
    const { tokens } = tokensWith();
    const svc = service(server.url, {
      allowInsecureHttp: false,
      tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey },
    });
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-1`);
    expect(server.requests).toHaveLength(1);
  });

  it('verifies the token endpoint certificate: without the CA the request fails with TLS_FAILURE', async () => {
    const server = await startTokenServer({ tls: { cert: certs.serverCert, key: certs.serverKey } });
    const { tokens, events } = tokensWith();
    const err = await rejection(tokens.token(service(server.url, { allowInsecureHttp: false }), call()));
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ code: 'TLS_FAILURE', serviceId: 'crm' });
    expect(server.requests).toHaveLength(0);
    expect(events).toEqual([{ serviceId: 'crm', outcome: 'failed' }]);
  });

  it('applies the network policy: a loopback token URL without allowPrivate is BLOCKED_ADDRESS, no connection made', async () => {
    const server = await startTokenServer();
    const { tokens, events } = tokensWith();
    const svc = service(server.url, { network: { allowPrivate: false } });
    const err = await rejection(tokens.token(svc, call()));
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ code: 'BLOCKED_ADDRESS', kind: 'policy', serviceId: 'crm' });
    await pause();
    expect(server.server.connections).toBe(0);
    expect(events).toEqual([{ serviceId: 'crm', outcome: 'failed' }]);
    expect(tokens.state(svc)).toEqual({ cached: false, fetching: false, lastError: 'BLOCKED_ADDRESS' });
  });

  it('allows a loopback token URL through network.allowCidrs', async () => {
    const server = await startTokenServer();
    const { tokens } = tokensWith();
    const svc = service(server.url, { network: { allowPrivate: false, allowCidrs: ['127.0.0.0/8'] } });
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-1`);
  });

  it('refuses a plain http:// token URL unless the service sets allowInsecureHttp (no connection)', async () => {
    const server = await startTokenServer();
    const { tokens, events } = tokensWith();
    const err = await rejection(tokens.token(service(server.url, { allowInsecureHttp: false }), call()));
    expect(err).toMatchObject({ code: 'INSECURE_HTTP', serviceId: 'crm' });
    await pause();
    expect(server.server.connections).toBe(0);
    expect(events).toEqual([]);
  });

  it('maps a refused connection to HttpCallError CONNECTION_REFUSED', async () => {
    const port = await closedPort();
    const { tokens } = tokensWith();
    const err = await rejection(tokens.token(service(`http://127.0.0.1:${port}/token`), call()));
    expect(err).toBeInstanceOf(HttpCallError);
    expect((err as HttpCallError).code).toBe('CONNECTION_REFUSED');
  });

  it('does not follow a redirect from the token endpoint', async () => {
    const target = await startTokenServer();
    const server = await startTokenServer({ respond: () => ({ status: 302, headers: { location: target.url }, body: '' }) });
    const { tokens } = tokensWith();
    const err = await rejection(tokens.token(service(server.url), call()));
    expect(err).toBeInstanceOf(OAuth2Error);
    expect(err).toMatchObject({ code: 'TOKEN_REQUEST_FAILED', status: 302 });
    expect(target.requests).toHaveLength(0);
  });

  it('stops reading a token response larger than maxResponseBytes', async () => {
    const server = await startTokenServer({ respond: grant({ expires_in: 60, padding: 'x'.repeat(20_000) }) });
    const { tokens } = tokensWith();
    const err = await rejection(tokens.token(service(server.url, { maxResponseBytes: 2_000 }), call()));
    expect(err).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    expectNoSecrets(exposed(err), server);
  });

  it('rejects token() for a service whose auth is not oauth2', async () => {
    const { tokens } = tokensWith();
    const svc = serviceConfig({ auth: { type: 'bearer', token: 'x' } });
    await expect(tokens.token(svc, call())).rejects.toThrow(TypeError);
  });
});

describe('OAuth2Tokens: failures never carry secrets and are not cached', () => {
  it('401 invalid_client → OAuth2Error TOKEN_REQUEST_FAILED, status 401, nothing of the secret or the body', async () => {
    const server = await startTokenServer({
      respond: () => ({
        status: 401,
        body: { error: 'invalid_client', error_description: `client secret ${CLIENT_SECRET} is wrong; token ${TOKEN_MARK}-x` },
      }),
    });
    const { tokens, events } = tokensWith();
    // The server refuses wrong credentials itself: use the right ones but make it answer 401 anyway.
    const svc = service(server.url);
    const err = await rejection(tokens.token(svc, call()));
    expect(err).toBeInstanceOf(OAuth2Error);
    expect(err).toMatchObject({ code: 'TOKEN_REQUEST_FAILED', status: 401, oauthError: 'invalid_client', serviceId: 'crm' });
    expect(err.message).toContain('HTTP 401');
    expect(err.message).toContain('invalid_client');
    expect(err.message).toContain('/oauth2/token');
    expect(err.message).not.toContain('is wrong');
    expectNoSecrets(exposed(err), server);
    expect(events).toEqual([{ serviceId: 'crm', outcome: 'failed' }]);
    const state = tokens.state(svc);
    expect(state).toEqual({ cached: false, fetching: false, lastError: 'TOKEN_REQUEST_FAILED' });
  });

  it('wrong client secret: the real endpoint refuses it, and the error does not contain the wrong secret either', async () => {
    const server = await startTokenServer();
    const { tokens } = tokensWith();
    const wrong = 'wRoNg-SeCrEt-55c1';
    for (const clientAuth of ['basic', 'post'] as const) {
      const err = await rejection(tokens.token(service(server.url, {}, { clientSecret: wrong, clientAuth }), call()));
      expect(err).toMatchObject({ code: 'TOKEN_REQUEST_FAILED', status: 401, oauthError: 'invalid_client' });
      expect(exposed(err)).not.toContain(wrong);
      expect(err.message).toMatch(/auth\.clientSecret/);
    }
  });

  it('401 with a WWW-Authenticate challenge → TOKEN_REQUEST_FAILED with the challenge error code', async () => {
    const server = await startTokenServer({
      respond: () => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="token", error="invalid_client"' }, body: {} }),
    });
    const { tokens } = tokensWith();
    const err = await rejection(tokens.token(service(server.url), call()));
    expect(err).toMatchObject({ code: 'TOKEN_REQUEST_FAILED', status: 401, oauthError: 'invalid_client' });
  });

  it('does not repeat an OAuth error code that is not a plain code (it could echo anything)', async () => {
    const server = await startTokenServer({ respond: () => ({ status: 400, body: { error: `bad ${CLIENT_SECRET}` } }) });
    const { tokens } = tokensWith();
    const err = await rejection(tokens.token(service(server.url), call()));
    expect(err).toMatchObject({ code: 'TOKEN_REQUEST_FAILED', status: 400 });
    expect((err as OAuth2Error).oauthError).toBeUndefined();
    expectNoSecrets(exposed(err), server);
  });

  it('500 with a text body → TOKEN_REQUEST_FAILED status 500', async () => {
    const server = await startTokenServer({ respond: () => ({ status: 500, body: `internal error for ${CLIENT_SECRET}` }) });
    const { tokens } = tokensWith();
    const err = await rejection(tokens.token(service(server.url), call()));
    expect(err).toMatchObject({ code: 'TOKEN_REQUEST_FAILED', status: 500 });
    expect(err.message).toMatch(/try again later/);
    expectNoSecrets(exposed(err), server);
  });

  it('malformed JSON → TOKEN_RESPONSE_INVALID (status 200), without the partial token', async () => {
    const server = await startTokenServer({
      respond: () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: `{"access_token":"${TOKEN_MARK}-half","token_type":` }),
    });
    const { tokens, events } = tokensWith();
    const err = await rejection(tokens.token(service(server.url), call()));
    expect(err).toBeInstanceOf(OAuth2Error);
    expect(err).toMatchObject({ code: 'TOKEN_RESPONSE_INVALID', status: 200 });
    expectNoSecrets(exposed(err), server);
    expect(events).toEqual([{ serviceId: 'crm', outcome: 'failed' }]);
  });

  it.each([
    ['no access_token', { token_type: 'Bearer', expires_in: 60 }],
    ['no token_type', { access_token: `${TOKEN_MARK}-a`, expires_in: 60 }],
    ['a token_type other than Bearer', { access_token: `${TOKEN_MARK}-b`, token_type: 'mac' }],
    ['a DPoP token (not usable as Bearer)', { access_token: `${TOKEN_MARK}-c`, token_type: 'DPoP' }],
    ['a token with a line break', { access_token: `${TOKEN_MARK}-d\r\nX-Evil: 1`, token_type: 'Bearer' }],
    ['a negative expires_in', { access_token: `${TOKEN_MARK}-e`, token_type: 'Bearer', expires_in: -5 }],
    ['a JSON array', [1, 2]],
  ])('%s → TOKEN_RESPONSE_INVALID, the token value not in the error', async (_name, body) => {
    const server = await startTokenServer({ respond: () => ({ body }) });
    const { tokens } = tokensWith();
    const svc = service(server.url);
    const err = await rejection(tokens.token(svc, call()));
    expect(err).toMatchObject({ code: 'TOKEN_RESPONSE_INVALID', status: 200, serviceId: 'crm' });
    expectNoSecrets(exposed(err), server);
    expect(tokens.state(svc).cached).toBe(false);
  });

  it('a failed request is not cached: the next call asks again and succeeds', async () => {
    let fail = true;
    const ok = grant();
    const server = await startTokenServer({ respond: (r, n) => (fail ? { status: 503, body: 'busy' } : ok(r, n)) });
    const { tokens, events } = tokensWith();
    const svc = service(server.url);
    await expect(tokens.token(svc, call())).rejects.toMatchObject({ code: 'TOKEN_REQUEST_FAILED', status: 503 });
    fail = false;
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-2`);
    expect(server.requests).toHaveLength(2);
    expect(events.map((e) => e.outcome)).toEqual(['failed', 'fetched']);
    expect(tokens.state(svc).lastError).toBeUndefined();
  });

  it('an observer that throws does not break token requests', async () => {
    const server = await startTokenServer();
    const tokens = track(new OAuth2Tokens({ observer: { tokenRequested: () => { throw new Error('observer bug'); } } }));
    expect(await tokens.token(service(server.url), call())).toBe(`${TOKEN_MARK}-1`);
  });
});

describe('OAuth2Tokens: cache and single flight', () => {
  it('50 concurrent calls → exactly one token request, all get the same token; then it is cached', async () => {
    const server = await startTokenServer();
    const { tokens, events } = tokensWith();
    const svc = service(server.url);
    server.hold();
    const calls = Array.from({ length: 50 }, () => tokens.token(svc, call()));
    await server.arrived(1);
    expect(tokens.state(svc)).toEqual({ cached: false, fetching: true });
    server.release();
    const results = await Promise.all(calls);
    expect(new Set(results)).toEqual(new Set([`${TOKEN_MARK}-1`]));
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-1`);
    expect(server.requests).toHaveLength(1);
    expect(events).toEqual([{ serviceId: 'crm', outcome: 'fetched' }]);
  });

  it('50 concurrent calls to a failing endpoint → one request, all 50 fail, each with its own error object', async () => {
    const server = await startTokenServer({ respond: () => ({ status: 400, body: { error: 'invalid_scope' } }) });
    const { tokens, events } = tokensWith();
    const svc = service(server.url);
    const errors = await Promise.all(Array.from({ length: 50 }, () => rejection(tokens.token(svc, call()))));
    expect(server.requests).toHaveLength(1);
    expect(errors.every((e) => e instanceof OAuth2Error && e.code === 'TOKEN_REQUEST_FAILED' && e.oauthError === 'invalid_scope')).toBe(true);
    expect(new Set(errors).size).toBe(50);
    expect(errors[0].message).toMatch(/auth\.scope/);
    expect(events).toHaveLength(1);
  });

  it('expiry: the token is used until expires_in minus the margin, then exactly one refresh for many callers', async () => {
    const server = await startTokenServer({ respond: grant({ expires_in: 100 }) });
    let t = 1_000_000;
    const { tokens, events } = tokensWith({ now: () => t, refreshBeforeExpiryMs: 5_000 });
    const svc = service(server.url);
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-1`);
    expect(tokens.state(svc)).toEqual({ cached: true, expiresInMs: 100_000, fetching: false });

    t += 94_999; // 1 ms before the refresh point (100 s − 5 s)
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-1`);
    expect(tokens.state(svc)).toMatchObject({ cached: true, expiresInMs: 5_001 });
    expect(server.requests).toHaveLength(1);

    t += 1;
    expect(tokens.state(svc).cached).toBe(false);
    const refreshed = await Promise.all(Array.from({ length: 10 }, () => tokens.token(svc, call())));
    expect(new Set(refreshed)).toEqual(new Set([`${TOKEN_MARK}-2`]));
    expect(server.requests).toHaveLength(2);
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-2`);
    expect(server.requests).toHaveLength(2);
    expect(events.map((e) => e.outcome)).toEqual(['fetched', 'fetched']);
  });

  it('the refresh margin is capped at 10 % of the lifetime (60 s token, default 30 s margin → refreshed 6 s early)', async () => {
    const server = await startTokenServer({ respond: grant({ expires_in: 60 }) });
    let t = 0;
    const { tokens } = tokensWith({ now: () => t });
    const svc = service(server.url);
    await tokens.token(svc, call());
    t = 53_999;
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-1`);
    t = 54_000;
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-2`);
    expect(server.requests).toHaveLength(2);
  });

  it('a response without expires_in is cached for the default 5 min (refreshed 30 s early)', async () => {
    const server = await startTokenServer({ respond: grant({}) });
    let t = 0;
    const { tokens } = tokensWith({ now: () => t });
    const svc = service(server.url);
    await tokens.token(svc, call());
    expect(tokens.state(svc)).toEqual({ cached: true, expiresInMs: 300_000, fetching: false });
    t = 269_999;
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-1`);
    t = 270_000;
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-2`);
  });

  it('expires_in counts from when the request was sent, not when the answer arrived', async () => {
    let t = 0;
    const ok = grant({ expires_in: 100 });
    // The clock moves 10 s while the endpoint works on the answer.
    const server = await startTokenServer({ respond: (r, n) => { t += 10_000; return ok(r, n); } });
    const { tokens } = tokensWith({ now: () => t, refreshBeforeExpiryMs: 0 });
    const svc = service(server.url);
    await tokens.token(svc, call());
    expect(tokens.state(svc)).toEqual({ cached: true, expiresInMs: 90_000, fetching: false });
  });

  it('a token with expires_in 0 is handed to its callers but not cached', async () => {
    const server = await startTokenServer({ respond: grant({ expires_in: 0 }) });
    const { tokens } = tokensWith();
    const svc = service(server.url);
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-1`);
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-2`);
  });

  it('invalidate(current) → the next call fetches anew; invalidating an OLD token keeps the newer one', async () => {
    const server = await startTokenServer();
    const { tokens } = tokensWith();
    const svc = service(server.url);
    const first = await tokens.token(svc, call());
    tokens.invalidate(svc, first);
    expect(tokens.state(svc).cached).toBe(false);
    const second = await tokens.token(svc, call());
    expect(second).toBe(`${TOKEN_MARK}-2`);
    expect(server.requests).toHaveLength(2);

    // A call that got `first` sees a 401 late and invalidates it: `second` stays.
    tokens.invalidate(svc, first);
    expect(await tokens.token(svc, call())).toBe(second);
    expect(server.requests).toHaveLength(2);
    expect(tokens.state(svc).cached).toBe(true);
  });

  it('two services with the same client share one token; another scope is another token', async () => {
    const server = await startTokenServer();
    const { tokens, events } = tokensWith();
    const a = service(server.url, { id: 'crm' });
    const b = service(server.url, { id: 'crmLegacy', url: 'https://crm.example.invalid/legacy' });
    const c = service(server.url, { id: 'crmWrite' }, { scope: 'customers.write' });
    server.hold();
    const both = Promise.all([tokens.token(a, call()), tokens.token(b, call())]);
    await server.arrived(1);
    expect(tokens.state(b).fetching).toBe(true);
    server.release();
    expect(await both).toEqual([`${TOKEN_MARK}-1`, `${TOKEN_MARK}-1`]);
    expect(await tokens.token(b, call())).toBe(`${TOKEN_MARK}-1`);
    expect(tokens.state(b).cached).toBe(true);
    expect(server.requests).toHaveLength(1);

    expect(await tokens.token(c, call())).toBe(`${TOKEN_MARK}-2`);
    expect(server.requests[1].form.get('scope')).toBe('customers.write');
    // invalidating through one service drops the shared token for both
    tokens.invalidate(b, `${TOKEN_MARK}-1`);
    expect(tokens.state(a).cached).toBe(false);
    expect(tokens.state(c).cached).toBe(true);
    expect(events).toEqual([
      { serviceId: 'crm', outcome: 'fetched' },
      { serviceId: 'crmWrite', outcome: 'fetched' },
    ]);
  });

  it('a shared failure is reported to each caller under its own service id', async () => {
    const server = await startTokenServer({ respond: () => ({ status: 401, body: { error: 'invalid_client' } }) });
    const { tokens } = tokensWith();
    const a = service(server.url, { id: 'crm' });
    const b = service(server.url, { id: 'crmLegacy' });
    const [ea, eb] = await Promise.all([rejection(tokens.token(a, call())), rejection(tokens.token(b, call()))]);
    expect(server.requests).toHaveLength(1);
    expect(ea).toMatchObject({ serviceId: 'crm', code: 'TOKEN_REQUEST_FAILED' });
    expect(eb).toMatchObject({ serviceId: 'crmLegacy', code: 'TOKEN_REQUEST_FAILED' });
    expect(eb.message).toMatch(/^service "crmLegacy"/);
  });

  it('state() reports cached / expiresInMs / fetching and never a secret or token', async () => {
    const server = await startTokenServer({ respond: grant({ expires_in: 120 }) });
    let t = 5_000;
    const { tokens, events } = tokensWith({ now: () => t });
    const svc = service(server.url);
    expect(tokens.state(svc)).toEqual({ cached: false, fetching: false });
    server.hold();
    const pending = tokens.token(svc, call());
    await server.arrived(1);
    const during = tokens.state(svc);
    server.release();
    await pending;
    t += 20_000;
    const after = tokens.state(svc);
    expect(during).toEqual({ cached: false, fetching: true });
    expect(after).toEqual({ cached: true, expiresInMs: 100_000, fetching: false });
    expectNoSecrets(JSON.stringify([during, after, events]), server);
    expect(() => tokens.state(serviceConfig())).toThrow(TypeError);
  });
});

describe('OAuth2Tokens: timeouts, aborts, close', () => {
  it('a caller that aborts stops waiting (DEADLINE) without cancelling the shared request for the others', async () => {
    const server = await startTokenServer();
    const { tokens, events } = tokensWith();
    const svc = service(server.url);
    server.hold();
    const quitter = new AbortController();
    const first = tokens.token(svc, call(5_000, quitter.signal));
    const others = [tokens.token(svc, call()), tokens.token(svc, call())];
    await server.arrived(1);
    quitter.abort(new Error('script time budget'));
    const err = await rejection(first);
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ code: 'DEADLINE', kind: 'timeout', serviceId: 'crm' });
    expect(tokens.state(svc).fetching).toBe(true);
    server.release();
    expect(await Promise.all(others)).toEqual([`${TOKEN_MARK}-1`, `${TOKEN_MARK}-1`]);
    expect(server.requests).toHaveLength(1);
    expect(events).toEqual([{ serviceId: 'crm', outcome: 'fetched' }]);
  });

  it('a signal aborted before the call fails at once with DEADLINE, sending nothing', async () => {
    const server = await startTokenServer();
    const { tokens } = tokensWith();
    const err = await rejection(tokens.token(service(server.url), call(5_000, AbortSignal.abort())));
    expect(err).toMatchObject({ code: 'DEADLINE' });
    await pause();
    expect(server.server.connections).toBe(0);
  });

  it('the token request respects timeoutMs (READ_TIMEOUT); the failure is not cached', async () => {
    const server = await startTokenServer();
    const { tokens, events } = tokensWith();
    const svc = service(server.url);
    server.hold();
    const started = performance.now();
    const err = await rejection(tokens.token(svc, call(150)));
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ code: 'READ_TIMEOUT', kind: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    // the endpoint holds the request: without the caller's timeout it would wait until the test's own
    expect(elapsed).toBeLessThan(5_000);
    await pause();
    expect(events).toEqual([{ serviceId: 'crm', outcome: 'failed' }]);
    expect(tokens.state(svc)).toEqual({ cached: false, fetching: false, lastError: 'READ_TIMEOUT' });
    server.release();
    expect(await tokens.token(svc, call())).toBe(`${TOKEN_MARK}-2`);
    expect(server.requests).toHaveLength(2);
  });

  it('a shared request runs until the latest deadline of its callers: a short caller times out, a longer one gets the token', async () => {
    const server = await startTokenServer();
    const { tokens } = tokensWith();
    const svc = service(server.url);
    server.hold();
    const short = tokens.token(svc, call(100));
    const long = tokens.token(svc, call(3_000));
    const err = await rejection(short);
    expect(err).toMatchObject({ code: 'READ_TIMEOUT' });
    await pause(150); // well past the short caller's deadline
    server.release();
    expect(await long).toBe(`${TOKEN_MARK}-1`);
    expect(server.requests).toHaveLength(1);
  });

  it('close() stops a request in flight, refuses later calls and closes the connections', async () => {
    const server = await startTokenServer();
    const events: TokenEvent[] = [];
    const tokens = new OAuth2Tokens({ observer: { tokenRequested: (e) => events.push(e) } });
    const svc = service(server.url);
    await tokens.token(svc, call());
    await pause(); // the connection goes back to the pool (keep-alive)
    expect(server.sockets).toHaveLength(1);

    tokens.invalidate(svc, `${TOKEN_MARK}-1`);
    server.hold();
    const failed = rejection(tokens.token(svc, call()));
    await server.arrived(2);
    expect(server.sockets).toHaveLength(1); // the refresh reused the kept-alive connection
    const allClosed = Promise.all(server.sockets.map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())))));

    await tokens.close();
    const err = await failed;
    expect(err).not.toBeInstanceOf(HttpCallError);
    expect(err.message).toMatch(/closed/);
    await allClosed;
    await expect(tokens.token(svc, call())).rejects.toThrow(/closed/);
    expect(events.map((e) => e.outcome)).toEqual(['fetched', 'failed']);
    server.release();
  });
});
