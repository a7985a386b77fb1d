// Dot segments in every form a common server normalises (see
// src/bindings/rest-v1/dot-segments.ts): servlet path parameters (`..;/`),
// percent-, double-, %u- and overlong-UTF-8-encoding, encoded separators,
// NUL, whitespace and Unicode lookalikes. Every form is refused with
// INVALID_PATH before anything is sent, through buildUrl, through the library
// and through the HTTP server; names that merely contain dots still go through
// and reach a real loopback server exactly as written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUrl } from '../../../src/bindings/rest-v1/build-url.js';
import { dotSegment } from '../../../src/bindings/rest-v1/dot-segments.js';
import type { SendOptions } from '../../../src/bindings/rest-v1/request-options.js';
import type { ServiceConfig } from '../../../src/services/types.js';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { startServer, type ServerUnderTest } from '../../server/helpers.js';
import { startEchoServer } from '../../helpers/echo-server.js';

interface Case {
  service?: string;
  path: string;
  pathParams?: Record<string, string>;
}

// '..' and '.' as servers may read them (each is also tried with every suffix below)
const DOT_DOT = [
  '..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%2E.', // percent-encoded
  '%252e%252e', '.%252e', '%25252e%25252e', '%%32%65%%32%65', '%25%32%65%25%32%65', // double / nested
  '%u002e%u002e', '%U002E%U002E', '.%u002e', // IIS %u
  '%c0%ae%c0%ae', '.%c0%ae', '%e0%80%ae%e0%80%ae', '%f0%80%80%ae%f0%80%80%ae', '%25c0%25ae%25c0%25ae', // overlong UTF-8
  '．．', '%ef%bc%8e%ef%bc%8e', '.．', '‥', '%e2%80%a5', '﹒﹒', '․․', // lookalikes (NFKC, best fit)
];
const DOT = ['.', '%2e', '%2E', '%252e', '%u002e', '%c0%ae', '．', '%ef%bc%8e', '﹒', '․'];
// what may follow the dots inside the segment
const SUFFIXES = [
  '', ';', ';jsessionid=1', ';x=..', ';a;b', '%3b', '%3B', '%3bjsessionid=1', '%253b', // path parameters
  '%00', '%00.html', '%2500', // NUL
  '%20', '%20%20', ' ', '%09', '%0b', '%e3%80%80', '%c2%a0', '%2520', // whitespace (Windows/IIS trailing, trimming)
];
// separators a server may decode inside one segment
const SEPARATORS = [
  '%2f', '%2F', '%5c', '%5C', '%252f', '%255c', '%25252f', '%u002f', '%u005c', // encoded '/' and '\'
  '%c0%af', '%c1%9c', '%e0%80%af', // overlong '/' and '\'
  '／', '＼', '%ef%bc%8f', '∕', '⁄', '¥', '₩', '﹨', // lookalikes
];

const traversal: Case[] = [
  // the reported forms
  { path: '..;/admin' }, { path: '%2e%2e;/admin' }, { path: '..;jsessionid=1/admin' }, { path: 'x/..;/..;/admin' },
  ...[...DOT_DOT, ...DOT].flatMap((dots) => SUFFIXES.map((suffix) => ({ path: `x/${dots}${suffix}/admin` }))),
  // leading whitespace
  ...['%20..', '%09..', '%20..%20', '.%20.', ' ..', '%20.'].map((seg) => ({ path: `x/${seg}/admin` })),
  // where the segment is: first, last, repeated
  ...['..;', '%2e%2e', '%252e%252e;x', '..%00', '..%20', '．．', '%c0%ae%c0%ae'].flatMap((seg) => [
    { path: `${seg}/admin` }, { path: `x/${seg}` }, { path: `x/${seg}/${seg}/${seg}/etc` }, { path: `/${seg}/admin` },
  ]),
  // an encoded separator inside the segment splits it
  ...SEPARATORS.flatMap((sep) => [{ path: `x/..${sep}admin` }, { path: `x/admin${sep}..` }, { path: `x/a${sep}..${sep}..${sep}b` }, { path: `x/.${sep}admin` }]),
  // nested more often than any data is
  { path: `x/%${'25'.repeat(12)}2e%${'25'.repeat(12)}2e/admin` },
  // through path parameters: the value is encoded as one segment, and still refused when a server would read it as a dot segment
  ...['..;', '..;jsessionid=1', '.;', '%2e%2e', '%252e', '.%2e', '.. ', ' ..', '..\u0000', '..\t', '..\u3000', '../admin', '..\\admin',
    'a/../b', 'a\\..\\b', '．．', '‥', '..／admin', '..＼admin', '%u002e%u002e', '%c0%ae%c0%ae', '..%2fadmin', '..%3b', '.%00']
    .map((id) => ({ path: 'c/{id}/x', pathParams: { id } })),
  // two placeholders that only together make a dot segment
  { path: 'c/{a}{b}', pathParams: { a: '%2', b: 'e.' } }, { path: 'c/{a}.', pathParams: { a: '%2e' } }, { path: 'c/.{a}', pathParams: { a: ';x' } },
  // a placeholder in the service URL itself
  ...['..;', '%2e%2e', '.%2e;x', '..%00', '．．', '../admin'].map((tenant) => ({ service: 'tenant', path: 'x', pathParams: { tenant } })),
];

