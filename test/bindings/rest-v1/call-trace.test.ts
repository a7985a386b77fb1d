// What `trace` shows of a REST call (call-trace.ts): under the logging policy
// (mask) and with `showData` (`scriptcode run --trace --show-data`), against a
// real partner that echoes the credentials it was sent, in its body and in
// its headers. Credentials never appear, whichever is asked for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { cliInProcess } from '../../helpers/cli-in-process.js';
import { startEchoServer } from '../../helpers/echo-server.js';

const SECRETS = { queryKey: 'qk-Tr4ce-never-shown', token: 'tok-Tr4ce-never-shown', staticHeader: 'hdr-Tr4ce-never-shown' };
const PESEL = '44051401458';

let server: Awaited<ReturnType<typeof startEchoServer>>;
let t: TestRuntime;

const SCRIPT = `function callService(context) {
  var r = api.rest.v1.post('partner', { path: 'customers/{id}', pathParams: { id: context.getFirstParameter('id') },
    queryParams: { pesel: context.getFirstParameter('pesel') } },
    { pesel: context.getFirstParameter('pesel') }, { 'X-Customer': context.getFirstParameter('pesel') });
  return [{ name: r.body.name }];
}`;

beforeAll(async () => {
  server = await startEchoServer({
    // a partner that reflects everything it got: the data, the query key, the token and the static secret header
    '/api': (req, res, got) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-echo-key', got.query.key?.[0] ?? '');
      res.setHeader('x-echo-customer', String(req.headers['x-customer'] ?? ''));
      res.setHeader('set-cookie', 'session=abc123; HttpOnly');
      res.end(JSON.stringify({ name: 'Ada', pesel: JSON.parse(got.body).pesel, auth: req.headers.authorization, secretHeader: req.headers['x-partner-secret'] }));
    },
  });
  process.env.SC_TRACE_TOKEN = SECRETS.token;
  process.env.SC_TRACE_HEADER = SECRETS.staticHeader;
  t = await startRuntime({
    'scriptcode.yaml': `logging: { sensitive: mask }
services:
  partner:
    url: ${server.url}/api
    allowInsecureHttp: true
    network: { allowPrivate: true }
    headers: { X-Partner-Secret: '\${env:SC_TRACE_HEADER}' }
    auth: { type: apiKey, in: query, name: key, value: '${SECRETS.queryKey}' }
  bearer:
    url: ${server.url}/api
    allowInsecureHttp: true
    network: { allowPrivate: true }
    auth: { type: bearer, token: '\${env:SC_TRACE_TOKEN}' }
`,
    'scripts/call.js': SCRIPT,
    'scripts/bearer.js': SCRIPT.replace("'partner'", "'bearer'"),
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
  delete process.env.SC_TRACE_TOKEN;
  delete process.env.SC_TRACE_HEADER;
});

type Traced = Record<string, any>;
const tracedCall = (answer: { trace?: { calls: unknown[] } }): Traced => answer.trace!.calls[0] as Traced;

function expectNoSecret(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
}

describe('trace of a REST call', () => {
  it('under the logging policy (mask): headers are listed, protocol headers shown, data and credentials masked', async () => {
    const answer = await t.runtime.runScript('call', { input: { id: '7', pesel: PESEL }, trace: true });
    expect(answer.output).toEqual([{ name: 'Ada' }]);
    const call = tracedCall(answer);
    expect(call.pathParams).toEqual({ id: '*****' });
    expect(call.query).toEqual({ pesel: ['*****'] }); // the API key is added after the snapshot: not there at all
    expect(call.requestBody).toBe('*****');
    expect(call.responseBody).toBe('*****');
    expect(call.requestHeaders).toMatchObject({ 'content-type': 'application/json', 'x-customer': '*****', 'x-partner-secret': '*****' });
    expect(call.requestHeaders.authorization).toBeUndefined();
    expect(call.responseHeaders).toMatchObject({ 'content-type': 'application/json', 'x-echo-customer': '*****', 'x-echo-key': '*****', 'set-cookie': '*****' });
    expect(JSON.stringify(answer)).not.toContain(PESEL);
    expectNoSecret(answer);
  });

  it('with showData: bodies, query values, path parameters and headers as they were; what the partner echoes of a credential is still masked', async () => {
    const answer = await t.runtime.runScript('call', { input: { id: '7', pesel: PESEL }, trace: true, showData: true });
    const call = tracedCall(answer);
    expect(call.pathParams).toEqual({ id: '7' });
    expect(call.query).toEqual({ pesel: [PESEL] });
    expect(JSON.parse(call.requestBody)).toEqual({ pesel: PESEL });
    expect(JSON.parse(call.responseBody)).toMatchObject({ name: 'Ada', pesel: PESEL, secretHeader: '*****' });
    expect(call.requestHeaders).toMatchObject({ 'x-customer': PESEL, 'x-partner-secret': '*****' });
    expect(call.responseHeaders).toMatchObject({ 'x-echo-customer': PESEL, 'x-echo-key': '*****', 'set-cookie': '*****' });
    expectNoSecret(answer);
  });

  it('with showData: a bearer token the partner echoes stays masked', async () => {
    const answer = await t.runtime.runScript('bearer', { input: { id: '7', pesel: PESEL }, showData: true });
    const call = tracedCall(answer);
    expect(JSON.parse(call.responseBody).auth).toBe('Bearer *****');
    expectNoSecret(answer);
    // the partner did get the credentials: the masking is the trace's, not a call without them
    const last = server.requests.at(-1)!;
    expect(last.headers.authorization).toBe(`Bearer ${SECRETS.token}`);
  });

  it('scriptcode run --show-data implies --trace and shows the data; plain --trace keeps the policy', async () => {
    const args = ['run', 'script', 'call', '--app', t.app.dir, '--input', JSON.stringify({ id: '7', pesel: PESEL })];
    const shown = await cliInProcess([...args, '--show-data']);
    expect(shown.code).toBe(0);
    const shownCall = tracedCall(JSON.parse(shown.stdout));
    expect(shownCall.query.pesel).toEqual([PESEL]);
    expectNoSecret(shown);
    const masked = await cliInProcess([...args, '--trace']);
    expect(masked.code).toBe(0);
    expect(tracedCall(JSON.parse(masked.stdout)).query.pesel).toEqual(['*****']);
    expect(masked.stdout).not.toContain(PESEL);
  }, 30_000);
});

describe('when each call started (startMs, the console\'s waterfall)', () => {
  it('calls made in parallel by an async script start together; a call after them starts when they ended', async () => {
    const { startHttpServer } = await import('../../helpers/servers.js');
    const slow = await startHttpServer((_req, res) => {
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      }, 150);
    });
    const r = await startRuntime({
      'scriptcode.yaml': `services:\n  slow:\n    url: ${slow.url}/api\n    allowInsecureHttp: true\n    network: { allowPrivate: true }\n`,
      'scripts/fan.js': `async function callService(context) {
  await Promise.all([api.rest.v1.get('slow', { path: 'a' }), api.rest.v1.get('slow', { path: 'b' })]);
  await api.rest.v1.get('slow', { path: 'c' });
  return [];
}`,
    });
    try {
      const answer = await r.runtime.runScript('fan', { trace: true });
      const calls = answer.trace!.calls as Traced[];
      const byPath = Object.fromEntries(calls.map((c) => [c.url.slice(-1), c]));
      for (const c of calls) expect(c.startMs).toBeGreaterThanOrEqual(0);
      // a and b overlap: each started before the other ended
      expect(byPath.a.startMs).toBeLessThan(byPath.b.startMs + byPath.b.durationMs);
      expect(byPath.b.startMs).toBeLessThan(byPath.a.startMs + byPath.a.durationMs);
      // c started after both ended
      expect(byPath.c.startMs).toBeGreaterThanOrEqual(Math.max(byPath.a.startMs + byPath.a.durationMs, byPath.b.startMs + byPath.b.durationMs) - 1);
    } finally {
      await r.close();
      await slow.close();
    }
  });
});
