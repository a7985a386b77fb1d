// `scriptcode record`: a real run against real (loopback) services written as
// a test case that then passes offline — and holds no credential, even when the
// service echoes the credentials back.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { closedPort, startHttpServer, type TestServer } from '../helpers/servers.js';

const TOKEN = 'tok-Zq81x-DISTINCTIVE-bearer';
const API_KEY = 'geo-Kk27-DISTINCTIVE-key';
const STATIC_SECRET = 'static-Hh55-DISTINCTIVE-header';
const SECRETS_ENV = { REC_CRM_TOKEN: TOKEN, REC_GEO_KEY: API_KEY, REC_STATIC: STATIC_SECRET };
const NO_SECRETS_ENV = { REC_CRM_TOKEN: undefined, REC_GEO_KEY: undefined, REC_STATIC: undefined };

let server: TestServer;
let app: TestApp;
const seen: { url: string; authorization?: string; secretHeader?: string }[] = [];

beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization, secretHeader: req.headers['x-client-secret'] as string | undefined });
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (url.pathname.startsWith('/api/')) {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.statusCode = 401;
        res.end('{"error":"unauthorized"}');
        return;
      }
      res.setHeader('set-cookie', `session=${TOKEN}; HttpOnly`);
      res.setHeader('x-echo-authorization', req.headers.authorization);
      res.setHeader('x-internal', 'node-7');
      res.setHeader('x-request-id', 'rid-1');
      if (url.pathname === '/api/customers') {
        // a service that echoes what it got, credentials included
        res.end(JSON.stringify({ name: 'Ada', segment: 'VIP', pesel: url.searchParams.get('pesel'), echo: req.headers.authorization }));
      } else if (url.pathname === '/api/cases') {
        res.statusCode = 409;
        res.end('{"error":"exists"}');
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
      return;
    }
    if (url.pathname.startsWith('/geo/')) {
      if (url.searchParams.get('key') !== API_KEY) {
        res.statusCode = 403;
        res.end('{}');
        return;
      }
      res.end(JSON.stringify({ city: 'Warszawa', requested: req.url }));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  const refused = await closedPort();
  app = await makeApp({
    'scriptcode.yaml': `services:
  crm:
    url: ${server.url}/api
    allowInsecureHttp: true
    network: { allowPrivate: true }
    auth: { type: bearer, token: "\${env:REC_CRM_TOKEN}" }
    headers: { X-Client-Secret: "\${env:REC_STATIC}" }
  geo:
    url: ${server.url}/geo/{code}
    allowInsecureHttp: true
    network: { allowPrivate: true }
    auth: { type: apiKey, in: query, name: key, value: "\${env:REC_GEO_KEY}" }
  down:
    url: http://127.0.0.1:${refused}/x
    allowInsecureHttp: true
    network: { allowPrivate: true }
`,
    'scripts/customer.js': `function callService(context) {
  var c = api.rest.v1.get('crm', { path: 'customers', queryParams: { pesel: context.getFirstParameter('pesel') } });
  var g = api.rest.v1.get('geo', { pathParams: { code: '00-950' }, queryParams: { lang: 'pl' } });
  return [{ name: c.body.name, echo: c.body.echo, city: g.body.city, requested: g.body.requested }];
}
`,
    'scripts/down.js': "function callService() { api.rest.v1.get('down'); }\n",
    'scripts/broken.js': 'function callService( {\n',
    'tasks/open.js': `function callService(context) {
  try {
    api.rest.v1.post('crm', { path: 'cases' }, { customer: context.getVariable('customer') });
    context.complete({});
  } catch (e) {
    if (e.status && e.status.code === 409) context.handleBpmnError('EXISTS', 'already open');
    else throw e;
  }
}
`,
    'formatters/upper.js': 'function formatText(i) { return { formattedText: i.textToFormat.toUpperCase(), cursorPosition: i.cursorPosition }; }\n',
  });
}, 60_000);

afterAll(async () => {
  await app?.remove();
  await server?.close();
});