// [case, the raw request path the server must see]
const legitimate: [Case, string][] = [
  [{ path: 'a..b' }, '/api/a..b'],
  [{ path: '...' }, '/api/...'],
  [{ path: 'x/..../y' }, '/api/x/..../y'],
  [{ path: '.well-known/openid-configuration' }, '/api/.well-known/openid-configuration'],
  [{ path: 'v1;version=2/items' }, '/api/v1;version=2/items'],
  [{ path: 'file%2etxt' }, '/api/file%2etxt'],
  [{ path: 'file.txt' }, '/api/file.txt'],
  [{ path: '.hidden/a.' }, '/api/.hidden/a.'],
  [{ path: '..a/a../.a.' }, '/api/..a/a../.a.'],
  [{ path: '%2e%2e%2e' }, '/api/%2e%2e%2e'],
  [{ path: 'x;y=../z' }, '/api/x;y=../z'],
  [{ path: 'name;v=1.2' }, '/api/name;v=1.2'],
  [{ path: '2024.01.01/a%20b' }, '/api/2024.01.01/a%20b'],
  [{ path: 'café/日本' }, '/api/caf%C3%A9/%E6%97%A5%E6%9C%AC'],
  [{ path: 'a%2Fb' }, '/api/a%2Fb'],
  [{ path: '...;x' }, '/api/...;x'],
  [{ path: 'c/{id}', pathParams: { id: 'a/b' } }, '/api/c/a%2Fb'],
  [{ path: 'c/{id}', pathParams: { id: '...' } }, '/api/c/...'],
  [{ path: 'c/{id}', pathParams: { id: 'x.y' } }, '/api/c/x.y'],
  [{ path: 'c/{id}', pathParams: { id: 'a;b' } }, '/api/c/a%3Bb'],
  [{ path: 'c/{id}', pathParams: { id: 'x/y/admin?x=1#f' } }, '/api/c/x%2Fy%2Fadmin%3Fx%3D1%23f'],
  [{ path: 'c/{id}', pathParams: { id: 'Jan Kowalski' } }, '/api/c/Jan%20Kowalski'],
  [{ path: 'c/{id}', pathParams: { id: '1.5%' } }, '/api/c/1.5%25'],
  [{ service: 'tenant', path: 'x', pathParams: { tenant: 'acme.eu' } }, '/t/acme.eu/api/x'],
];

const service = (url: string) => ({ id: 'svc', url, queryParams: {} }) as unknown as ServiceConfig;
const sendOptions = (c: Case) =>
  ({ method: 'GET', serviceId: 'svc', path: c.path, pathParams: c.pathParams ?? {}, queryParams: {}, timeouts: {}, body: null, hasBody: false, headers: {} }) as SendOptions;
const urlOf = (c: Case) => (c.service === 'tenant' ? 'https://h.example/t/{tenant}/api' : 'https://h.example/api');

function expectRefused(c: Case, got: { name?: string; code?: string; message?: string; sent?: string }): void {
  const label = JSON.stringify(c);
  expect(got.sent, label).toBeUndefined();
  expect(got, label).toMatchObject({ name: 'RestRequestError', code: 'INVALID_PATH' });
  // which segment, why, and what to do instead (a raw backslash or control character in `path` is refused as such)
  if (!/backslash|control characters/.test(got.message!)) {
    expect(got.message, label).toMatch(/its segment ".+" (would leave the service URL \('\.' and '\.\.' segments are not allowed\)|would be read as '\.\.?' and leave the service URL: .+)\. Send such a value as a query parameter/);
  }
}

