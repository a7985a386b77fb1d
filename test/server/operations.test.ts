// Metrics that move, GET /api/services, structured logs — and no secret in
// any response or log line, with real upstream calls that use the secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer as Upstream } from '../helpers/servers.js';
import { metric, startServer, type ServerUnderTest } from './helpers.js';

const API_KEY = 'key-9c1f7e55d0a34b2c8e6f1a7b3d9e0c42';
const BASIC_PASSWORD = 'pw-4b7d1e9a2c5f8e3d6a0b9c2e5f1a8d7c';
const CLIENT_SECRET = 'cs-0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b';
const HASH_KEY = 'hk-7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d';
const SERVER_TOKEN = 'srv-1f2e3d4c5b6a79880a1b2c3d4e5f6a7b';
const SECRETS = [API_KEY, BASIC_PASSWORD, CLIENT_SECRET, HASH_KEY, SERVER_TOKEN, Buffer.from(`user:${BASIC_PASSWORD}`).toString('base64')];
const PESEL = '44051401458';

let upstream: Upstream;
let t: ServerUnderTest;
const auth = { authorization: `Bearer ${SERVER_TOKEN}` };

beforeAll(async () => {
  upstream = await startHttpServer((req, res) => {
    const ok = req.headers['x-api-key'] === API_KEY || req.headers.authorization === `Basic ${Buffer.from(`user:${BASIC_PASSWORD}`).toString('base64')}`;
    res.setHeader('content-type', 'application/json');
    if (!ok) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'no key' }));
    } else if (req.url?.includes('pesel=404')) {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'unknown' }));
    } else if (req.url?.startsWith('/api/fail')) {
      res.statusCode = 503;
      res.end('{}');
    } else {
      res.end(JSON.stringify({ id: 'C-1', name: 'Jan Kowalski', segment: 'gold' }));
    }
  });
  Object.assign(process.env, { SC_T_KEY: API_KEY, SC_T_PW: BASIC_PASSWORD, SC_T_CS: CLIENT_SECRET, SC_T_HASH: HASH_KEY, SC_T_TOKEN: SERVER_TOKEN });
  try {
    t = await startServer({
      'scriptcode.yaml': `
logging:
  sensitive: hash
  hashKey: \${env:SC_T_HASH}
serviceDefaults:
  allowInsecureHttp: true
  network: { allowPrivate: true }
services:
  crm:
    url: ${upstream.url}/api
    auth: { type: apiKey, in: header, name: x-api-key, value: "\${env:SC_T_KEY}" }
  legacy:
    url: ${upstream.url}/api
    auth: { type: basic, username: user, password: "\${env:SC_T_PW}" }
  noauth:
    url: ${upstream.url}/api
  cases:
    url: https://cases.example.com/api
    auth: { type: oauth2, tokenUrl: "https://login.example.com/token", clientId: demo, clientSecret: "\${env:SC_T_CS}" }
server:
  auth:
    tokens: ["\${env:SC_T_TOKEN}"]
`,
      'scripts/customer.js': `function callService(context) {
  var pesel = context.getFirstParameter('pesel');
  var r = api.rest.v1.get(context.getFirstParameter('service') || 'crm', { path: 'customers', queryParams: { pesel: pesel } });
  Logger.info('customer {} is {}', pesel, r.body.name);
  return [{ name: r.body.name }];
}`,
      'scripts/failing.js': "function callService() { return [api.rest.v1.get('crm', { path: 'fail' }).body]; }",
      'scripts/unauthorized.js': "function callService() { return [api.rest.v1.get('noauth', { path: 'customers/1' }).body]; }",
    }, { logLevel: 'trace' });
  } finally {
    for (const name of ['SC_T_KEY', 'SC_T_PW', 'SC_T_CS', 'SC_T_HASH', 'SC_T_TOKEN']) delete process.env[name];
  }
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

