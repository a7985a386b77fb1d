// Security finding "credentials reflected by a partner reach the script", fixed
// as a class: whatever credential the runtime added to a request (API key in a
// header or the query, bearer token, basic auth, OAuth2 access token, a
// `${env:}`/`${file:}` value in a static header or query parameter) is `*****`
// in everything the script sees of the answer — headers, status text, raw /
// JSON / XML / binary bodies, error bodies and messages — however the partner
// echoes it (raw, percent-encoded, JSON- or XML-escaped, base64 for basic).
// A real token endpoint and a real "reflector" partner on loopback.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { received, type Received } from '../helpers/echo-server.js';
import { startServer } from '../server/helpers.js';

const MASK = '*****';
const USER = 'alice';
// every run of 4+ characters has a letter outside a-f: a fragment must not turn up by chance in a
// UUID (an invocation id) of the answer
const SECRETS = {
  apiKeyHeader: 'SECRET-hdr-key-55e1',
  apiKeyQuery: 'SECRET+qry/key=0q9z',
  bearer: 'SECRET-bearer.c4d2~x',
  basicPassword: 'SECRET pw&<9>/b7',
  accessToken: 'SECRET-acc3ss/t0k3n+3k6w=',
  envHeader: 'SECRET-static-hdr-77aa',
  fileQuery: 'SECRET st4tic/qry&x1z0',
};
const BASIC = Buffer.from(`${USER}:${SECRETS.basicPassword}`).toString('base64');

/** Every run of 4+ letters, digits or -._~ of every secret (and of the basic base64): none may reach the script. */
const FRAGMENTS = [...new Set([...Object.values(SECRETS), BASIC].flatMap((s) => s.match(/[A-Za-z0-9\-._~]{4,}/g) ?? []))];

function assertRedacted(seen: string, masked = true): void {
  for (const fragment of FRAGMENTS) {
    const at = seen.indexOf(fragment);
    expect(at, `"${fragment}" reached the script: …${seen.slice(Math.max(0, at - 150), at + 150)}…`).toBe(-1);
  }
  if (masked) expect(seen).toContain(MASK);
}

// ---------------------------------------------------------------------------
// The partner: reflects every credential it was sent, in the place the path names.

/** What a careless partner may echo: the raw request line and headers, and the basic credentials decoded. */
function reflection(got: Received): string {
  const auth = String(got.headers.authorization ?? '');
  const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
  return [got.rawUrl, auth, decoded, got.headers['x-api-key'] ?? '', got.headers['x-partner-key'] ?? ''].join(' | ');
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** PHP's json_encode escapes `/`, Gson escapes `=`, `<`, `>`, `&`: the JSON stays the same value. */
const phpGsonJson = (value: unknown) => JSON.stringify(value).replace(/\//g, '\\/').replace(/[=<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const PLACES: Record<string, (res: ServerResponse, echo: string, got: Received, other: string) => void> = {
  // the review's trailing-slash 301 that keeps the query
  location(res, echo, got) {
    res.writeHead(301, { location: `${got.rawUrl.replace('?', '/?')}&seen=${encodeURIComponent(echo)}` });
    res.end();
  },
  header(res, echo) {
    res.writeHead(200, { 'content-type': 'application/json', 'x-echo': encodeURIComponent(echo), 'x-echo-raw': echo.replace(/[^\x20-\x7e]/g, '?') });
    res.end('{"keep":"ordinary-data"}');
  },
  text(res, echo) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`you sent ${echo}\nkeep ordinary-data`);
  },
  json(res, echo, got) {
    res.writeHead(200, { 'content-type': 'application/hal+json' });
    res.end(phpGsonJson({ keep: 'ordinary-data', count: 12345, _links: { self: { href: `http://partner${got.rawUrl}` } }, nested: { deep: [`saw ${echo}`] }, [echo]: 'as a key' }));
  },
  xml(res, echo) {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0"?><r keep="ordinary-data"><seen>${xmlEscape(echo)}</seen><link href="${xmlEscape(echo)}"/></r>`);
  },
  binary(res, echo) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(`${echo} ordinary-data`), Buffer.from([0])]));
  },
  // not JSON at the echo: the parser's message would quote a piece of it
  'invalid-json'(res, _echo, got) {
    // the credential itself right where the parser stops
    const credential = got.query.key?.[0] ?? got.query.sig?.[0] ?? got.headers['x-api-key'] ?? got.headers['x-partner-key'] ?? String(got.headers.authorization).replace(/^\S+ /, '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"seen": ${credential}}`);
  },
  'error-body'(res, echo) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(phpGsonJson({ error: 'internal', request: echo }));
  },
  'error-message'(res, echo) {
    // the reason phrase is part of the RestResponseError message and of status.message
    res.writeHead(400, `Bad request ${echo.replace(/[^\x20-\x7e]/g, '?')}`, { 'content-type': 'text/plain' });
    res.end('no');
  },
  // followed (followRedirects), but to another origin: the Location is in the RestPolicyError message
  'cross-origin'(res, echo, _got, other) {
    // (the message shows origin and path of the Location, never its query)
    res.writeHead(302, { location: `${other}/login/${encodeURIComponent(echo)}` });
    res.end();
  },
};

