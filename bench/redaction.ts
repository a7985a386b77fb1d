// The cost of keeping reflected credentials out of what a script sees
// (src/bindings/rest-v1/redact-credentials.ts), next to the cost of parsing the same
// response (parse-response.ts), in one process. A few seconds in all:
//
//   node --no-node-snapshot --import tsx bench/redaction.ts
//
// Cases per body size: the fast path (no secret anywhere: one `includes` per
// secret on the raw bytes and on each header), and the slow path (the answer
// echoes the API key and the token: walk and replace).
import type { HttpResponse } from '../src/http/index.js';
import { parseBody } from '../src/bindings/rest-v1/parse-response.js';
import { CredentialRedactor } from '../src/bindings/rest-v1/redact-credentials.js';
import { SERVICE_DEFAULTS, type ServiceConfig } from '../src/services/types.js';

const API_KEY = 'k3y+live/9f2c81d0a7e4=';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmb3JtcyJ9.c2lnbmF0dXJlLXBhcnQtNDJhYmNk';

const service: ServiceConfig = {
  ...SERVICE_DEFAULTS,
  id: 'crm',
  url: 'https://crm.example.com/api',
  auth: { type: 'apiKey', in: 'query', name: 'key', value: API_KEY },
  headers: { 'X-Partner-Key': 'partner-static-4c1d99' },
  queryParams: {},
  tls: { minVersion: 'TLSv1.2' },
};
const references = [{ path: ['services', 'crm', 'headers', 'X-Partner-Key'], text: 'partner-static-4c1d99', values: ['partner-static-4c1d99'] }];

function customers(n: number, echo = ''): unknown {
  return {
    items: Array.from({ length: n }, (_, i) => ({
      id: 1000 + i, name: `Customer ${i}`, pesel: `8001011234${i % 10}`, email: `c${i}@example.com`,
      address: { street: 'Marszałkowska 1', city: 'Warszawa', zip: '00-001' }, tags: ['retail', 'pl'], active: i % 2 === 0,
    })),
    _links: { self: { href: `https://crm.example.com/api/customers?page=1${echo}` } },
  };
}

function response(body: unknown): HttpResponse {
  return {
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json', 'content-length': '0', date: new Date().toUTCString(), 'x-request-id': 'a1b2c3d4', 'cache-control': 'no-store' },
    body: Buffer.from(JSON.stringify(body)),
    timings: { totalMs: 1 },
  };
}

/** µs per operation, best of 5 rounds of ~200 ms. */
function measure(fn: () => unknown): number {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < 200) {
      for (let i = 0; i < 50; i++) fn();
      n += 50;
      now = performance.now();
    }
    best = Math.min(best, ((now - start) * 1000) / n);
  }
  return best;
}

const redactor = CredentialRedactor.forService(service, references).forCall(TOKEN);
const rows: string[][] = [['body', 'parse µs', 'no secret µs', '÷ parse', 'secrets echoed µs', '÷ parse']];
for (const n of [1, 10, 100]) {
  const clean = response(customers(n));
  const echoed = response(customers(n, `&key=${encodeURIComponent(API_KEY)}&t=${TOKEN}`));
  const answer = (raw: HttpResponse) => ({ status: { code: 200, message: 'OK' }, headers: raw.headers, ...parseBody(raw) });
  const cleanAnswer = answer(clean);
  const echoedAnswer = answer(echoed);
  if (redactor.response(clean, cleanAnswer) !== cleanAnswer) throw new Error('the fast path was not taken');
  const redacted = JSON.stringify(redactor.response(echoed, echoedAnswer));
  if (redacted.includes('9f2c81d0a7e4') || redacted.includes('c2lnbmF0dXJl') || !redacted.includes('*****')) throw new Error('not redacted');
  // the answers are not changed by redaction (the slow path copies): the same ones serve every round
  const parse = measure(() => parseBody(clean));
  const fast = measure(() => redactor.response(clean, cleanAnswer));
  const slow = measure(() => redactor.response(echoed, echoedAnswer));
  rows.push([`${(clean.body.length / 1024).toFixed(1)} KB JSON`, parse.toFixed(2), fast.toFixed(2), (fast / parse).toFixed(3), slow.toFixed(2), (slow / parse).toFixed(2)]);
}
const errorBody = JSON.stringify(customers(10));
const error = Object.assign(new Error('x'), { info: { name: 'RestResponseError', message: "api.rest.v1: service 'crm' answered 500 Internal Server Error for GET https://crm.example.com/api/customers", body: errorBody, headers: response(null).headers, status: { code: 500, message: 'Internal Server Error' } } });
const errorCost = measure(() => redactor.error(error));
const compile = measure(() => CredentialRedactor.forService(service, references).forCall(`${TOKEN}${Math.random()}`));

console.log(`Node ${process.version}; secrets: API key (query), a static header value from \${env:}, an OAuth2 token`);
for (const row of rows) console.log(row.map((c) => c.padEnd(18)).join(''));
console.log(`error (2.3 KB body, no secret), redact: ${errorCost.toFixed(2)} µs`);
console.log(`compile a service's redactor + a new token: ${compile.toFixed(2)} µs (once per service, once per token)`);