describe('metrics', () => {
  it('are present and move with invocations and REST calls', async () => {
    const before = (await t.get('/metrics')).text;
    expect(before).toContain('# TYPE scriptcode_invocations_total counter');
    expect(before).toContain('# TYPE scriptcode_invocation_duration_seconds histogram');
    for (const name of ['scriptcode_rest_calls_total', 'scriptcode_rest_call_duration_seconds', 'scriptcode_circuit_state', 'scriptcode_token_requests_total', 'scriptcode_pool_isolates', 'scriptcode_pool_busy', 'scriptcode_queue_depth', 'scriptcode_http_requests_total', 'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']) {
      expect(before, name).toContain(`# HELP ${name} `);
    }
    expect(metric(before, 'scriptcode_pool_isolates', { pool: '64MB' })).toBeGreaterThanOrEqual(1);
    const okBefore = metric(before, 'scriptcode_invocations_total', { kind: 'scriptService', script: 'customer', outcome: 'ok' }) ?? 0;

    expect((await t.post('/api/scripts/customer/run', { input: { pesel: PESEL } }, auth)).status).toBe(200);
    expect((await t.post('/api/scripts/customer/run', { input: { pesel: PESEL, service: 'legacy' } }, auth)).status).toBe(200);
    expect((await t.post('/api/scripts/failing/run', {}, auth)).status).toBe(422);

    const after = (await t.get('/metrics')).text;
    expect(metric(after, 'scriptcode_invocations_total', { kind: 'scriptService', script: 'customer', outcome: 'ok' })).toBe(okBefore + 2);
    expect(metric(after, 'scriptcode_invocations_total', { kind: 'scriptService', script: 'failing', outcome: 'error' })).toBe(1);
    expect(metric(after, 'scriptcode_invocation_duration_seconds_count', { kind: 'scriptService', script: 'customer', outcome: 'ok' })).toBe(okBefore + 2);
    expect(metric(after, 'scriptcode_rest_calls_total', { service: 'crm', method: 'GET', status_class: '2xx' })).toBe(1);
    expect(metric(after, 'scriptcode_rest_calls_total', { service: 'legacy', method: 'GET', status_class: '2xx' })).toBe(1);
    expect(metric(after, 'scriptcode_rest_calls_total', { service: 'crm', method: 'GET', status_class: '5xx' })).toBe(1);
    expect(metric(after, 'scriptcode_rest_call_duration_seconds_count', { service: 'crm', method: 'GET' })).toBe(2);
    expect(metric(after, 'scriptcode_http_requests_total', { method: 'POST', route: '/api/scripts/:name/run', status_class: '2xx' })).toBeGreaterThanOrEqual(2);
    expect(metric(after, 'scriptcode_http_requests_total', { method: 'POST', route: '/api/scripts/:name/run', status_class: '4xx' })).toBeGreaterThanOrEqual(1);
    expect(metric(after, 'scriptcode_pool_busy', { pool: '64MB' })).toBe(0);
    expect(metric(after, 'scriptcode_queue_depth', { pool: '64MB' })).toBe(0);
    // no label carries input or a URL
    expect(after).not.toContain(PESEL);
    expect(after).not.toContain('customers');
  });
});

describe('GET /api/services', () => {
  it('shows id, base URL, auth kind, circuit and token state — never a secret', async () => {
    const r = await t.get('/api/services', auth);
    expect(r.status).toBe(200);
    const services = r.json().services as Record<string, unknown>[];
    expect(services.map((s) => s.id)).toEqual(['crm', 'legacy', 'noauth', 'cases']);
    expect(services[0]).toMatchObject({ id: 'crm', url: `${upstream.url}/api`, auth: 'apiKey', token: null });
    expect(services[1]).toMatchObject({ auth: 'basic' });
    expect(services[2]).toMatchObject({ auth: 'none', token: null });
    expect(services[3]).toMatchObject({ id: 'cases', url: 'https://cases.example.com/api', auth: 'oauth2', token: { cached: false, expiresInMs: null } });
    for (const s of services) {
      expect(Object.keys(s).sort()).toEqual(expect.arrayContaining(['auth', 'circuit', 'id', 'token', 'url']));
      expect(s.circuit === null || ['closed', 'open', 'half-open'].includes((s.circuit as { state: string }).state)).toBe(true);
      expect(Object.keys(s).every((k) => ['id', 'url', 'auth', 'circuit', 'token', 'timeouts', 'retry'].includes(k))).toBe(true);
    }
  });
});

describe('logs', () => {
  it('are JSON lines: one per request (method, route, status, duration) and the runtime\'s own, never a body or header', async () => {
    await t.post('/api/scripts/customer/run', { input: { pesel: PESEL } }, auth);
    const lines = t.log.parsed();
    expect(lines.every((l) => typeof l.level === 'string' && typeof l.time === 'string' && typeof l.msg === 'string')).toBe(true);
    const requests = lines.filter((l) => l.msg === 'request' && l.route === '/api/scripts/:name/run');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.at(-1)).toMatchObject({ method: 'POST', name: 'customer', status: 200, durationMs: expect.any(Number), reqId: expect.any(String) });
    expect(lines.some((l) => l.msg === 'invocation finished' && l.script === 'customer')).toBe(true);
    expect(lines.some((l) => l.msg === 'server ready')).toBe(true);
    // personal data only as the logging policy renders it (hash)
    expect(t.log.text).not.toContain(PESEL);
    expect(t.log.text).not.toContain('Jan Kowalski');
  });
});