describe('scriptcode record', () => {
  let text: string;

  it('runs the script against the real services and writes a case', async () => {
    const r = await runCli(['record', 'script', 'customer', '--app', app.dir, '--input', '{"pesel":"44051401458"}',
      '--case', 'Ada from the CRM', '--redact-header', 'X-Internal'], { env: SECRETS_ENV });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("recorded case 'Ada from the CRM' with 2 calls in tests/customer.test.yaml\n");
    // the calls really went out, with the credentials
    expect(seen.filter((s) => s.authorization === `Bearer ${TOKEN}` && s.secretHeader === STATIC_SECRET)).toHaveLength(1);
    expect(seen.some((s) => s.url.includes(`key=${API_KEY}`))).toBe(true);
    text = await readFile(join(app.dir, 'tests/customer.test.yaml'), 'utf8');
  }, 30_000);

  it('the case holds no credential: not the token, API key or static secret header, nowhere, not even echoed back', () => {
    for (const secret of [TOKEN, API_KEY, STATIC_SECRET, Buffer.from(TOKEN).toString('base64')]) expect(text).not.toContain(secret);
    expect(text.toLowerCase()).not.toContain('set-cookie');
    expect(text.toLowerCase()).not.toContain('x-internal');
    expect(text).not.toMatch(/\bkey:/); // the API key query parameter is configuration, not part of the call
    const doc = parse(text);
    expect(doc.cases).toEqual([{
      name: 'Ada from the CRM',
      script: 'customer',
      input: { pesel: '44051401458' },
      calls: [
        {
          service: 'crm', method: 'GET', path: 'customers', query: { pesel: '44051401458' },
          response: {
            status: 200,
            // a header that echoes a credential keeps its name, not its value; redacted as a script sees it live
            headers: { 'content-type': 'application/json', 'x-echo-authorization': 'Bearer *****', 'x-request-id': 'rid-1' },
            body: { name: 'Ada', segment: 'VIP', pesel: '44051401458', echo: 'Bearer *****' },
          },
        },
        {
          service: 'geo', method: 'GET', path: '', query: { lang: 'pl' },
          response: { status: 200, headers: { 'content-type': 'application/json' }, body: { city: 'Warszawa', requested: '/geo/00-950?lang=pl&key=*****' } },
        },
      ],
      expect: { output: [{ name: 'Ada', echo: 'Bearer *****', city: 'Warszawa', requested: '/geo/00-950?lang=pl&key=*****' }] },
    }]);
  });

  it('records outcomes and cases without calls; appends to an existing file with a unique name; an unreachable service is exit 1 and nothing written', async () => {
    const task = await runCli(['record', 'task', 'open', '--app', app.dir, '--input', '{"customer":7}', '--case', 'exists'], { env: SECRETS_ENV });
    expect(task.code).toBe(0);
    const before = await readFile(join(app.dir, 'tests/open.test.yaml'), 'utf8');
    // a refused connection says where this machine's network ends, not how the service behaves
    const down = await runCli(['record', 'script', 'down', '--app', app.dir, '--file', 'tests/open.test.yaml', '--case', 'down'], { env: SECRETS_ENV });
    expect(down.code).toBe(1);
    expect(down.stdout).toBe('');
    expect(down.stderr).toContain("scriptcode record: nothing written: service 'down' could not be reached (CONNECTION_REFUSED, GET /)");
    expect(await readFile(join(app.dir, 'tests/open.test.yaml'), 'utf8')).toBe(before);
    await expect(readFile(join(app.dir, 'tests/down.test.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
    // secrets of the services the script does not call are not needed: the formatter records without any
    const fmt = await runCli(['record', 'formatter', 'upper', '--app', app.dir, '--input', '{"textToFormat":"ab","cursorPosition":1}',
      '--file', 'tests/open.test.yaml', '--case', 'exists'], { env: NO_SECRETS_ENV });
    expect(fmt.stdout).toBe("recorded case 'exists (2)' with 0 calls in tests/open.test.yaml\n");
    expect(fmt.code).toBe(0);

    const open = parse(await readFile(join(app.dir, 'tests/open.test.yaml'), 'utf8'));
    expect(open.cases).toEqual([
      {
        name: 'exists', task: 'open', variables: { customer: 7 },
        calls: [{ service: 'crm', method: 'POST', path: 'cases', body: { customer: 7 }, response: { status: 409, headers: { 'content-type': 'application/json', 'x-echo-authorization': 'Bearer *****', 'x-internal': 'node-7', 'x-request-id': 'rid-1' }, body: { error: 'exists' } } }],
        expect: { outcome: 'bpmnError', errorCode: 'EXISTS', cause: 'already open' },
      },
      { name: 'exists (2)', formatter: 'upper', input: { textToFormat: 'ab', cursorPosition: 1 }, expect: { formattedText: 'AB', cursorPosition: 1 } },
    ]);
  }, 60_000);

  it('writes nothing for a script that does not compile (exit 1) or does not exist (exit 2)', async () => {
    const broken = await runCli(['record', 'script', 'broken', '--app', app.dir], { env: SECRETS_ENV });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('nothing written: the script failed before it could be recorded: SyntaxError [COMPILE_ERROR]');
    await expect(readFile(join(app.dir, 'tests/broken.test.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
    const ghost = await runCli(['record', 'script', 'ghost', '--app', app.dir], { env: SECRETS_ENV });
    expect(ghost.code).toBe(2);
    expect(ghost.stderr).toContain("no scriptService named 'ghost'");
  }, 30_000);

  it('every recorded case passes offline: server stopped, no secrets in the environment', async () => {
    const before = seen.length;
    await server.close();
    const r = await runCli(['test', '--app', app.dir], { env: NO_SECRETS_ENV });
    expect(r.stdout).toContain('✓ script customer › Ada from the CRM');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('3 passed, 0 failed'); // customer, exists, exists (2)
    expect(r.code).toBe(0);
    expect(seen.length).toBe(before);
  }, 30_000);
});