describe('dot segments: buildUrl', () => {
  it(`refuses all ${traversal.length} traversal forms with INVALID_PATH, naming the segment`, () => {
    for (const c of traversal) {
      let got: { name?: string; code?: string; message?: string; sent?: string };
      try {
        got = { sent: buildUrl(service(urlOf(c)), sendOptions(c)).href };
      } catch (err) {
        const info = (err as { info: { name: string; code: string; message: string } }).info;
        got = { name: info.name, code: info.code, message: info.message };
      }
      expectRefused(c, got);
    }
  });

  it(`lets the ${legitimate.length} legitimate paths through`, () => {
    for (const [c, expected] of legitimate) {
      expect(buildUrl(service(urlOf(c)), sendOptions(c)).pathname, JSON.stringify(c)).toBe(expected);
    }
  });

  it('says why, by the decoding that makes the dot segment', () => {
    const why = (segment: string) => dotSegment(segment)?.reasons.join(' | ');
    expect(dotSegment('..')).toEqual({ dot: '..', reasons: [] });
    expect(why('..;jsessionid=1')).toMatch(/^servlet containers \(Tomcat, Jetty, Spring\) drop the ';…' path parameter$/);
    expect(why('%2e%2e')).toMatch(/^servers percent-decode it$/);
    expect(why('%252e%252e')).toMatch(/encoded more than once/);
    expect(why('%25u002e%25u002e')).toMatch(/IIS decodes %uXXXX/);
    expect(why('%c0%ae%c0%ae')).toMatch(/overlong/);
    expect(why('%EF%BC%8E%EF%BC%8E')).toMatch(/NFKC/);
    expect(why('..%2Fadmin')).toMatch(/split the segment/);
    expect(why('..%00')).toMatch(/'%00' ends the name/);
    expect(why('..%20')).toMatch(/trailing spaces/);
    expect(dotSegment('.%2e%2e')).toBeUndefined();
    expect(dotSegment(`%${'25'.repeat(20)}2e`)?.dot).toBe('..'); // never settles within the rounds tried
  });
});

const CASES_SCRIPT = `function callService(context) {
  var cases = JSON.parse(context.getFirstParameter('cases'));
  var out = [];
  for (var i = 0; i < cases.length; i++) {
    var c = cases[i];
    var params = { path: c.path };
    if (c.pathParams) params.pathParams = c.pathParams;
    try { out.push({ sent: api.rest.v1.get(c.service || 'echo', params).body.rawUrl }); }
    catch (e) { out.push({ name: e.name, code: e.code, message: e.message }); }
  }
  return out;
}`;

let echo: Awaited<ReturnType<typeof startEchoServer>>;
const appFiles = () => ({
  'scriptcode.yaml': `services:
  echo: { url: '${echo.url}/api', allowInsecureHttp: true, network: { allowPrivate: true } }
  tenant: { url: '${echo.url}/t/{tenant}/api', allowInsecureHttp: true, network: { allowPrivate: true } }
limits:
  scriptService: { restCalls: 5000, cpuMs: 20000, wallMs: 60000 }
`,
  'scripts/cases.js': CASES_SCRIPT,
});

beforeAll(async () => {
  echo = await startEchoServer();
});
afterAll(async () => {
  await echo?.close();
});

type Outcome = { name?: string; code?: string; message?: string; sent?: string };

function check(outcomes: Outcome[], before: number): void {
  traversal.forEach((c, i) => expectRefused(c, outcomes[i]!));
  legitimate.forEach(([c, path], i) => expect(outcomes[traversal.length + i], JSON.stringify(c)).toEqual({ sent: path }));
  // the refused ones never reached the server: only the legitimate ones did
  expect(echo.requests.length - before).toBe(legitimate.length);
}

const allCases = () => JSON.stringify([...traversal, ...legitimate.map(([c]) => c)]);

describe('dot segments: through the library', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startRuntime(appFiles());
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it(`refuses every traversal form before sending, and sends every legitimate path as written (${traversal.length} + ${legitimate.length})`, async () => {
    const before = echo.requests.length;
    const r = await t.runtime.runScript('cases', { input: { cases: allCases() } });
    check(r.output as Outcome[], before);
  }, 60_000);
});

describe('dot segments: through the HTTP server', () => {
  let s: ServerUnderTest;
  beforeAll(async () => {
    s = await startServer(appFiles());
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it('answers the same over POST /api/scripts/{name}/run', async () => {
    const before = echo.requests.length;
    const r = await s.post('/api/scripts/cases/run', { input: { cases: allCases() } });
    expect(r.status).toBe(200);
    check(r.json().output as Outcome[], before);
  }, 60_000);
});
