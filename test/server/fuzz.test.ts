// Fuzzing the HTTP API (fast-check) against a real started server: request
// bodies (any JSON, deep and wide values, invalid bytes), content types and
// other headers, script names, methods and paths, and broken framing
// (content-length mismatches, chunking) over a raw socket. Whatever comes in,
// the server never answers 5xx, never logs an error, never crashes, and still
// answers a good request afterwards. Runs are bounded per property
// (FUZZ_RUNS scales them: FUZZ_RUNS=2000 npx vitest run test/server/fuzz.test.ts).
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH } from '../../src/sandbox/limits.js';
import { startServer, type ServerUnderTest } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const runs = (share = 1) => Math.max(10, Math.round(RUNS * share));
const TOKEN = 'fuzz-token-0123456789abcdef';
const BODY_LIMIT = 256 * 1024;

const FILES = {
  'scriptcode.yaml': 'services: {}\n',
  'scripts/echo.js': `function callService(context) {
  context.setValue('f', context.getValue('f'));
  return [{ input: context.getInputParameters(), f: context.getValue('f'), data: context.getData('f', 'd'), visible: context.isVisible('f') }];
}`,
  'scripts/nested.js': `function callService(context) {
  var n = Number(context.getFirstParameter('n', '1'));
  var v = 'leaf';
  for (var i = 0; i < n; i++) v = i % 2 ? { k: v } : [v];
  return [{ v: v }];
}`,
  // a busy machine must not turn a deep result into a CPU_LIMIT
  'scripts/nested.yaml': 'limits: { cpuMs: 20000, wallMs: 60000 }\n',
  'validators/v.js': `function callService(context) {
  return context.getParameters('p').map(function (p) { return { key: 'k.' + p, parameters: [p, context.getValue('f')] }; });
}`,
  'validators/v.yaml': 'messages:\n  k.a: "A {0} {1} {2}"\n',
  'tasks/t.js': `function callService(context) {
  var vars = context.getAllVariables();
  if (vars.fail) context.handleBpmnError('E', vars.fail);
  else context.complete(vars);
}`,
  'formatters/f.js': 'function formatText(input) { return { formattedText: String(input.textToFormat) + (input.locale || ""), cursorPosition: input.cursorPosition }; }',
};

let s: ServerUnderTest;
let port: number;

beforeAll(async () => {
  s = await startServer(FILES, { config: { server: { bodyLimitBytes: BODY_LIMIT, auth: { tokens: [TOKEN] } } } });
  port = Number(new URL(s.url).port);
});

afterAll(async () => {
  await s?.close();
});

// ------------------------------------------------------------ a raw HTTP/1.1 client

interface RawAnswer {
  /** every status line received (a broken request may get its answer and then one for the bytes that follow) */
  statuses: number[];
  /** the body of the first answer */
  body: string;
  headers: Record<string, string>;
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol === -1) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Sends the bytes as they are, half-closes, and reads until the server closes (or `timeoutMs`). */
function raw(bytes: Buffer | string, timeoutMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks);
      const statuses = [...text.toString('latin1').matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? '' : text.subarray(0, split).toString('latin1');
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] ??= line.slice(colon + 1).trim();
      }
      let body: Buffer = split === -1 ? Buffer.alloc(0) : text.subarray(split + 4);
      if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
      else if (headers['content-length']) body = body.subarray(0, Number(headers['content-length']));
      resolve({ statuses, body: body.toString('utf8'), headers });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('close', done);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // the server may close before reading everything we sent: what it answered still counts
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') done();
      else reject(err);
    });
    // no half-close: Node aborts a request whose client ends its side; `connection: close` ends the exchange
    socket.write(bytes);
  });
}

interface Request {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** send this Content-Length instead of the body's */
  contentLength?: string | null;
  auth?: boolean;
  /** the request never ends (a short body, a missing last chunk): no answer is expected */
  incomplete?: boolean;
}