const AUTH_TYPES = ['apiKeyHeader', 'apiKeyQuery', 'bearer', 'basic', 'oauth2', 'envHeader', 'fileQuery'] as const;

let idp: TestServer;
let partner: TestServer;
let elsewhere: TestServer;
let t: TestRuntime;
let files: Record<string, string>;
let tokenRequests = 0;

beforeAll(async () => {
  idp = await startHttpServer(async (req: IncomingMessage, res) => {
    await received(req);
    tokenRequests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: SECRETS.accessToken, token_type: 'Bearer', expires_in: 3600 }));
  });
  elsewhere = await startHttpServer((_req, res) => res.end('elsewhere'));
  partner = await startHttpServer(async (req, res) => {
    const got = await received(req);
    const place = got.path.split('/').pop()!;
    const respond = PLACES[place];
    if (!respond) return void res.writeHead(404).end();
    respond(res, reflection(got), got, elsewhere.url);
  });
  process.env.SC_RC_API_KEY_HEADER = SECRETS.apiKeyHeader;
  process.env.SC_RC_API_KEY_QUERY = SECRETS.apiKeyQuery;
  process.env.SC_RC_BEARER = SECRETS.bearer;
  process.env.SC_RC_PASSWORD = SECRETS.basicPassword;
  process.env.SC_RC_STATIC_HEADER = SECRETS.envHeader;
  const url = (id: string) => `'${partner.url}/${id}'`;
  files = {
    'scriptcode.yaml': `logging:
  sensitive: plain
serviceDefaults:
  allowInsecureHttp: true
  network: { allowPrivate: true }
services:
  apiKeyHeader: { url: ${url('kh')}, auth: { type: apiKey, in: header, name: X-Api-Key, value: '\${env:SC_RC_API_KEY_HEADER}' } }
  apiKeyQuery: { url: ${url('kq')}, auth: { type: apiKey, in: query, name: key, value: '\${env:SC_RC_API_KEY_QUERY}' } }
  bearer: { url: ${url('b')}, auth: { type: bearer, token: '\${env:SC_RC_BEARER}' } }
  basic: { url: ${url('basic')}, auth: { type: basic, username: ${USER}, password: '\${env:SC_RC_PASSWORD}' } }
  oauth2: { url: ${url('o')}, auth: { type: oauth2, tokenUrl: '${idp.url}/token', clientId: forms, clientSecret: client-secret-value } }
  envHeader: { url: ${url('eh')}, headers: { X-Partner-Key: '\${env:SC_RC_STATIC_HEADER}', X-Plain: visible-static-header } }
  fileQuery: { url: ${url('fq')}, queryParams: { sig: '\${file:secrets/sig}', tenant: acme } }
  followCrossOrigin: { url: ${url('kq')}, followRedirects: true, auth: { type: apiKey, in: query, name: key, value: '\${env:SC_RC_API_KEY_QUERY}' } }
`,
    'secrets/sig': `${SECRETS.fileQuery}\n`,
    'scripts/call.js': `function callService(context) {
      var id = context.getFirstParameter('service'), path = context.getFirstParameter('path');
      try {
        var r = api.rest.v1.get(id, { path: path, queryParams: { q: 'plain value' } });
        if (r.bodyEncoding === 'base64') r.decoded = atob(r.body);
        return [JSON.stringify(r)];
      } catch (e) {
        return [JSON.stringify({ name: e.name, message: e.message, code: e.code, status: e.status, body: e.body, headers: e.headers, stack: e.stack, text: String(e), all: e })];
      }
    }`,
  };
  t = await startRuntime(files);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await Promise.all([idp?.close(), partner?.close(), elsewhere?.close()]);
  for (const name of ['API_KEY_HEADER', 'API_KEY_QUERY', 'BEARER', 'PASSWORD', 'STATIC_HEADER']) delete process.env[`SC_RC_${name}`];
});

/** What the script saw of one call, as the string it built inside the sandbox. */
async function seen(service: string, path: string): Promise<string> {
  const r = await t.runtime.runScript('call', { input: { service, path } });
  return (r.output as string[])[0]!;
}