describe('secrets', () => {
  it('appear in no response and no log line', async () => {
    const calls: [string, string, unknown][] = [
      ['POST', '/api/scripts/customer/run', { input: { pesel: PESEL }, trace: true }],
      ['POST', '/api/scripts/customer/run', { input: { pesel: PESEL, service: 'legacy' }, trace: true }],
      ['POST', '/api/scripts/customer/run', { input: { pesel: '404' }, trace: true }],
      ['POST', '/api/scripts/unauthorized/run', { trace: true }],
      ['POST', '/api/scripts/failing/run', { trace: true }],
      ['GET', '/api/services', undefined],
      ['GET', '/api/scripts', undefined],
      ['POST', '/api/cache/invalidate', undefined],
    ];
    const first = t.answers.length;
    for (const [method, path, body] of calls) await t.call(method, path, { body, headers: auth });
    await t.call('POST', '/api/scripts/customer/run', { body: {}, headers: { authorization: `Bearer ${SERVER_TOKEN.slice(0, -2)}` } });
    for (const path of ['/metrics', '/openapi.json', '/health/ready', '/nothing']) await t.get(path);
    const statuses = t.answers.map((a) => a.status);
    expect(statuses).toEqual(expect.arrayContaining([200, 401, 404, 422]));
    // the traces show the calls were made with credentials (their answers came back)
    expect(t.answers[first]!.json().trace.calls[0]).toMatchObject({ serviceId: 'crm', status: 200 });

    expect(t.log.lines.length).toBeGreaterThan(20);
    for (const secret of SECRETS) {
      for (const a of t.answers) {
        expect(a.text, `response to a request contains a secret`).not.toContain(secret);
        expect(JSON.stringify(a.headers)).not.toContain(secret);
      }
      expect(t.log.text).not.toContain(secret);
    }
    expect(t.log.text.toLowerCase()).not.toContain('bearer ');
  });
});

describe('circuit breaker state', () => {
  it('is shown by GET /api/services and /metrics when a service fails', async () => {
    const s = await startServer({
      'scriptcode.yaml': `
services:
  flaky:
    url: ${upstream.url}/api
    allowInsecureHttp: true
    network: { allowPrivate: true }
    circuitBreaker: { failureThreshold: 2, resetAfterMs: 60000 }
    auth: { type: apiKey, in: header, name: x-api-key, value: ${API_KEY} }
`,
      'scripts/flaky.js': "function callService() { return [api.rest.v1.get('flaky', { path: 'fail' }).body]; }",
    });
    try {
      const view = async () => (await s.get('/api/services')).json().services[0];
      expect(await view()).toMatchObject({ id: 'flaky', auth: 'apiKey', circuit: { state: 'closed' }, token: null });
      expect(metric((await s.get('/metrics')).text, 'scriptcode_circuit_state', { service: 'flaky' })).toBe(0);
      for (let i = 0; i < 2; i++) expect((await s.post('/api/scripts/flaky/run', {})).json().error).toMatchObject({ code: 'HTTP_503' });
      const third = (await s.post('/api/scripts/flaky/run', {})).json();
      expect(third.error).toMatchObject({ name: 'RestPolicyError', code: 'CIRCUIT_OPEN' });
      expect(await view()).toMatchObject({ circuit: { state: 'open' } });
      const text = (await s.get('/metrics')).text;
      expect(metric(text, 'scriptcode_circuit_state', { service: 'flaky' })).toBe(2);
      expect(metric(text, 'scriptcode_circuit_transitions_total', { service: 'flaky', state: 'open' })).toBe(1);
      expect(metric(text, 'scriptcode_rest_call_failures_total', { service: 'flaky', code: 'CIRCUIT_OPEN' })).toBe(1);
      expect(metric(text, 'scriptcode_rest_calls_total', { service: 'flaky', method: 'GET', status_class: '5xx' })).toBe(2);
    } finally {
      await s.close();
    }
  });
});