function requestBytes(r: Request): Buffer {
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
  const headers: [string, string][] = [['host', `127.0.0.1:${port}`], ['connection', 'close']];
  if (r.auth !== false) headers.push(['authorization', `Bearer ${TOKEN}`]);
  for (const [k, v] of Object.entries(r.headers ?? {})) headers.push([k, v]);
  const length = r.contentLength === undefined ? (body ? String(body.length) : undefined) : r.contentLength;
  if (length !== undefined && length !== null) headers.push(['content-length', length]);
  const head = `${r.method ?? 'POST'} ${r.path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body ?? Buffer.alloc(0)]);
}

const send = (r: Request, timeoutMs?: number) => raw(requestBytes(r), timeoutMs);

/** Every answer is below 500; an answer with a JSON body is an answer or a `{ error: { name, message } }`. */
function expectSane(a: RawAnswer, label: string): void {
  for (const status of a.statuses) expect(status, label).toBeLessThan(500);
  const status = a.statuses[0];
  if (status !== undefined && status >= 400 && a.body !== '' && a.headers['content-type']?.startsWith('application/json')) {
    const body = JSON.parse(a.body) as { error?: { name?: unknown; message?: unknown } };
    expect(typeof body.error?.name, label).toBe('string');
    expect(typeof body.error?.message, label).toBe('string');
  }
}

const json = { 'content-type': 'application/json' };

async function expectHealthy(): Promise<void> {
  const a = await send({ path: '/api/scripts/echo/run', headers: json, body: JSON.stringify({ input: { a: 'x' } }) });
  expect(a.statuses).toEqual([200]);
  expect(JSON.parse(a.body).output[0].input).toEqual({ a: ['x'] });
}

function serverErrors(): string[] {
  return s.log.lines.filter((line) => /"level":"(error|fatal)"/.test(line) || /"status":5\d\d/.test(line));
}

// ------------------------------------------------------------ arbitraries

const SCRIPT_NAMES = ['echo', 'nested', 'v', 't', 'f'];
const ENDPOINTS = ['/api/scripts/echo/run', '/api/scripts/nested/run', '/api/validators/v/validate', '/api/tasks/t/execute', '/api/formatters/f/format'];
const endpoint = fc.constantFrom(...ENDPOINTS);

// JSON values including the odd ones: -0, huge and tiny numbers, lone surrogates, "__proto__" keys, long strings
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '\u0000', '\ud800', '\udfff', '\u2028', '%', '{}', '[object Object]', '😀'.repeat(3)),
  fc.string({ minLength: 1000, maxLength: 20_000 }),
);
const oddJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, 0.1),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    oddString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(oddString, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** The kinds of request bodies each endpoint takes, filled with odd values. */
const shapedBody = fc.oneof(
  fc.record({ input: oddJson }, { requiredKeys: [] }),
  fc.record({ input: fc.dictionary(oddString, oddJson, { maxKeys: 4 }), form: oddJson, trace: oddJson }, { requiredKeys: [] }),
  fc.record({ input: fc.dictionary(oddString, fc.oneof(oddString, fc.array(oddString, { maxLength: 3 }))), form: fc.dictionary(oddString, fc.record({ value: oddJson, visible: fc.boolean(), data: fc.dictionary(oddString, oddJson) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
  fc.record({ variables: oddJson, processInstanceId: oddJson, trace: fc.boolean() }, { requiredKeys: [] }),
  fc.record({ variables: fc.dictionary(oddString, oddJson) }),
  fc.record({ textToFormat: oddJson, locale: oddJson, cursorPosition: oddJson }, { requiredKeys: [] }),
  fc.record({ textToFormat: oddString, locale: fc.option(oddString), cursorPosition: fc.option(fc.integer()) }),
  oddJson,
);

/** Builds `depth` levels of arrays/objects around `leaf` as text: the test itself must not recurse either. */
function nested(depth: number, style: 'array' | 'object' | 'mixed', leaf = '1'): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    const array = style === 'array' || (style === 'mixed' && i % 2 === 0);
    open.push(array ? '[' : '{"k":');
    close.push(array ? ']' : '}');
  }
  return open.join('') + leaf + close.reverse().join('');
}

const PLACES: Record<string, { url: string; body: (deep: string) => string; checked?: boolean }> = {
  variables: { url: '/api/tasks/t/execute', body: (d) => `{"variables":{"x":${d}}}`, checked: true },
  variablesFail: { url: '/api/tasks/t/execute', body: (d) => `{"variables":{"fail":${d}}}`, checked: true },
  formValue: { url: '/api/scripts/echo/run', body: (d) => `{"form":{"f":{"value":${d}}}}`, checked: true },
  formData: { url: '/api/scripts/echo/run', body: (d) => `{"form":{"f":{"data":{"d":${d}}}}}`, checked: true },
  validatorForm: { url: '/api/validators/v/validate', body: (d) => `{"input":{"p":"a"},"form":{"f":{"value":${d}}}}`, checked: true },
  input: { url: '/api/scripts/echo/run', body: (d) => `{"input":{"a":${d}}}` },
  trace: { url: '/api/scripts/echo/run', body: (d) => `{"trace":${d}}` },
  processInstanceId: { url: '/api/tasks/t/execute', body: (d) => `{"processInstanceId":${d}}` },
  formatter: { url: '/api/formatters/f/format', body: (d) => `{"textToFormat":"x","locale":${d}}` },
  whole: { url: '/api/scripts/echo/run', body: (d) => d },
  unknownKey: { url: '/api/scripts/echo/run', body: (d) => `{"extra":${d}}` },
};

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-8', 'APPLICATION/JSON', 'application/json;charset=utf-8;x=1',
  'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json;;', 'application/json; charset', 'application/json ; x',
  'application/vnd.api+json', 'application/merge-patch+json', 'application/jsonx', 'text/json', 'text/plain', 'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'multipart/form-data', 'application/xml', 'application/octet-stream',
  '*/*', 'application/*', '', ' ', ';', 'json', 'application/json, text/plain', 'application/json\t',
];
const headerValue = fc.oneof(fc.constantFrom(...CONTENT_TYPES), fc.stringMatching(/^[\x20-\x7e]{0,60}$/), fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 }));

const ODD_NAMES = [
  '..', '.', '...', '%2e%2e', '%2E%2E%2Fscriptcode.yaml', '..%2f..%2fscriptcode.yaml', '..%5cscriptcode.yaml', '..;', 'echo;x=1', 'echo%3bx', 'echo%00',
  '%00', '%', '%zz', '%25', 'echo.js', 'echo.yaml', 'ECHO', 'echo%20', ' echo', 'echo/', 'echo/..', 'echo%2F..', '~', '$', 'con', 'nul', 'aux',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'echo?x=1', 'echo#f', 'echo%23f', '😀', '%F0%9F%98%80', '%C0%AE%C0%AE', '%u002e%u002e',
  'a'.repeat(100), 'a'.repeat(101), 'a'.repeat(5000), '\\..\\scriptcode.yaml', '%5C..%5Cscriptcode.yaml',
];
/** A name as it appears in the path: encoded, or some raw bytes the parser must cope with. */
const nameInPath = fc.oneof(
  fc.constantFrom(...ODD_NAMES),
  fc.string({ maxLength: 120 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 60 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9_.~!$&'()*+,;=:@%-]{1,80}$/),
  fc.integer({ min: 90, max: 20_000 }).map((n) => 'n'.repeat(n)),
);

// ------------------------------------------------------------ properties

describe('HTTP API fuzzing (never 5xx, never a crash)', () => {
  it(`any JSON body on every invocation endpoint (${runs()} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(endpoint, shapedBody, fc.boolean(), async (url, body, trace) => {
        const value = trace && typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, trace: true } : body;
        const text = JSON.stringify(value);
        const a = await send({ path: url, headers: json, body: text });
        expectSane(a, `${url} ${text.slice(0, 300)}`);
        expect([200, 400, 413, 422]).toContain(a.statuses[0]);
      }),
      { numRuns: runs() },
    );
    await expectHealthy();
  }, 120_000);

  it(`deep values anywhere in the body: 400 naming the limit, or an answer (${runs(0.5)} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(PLACES)),
        fc.oneof(fc.integer({ min: 1, max: MAX_NESTING_DEPTH + 4 }), fc.integer({ min: 1, max: 60_000 })),
        fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
        async (place, depth, style) => {
          const { url, body, checked } = PLACES[place]!;
          const text = body(nested(depth, style));
          const a = await send({ path: url, headers: json, body: text });
          const label = `${place} depth ${depth} ${style}`;
          expectSane(a, label);
          if (text.length > BODY_LIMIT) return void expect(a.statuses[0], label).toBe(413);
          // the checked places count from their field: variables.x / form.f.value are 2 and 3 levels in
          const levels = depth + (place === 'variables' || place === 'variablesFail' ? 1 : place.startsWith('form') || place === 'validatorForm' ? (place === 'formData' ? 3 : 2) : 0);
          if (checked && levels > MAX_NESTING_DEPTH) {
            expect(a.statuses[0], label).toBe(400);
            expect(JSON.parse(a.body).error, label).toMatchObject({ name: 'InputError', code: 'INPUT_TOO_DEEP' });
            expect(JSON.parse(a.body).error.message, label).toContain(`at most ${MAX_NESTING_DEPTH} levels`);
          } else if (checked) {
            // within the limit, the value goes to the script and comes back (formChanges, variables, a row)
            expect(a.statuses[0], label).toBe(200);
          } else {
            expect([200, 400], label).toContain(a.statuses[0]);
          }
        },
      ),
      { numRuns: runs(0.5) },
    );
    await expectHealthy();
  }, 120_000);

  it(`a script result of any depth: an answer, or 422 OUTPUT_TOO_DEEP (${runs(0.25)} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: 0, max: MAX_NESTING_DEPTH + 4 }), fc.integer({ min: 0, max: 20_000 })), async (n) => {
        const a = await send({ path: '/api/scripts/nested/run', headers: json, body: JSON.stringify({ input: { n: String(n) } }) });
        expectSane(a, `n=${n}`);
        // output (1) → row (2) → v: n levels
        if (n + 2 <= MAX_NESTING_DEPTH) expect(a.statuses[0], `n=${n}`).toBe(200);
        else {
          expect(a.statuses[0], `n=${n}`).toBe(422);
          expect(JSON.parse(a.body).error, `n=${n}`).toMatchObject({ name: 'LimitExceededError', code: 'OUTPUT_TOO_DEEP' });
        }
      }),
      { numRuns: runs(0.25) },
    );
    await expectHealthy();
  }, 120_000);

  it(`invalid JSON and arbitrary bytes as application/json (${runs()} runs)`, async () => {
    const broken = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
      fc.tuple(shapedBody, fc.nat(), fc.string({ maxLength: 3 })).map(([v, cut, junk]) => {
        const text = JSON.stringify(v) ?? '';
        const at = text.length === 0 ? 0 : cut % text.length;
        return text.slice(0, at) + junk + text.slice(at + 1);
      }),
      fc.constantFrom('', ' ', 'null', '"x"', '[]', '1', '{', '}', '{"input":', '{"input":{}}}', '\ufeff{}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '{"a":1,"a":2}', '{"input":{"a":"\\ud800"}}', 'NaN', '{"input":1e999}', '\u0000'),
    );
    await fc.assert(
      fc.asyncProperty(endpoint, broken, async (url, body) => {
        const a = await send({ path: url, headers: json, body });
        expectSane(a, `${url} ${String(body).slice(0, 200)}`);
      }),
      { numRuns: runs() },
    );
    await expectHealthy();
  }, 120_000);

  it(`content types, charsets, accept and other headers (${runs()} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        endpoint, shapedBody, headerValue, headerValue,
        fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x', 'gzip, gzip'), { nil: undefined }),
        fc.option(fc.constantFrom('100-continue', 'x'), { nil: undefined }),
        async (url, body, contentType, accept, encoding, expectHeader) => {
          const headers: Record<string, string> = { 'content-type': contentType, accept };
          if (encoding) headers['content-encoding'] = encoding;
          if (expectHeader) headers.expect = expectHeader;
          const a = await send({ path: url, headers, body: JSON.stringify(body) ?? '' });
          expectSane(a, `${url} content-type ${JSON.stringify(contentType)} accept ${JSON.stringify(accept)} ${encoding ?? ''}`);
        },
      ),
      { numRuns: runs() },
    );
    await expectHealthy();
  }, 120_000);

  it(`script names: traversal, encodings, unicode, very long (${runs()} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/scripts/%s/run', '/api/validators/%s/validate', '/api/tasks/%s/execute', '/api/formatters/%s/format'),
        nameInPath,
        async (template, name) => {
          const path = template.replace('%s', name);
          const a = await send({ path, headers: json, body: '{}' });
          expectSane(a, path.slice(0, 300));
          // odd names are refused (400) or unknown (404); only a real script's own name runs it
          expect([200, 400, 404, 414, 422, 431], path.slice(0, 300)).toContain(a.statuses[0]);
          if (a.statuses[0] === 200 || a.statuses[0] === 422) expect(SCRIPT_NAMES, path.slice(0, 300)).toContain(decodeURIComponent(name));
        },
      ),
      { numRuns: runs() },
    );
    await expectHealthy();
  }, 120_000);

  it(`methods, paths and query strings (${runs()} runs)`, async () => {
    const paths = fc.oneof(
      fc.constantFrom(...ENDPOINTS, '/api/scripts', '/api/services', '/api/cache/invalidate', '/health/live', '/health/ready', '/metrics', '/openapi.json', '/console', '/console/', '/console/assets/x.js', '/console/assets/../../package.json', '/api/console', '/api/sources/scriptService/echo', '/api/sources/scriptService/..', '/api/sources/nope/echo', '/api/check', '/api/tests/run', '/', '*', '/api', '/api/', '//api/scripts', '/api//scripts', '/API/SCRIPTS', '/api/scripts/', '/api/scripts/echo', '/api/scripts/echo/run/', '/api/scripts/echo/run/x', '/health/live/..', '/health/../api/scripts', '/%2e%2e/api/scripts', '/api/scripts/echo/%2e%2e/run'),
      fc.webPath(),
    );
    const query = fc.oneof(fc.constant(''), fc.webQueryParameters().map((q) => `?${q}`), fc.constantFrom('?', '?&', '?a', '?a=%zz', '?__proto__[x]=1', '?constructor.prototype.x=1', `?${'a=1&'.repeat(2000)}`));
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'get', 'X');
    await fc.assert(
      fc.asyncProperty(method, paths, query, fc.boolean(), fc.option(shapedBody, { nil: undefined }), async (m, path, q, auth, body) => {
        const a = await send({ method: m, path: `${path}${q}`, auth, headers: body === undefined ? {} : json, body: body === undefined ? undefined : JSON.stringify(body) ?? '' });
        expectSane(a, `${m} ${path}${q}`.slice(0, 300));
      }),
      { numRuns: runs() },
    );
    await expectHealthy();
  }, 120_000);

  it(`authorization headers (${runs(0.5)} runs)`, async () => {
    const authorization = fc.oneof(
      fc.constantFrom('', 'Bearer', 'Bearer ', `Bearer ${TOKEN} `, `bearer ${TOKEN}`, `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${TOKEN}x`, `Bearer ${'x'.repeat(8000)}`, 'Bearer \u00ff'),
      fc.stringMatching(/^[\x20-\x7e]{0,100}$/),
      fc.stringMatching(/^[\x20-\x7e]{0,100}$/).map((t) => `Bearer ${t}`),
    );
    await fc.assert(
      fc.asyncProperty(endpoint, authorization, async (url, value) => {
        const a = await send({ path: url, auth: false, headers: { ...json, authorization: value }, body: '{}' });
        expectSane(a, `authorization ${JSON.stringify(value.slice(0, 100))}`);
        if (value !== `Bearer ${TOKEN}` && value !== `bearer ${TOKEN}` && value !== `Bearer ${TOKEN} `) expect([400, 401, 431]).toContain(a.statuses[0]);
      }),
      { numRuns: runs(0.5) },
    );
    await expectHealthy();
  }, 120_000);

  it(`broken framing: content-length mismatches, chunking, duplicate and oversized headers (${runs(0.75)} runs)`, async () => {
    const framing = fc.oneof(
      // the body is shorter than announced (the client then stops sending) or longer (the rest is a second "request")
      fc.tuple(shapedBody, fc.integer({ min: -50, max: 50 })).map(([b, delta]): Request => {
        const body = JSON.stringify(b) ?? '';
        return { path: '/api/scripts/echo/run', headers: json, body, contentLength: String(Math.max(0, Buffer.byteLength(body) + delta)) };
      }),
      fc.constantFrom<Request>(
        { path: '/api/scripts/echo/run', headers: json, body: '{}', contentLength: '-1' },
        { path: '/api/scripts/echo/run', headers: json, body: '{}', contentLength: 'abc' },
        { path: '/api/scripts/echo/run', headers: json, body: '{}', contentLength: '2, 3' },
        { path: '/api/scripts/echo/run', headers: json, body: '{}', contentLength: '99999999999999999999' },
        { path: '/api/scripts/echo/run', headers: { ...json, 'content-length': '2' }, body: '{}', contentLength: '3' },
        { path: '/api/scripts/echo/run', headers: { ...json, 'transfer-encoding': 'chunked' }, body: '2\r\n{}\r\n0\r\n\r\n', contentLength: null },
        { path: '/api/scripts/echo/run', headers: { ...json, 'transfer-encoding': 'chunked' }, body: 'zz\r\n{}\r\n0\r\n\r\n', contentLength: null },
        { path: '/api/scripts/echo/run', headers: { ...json, 'transfer-encoding': 'chunked' }, body: '5\r\n{}\r\n', contentLength: null, incomplete: true },
        { path: '/api/scripts/echo/run', headers: { ...json, 'transfer-encoding': 'chunked' }, body: '2\r\n{}\r\n0\r\n\r\n', contentLength: '2' },
        { path: '/api/scripts/echo/run', headers: { ...json, 'transfer-encoding': 'gzip, chunked' }, body: '2\r\n{}\r\n0\r\n\r\n', contentLength: null },
        { path: '/api/scripts/echo/run', headers: { ...json, 'transfer-encoding': 'identity' }, body: '{}' },
        { path: '/api/scripts/echo/run', headers: { 'content-type': 'application/json', 'Content-Type': 'text/plain' }, body: '{}' },
        { path: '/api/scripts/echo/run', headers: { ...json, 'x-long': 'x'.repeat(20_000) }, body: '{}' },
        { path: '/api/scripts/echo/run', headers: { ...json, 'x-forwarded-for': '1.2.3.4, ::1, garbage', 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'evil' }, body: '{}' },
        { path: '/api/scripts/echo/run', headers: { ...json, 'content-encoding': 'gzip' }, body: Buffer.from([0x1f, 0x8b, 0, 0]) },
        { method: 'GET', path: '/api/scripts', headers: json, body: '{"a":1}' },
        { method: 'POST', path: '/api/scripts/echo/run', headers: json, body: 'x'.repeat(BODY_LIMIT + 10) },
      ),
    );
    await fc.assert(
      fc.asyncProperty(framing, async (r) => {
        // a body shorter than its Content-Length gets no answer: the client gives up (the request is aborted)
        const short = r.incomplete || (r.contentLength && /^\d+$/.test(r.contentLength) && Number(r.contentLength) > Buffer.byteLength(r.body ?? ''));
        const a = await send(r, short ? 50 : 5_000);
        expectSane(a, JSON.stringify({ ...r, body: String(r.body).slice(0, 100), headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, v.slice(0, 50)])) }));
      }),
      { numRuns: runs(0.75) },
    );
    // raw garbage instead of a request
    for (const garbage of ['\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'POST /api/scripts/echo/run HTTP/1.1\r\nHost: x\r\n\r\n', '\u0000\u0001\u0002', 'GET /\u0000 HTTP/1.1\r\n\r\n', `GET /${'a'.repeat(70_000)} HTTP/1.1\r\n\r\n`]) {
      expectSane(await raw(garbage, 3_000), JSON.stringify(garbage.slice(0, 60)));
    }
    await expectHealthy();
  }, 120_000);

  it('wrote no error (no 5xx, no stack) to the server log', () => {
    expect(serverErrors()).toEqual([]);
  });
});