describe('credentials reflected by a partner never reach the script', () => {
  // one test per auth type and place the partner echoes it in
  for (const type of AUTH_TYPES) {
    describe(type, () => {
      it('Location of a 301 error (RestResponseError.headers)', async () => {
        const s = await seen(type, 'location');
        const e = JSON.parse(s);
        expect(e).toMatchObject({ name: 'RestResponseError', status: { code: 301 } });
        expect(e.headers.location).toContain(MASK);
        expect(e.headers.location).toContain('q=plain+value');
        assertRedacted(s);
      });

      it('a custom response header (raw and percent-encoded)', async () => {
        const s = await seen(type, 'header');
        const r = JSON.parse(s);
        expect(r.body).toEqual({ keep: 'ordinary-data' });
        expect(r.headers['x-echo']).toContain(MASK);
        expect(r.headers['x-echo-raw']).toContain(MASK);
        assertRedacted(s);
      });

      it('a raw text body', async () => {
        const s = await seen(type, 'text');
        expect(JSON.parse(s).body).toMatch(/^you sent .*\*{5}[^]*keep ordinary-data$/);
        assertRedacted(s);
      });

      it('a parsed JSON body: nested string, object key, HAL self link, escaped as PHP and Gson do', async () => {
        const s = await seen(type, 'json');
        const body = JSON.parse(s).body;
        expect(body).toMatchObject({ keep: 'ordinary-data', count: 12345 });
        // a HAL self link repeats the query: the API key or static parameter in it
        if (type === 'apiKeyQuery' || type === 'fileQuery') expect(body._links.self.href).toContain(MASK);
        expect(body._links.self.href).toContain('q=plain+value');
        expect(body.nested.deep[0]).toContain(MASK);
        expect(Object.keys(body).some((k) => k.includes(MASK))).toBe(true);
        assertRedacted(s);
      });

      it('a parsed XML body: element text and attribute', async () => {
        const s = await seen(type, 'xml');
        const body = JSON.parse(s).body;
        expect(body.r['@keep']).toBe('ordinary-data');
        expect(body.r.seen).toContain(MASK);
        expect(body.r.link['@href']).toContain(MASK);
        assertRedacted(s);
      });

      it('a binary body (base64 to the script)', async () => {
        const s = await seen(type, 'binary');
        const r = JSON.parse(s);
        expect(r.bodyEncoding).toBe('base64');
        expect(r.decoded).toContain(' ordinary-data');
        expect(r.decoded.charCodeAt(3)).toBe(255);
        assertRedacted(r.decoded);
        assertRedacted(s.replace(r.body, MASK));
      });

      it('a 2xx body that does not parse: the RestProtocolError message quotes nothing of it', async () => {
        const s = await seen(type, 'invalid-json');
        const e = JSON.parse(s);
        expect(e).toMatchObject({ name: 'RestProtocolError', code: 'INVALID_BODY' });
        expect(e.message).toContain('the body is not valid JSON');
        assertRedacted(s, false);
      });

      it('the body string of a 500 error', async () => {
        const s = await seen(type, 'error-body');
        const e = JSON.parse(s);
        expect(e).toMatchObject({ name: 'RestResponseError', status: { code: 500 } });
        expect(e.body).toContain(MASK);
        assertRedacted(s);
      });

      it('the error message and status text (reason phrase)', async () => {
        const s = await seen(type, 'error-message');
        const e = JSON.parse(s);
        expect(e).toMatchObject({ name: 'RestResponseError', status: { code: 400 } });
        expect(e.message).toContain(MASK);
        expect(e.status.message).toContain(MASK);
        assertRedacted(s);
      });
    });
  }

  it('the Location of a refused cross-origin redirect in a RestPolicyError message', async () => {
    const s = await seen('followCrossOrigin', 'cross-origin');
    const e = JSON.parse(s);
    expect(e).toMatchObject({ name: 'RestPolicyError', code: 'CROSS_ORIGIN_REDIRECT' });
    expect(e.message).toContain(MASK);
    assertRedacted(s);
  });

  it('leaves values alone that are not credentials: a literal static header, a literal query parameter, ordinary data', async () => {
    const s = await seen('envHeader', 'text');
    expect(s).toContain('q=plain+value');
    const q = await seen('fileQuery', 'text');
    expect(q).toContain('tenant=acme');
    expect(tokenRequests).toBeGreaterThan(0); // the OAuth2 cases did use the real token endpoint
  });

  it('a credential too short to be redacted is reported at start-up by service and key, never by value', async () => {
    const weak = await startRuntime({
      'scriptcode.yaml': `services:\n  legacy: { url: 'https://legacy.example.com', auth: { type: basic, username: bob, password: Q7x } }\n`,
    });
    try {
      const line = weak.log.parsed().find((l) => String(l.msg).includes('shorter than 4 characters'));
      expect(line).toMatchObject({ level: 'warn' });
      expect(String(line!.msg)).toContain("service 'legacy': auth.password");
      expect(weak.log.text).not.toContain('Q7x');
    } finally {
      await weak.close();
    }
  });

  it('through the HTTP server: the answer, the trace (logging.sensitive: plain) and the server log', async () => {
    const server = await startServer(files, { logLevel: 'trace' });
    try {
      const answers: string[] = [];
      for (const type of AUTH_TYPES) {
        for (const path of ['json', 'error-body', 'location']) {
          const a = await server.post('/api/scripts/call/run', { input: { service: type, path }, trace: true });
          expect(a.status).toBe(200);
          expect(a.json().trace.calls.length).toBeGreaterThan(0);
          answers.push(a.text);
        }
      }
      const everything = answers.join('\n') + server.log.text;
      expect(everything).toContain('"responseBody"');
      assertRedacted(everything);
    } finally {
      await server.close();
    }
  }, 60_000);
});
