// A small partner service for the demo, on loopback (no internet needed):
//
//   GET  /api/customers?pesel=…   customer registry, needs the header  x-api-key: <key>
//   POST /oauth2/token            OAuth2 client-credentials grant (client_secret_basic or _post)
//   POST /api/cases               opens a case, needs  Authorization: Bearer <token from /oauth2/token>
//   GET  /health
//
// The API key and client secret are read from examples/demo/secrets/, the same
// files the demo's scriptcode.yaml refers to. Plain node:http, no dependencies.
//
//   node examples/partner/server.mjs [port]       (default 8091)
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const secretsDir = new URL('../demo/secrets/', import.meta.url);
const readSecret = (name) => readFileSync(new URL(name, secretsDir), 'utf8').replace(/[\r\n]+$/, '');

export const PARTNER_PORT = 8091;
export const CLIENT_ID = 'scriptcode-demo';
const TOKEN_TTL_S = 300;

const CUSTOMERS = {
  '44051401458': { id: 'C-1001', name: 'Jan Kowalski', segment: 'gold' },
  '02070803628': { id: 'C-1002', name: 'Anna Nowak', segment: 'standard' },
};

const same = (a, b) => timingSafeEqual(createHash('sha256').update(String(a)).digest(), createHash('sha256').update(String(b)).digest());

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts the partner. Options: port (default 8091; 0 = any free port), host
 * (127.0.0.1), apiKey and clientSecret (default: the demo's secret files).
 * Resolves with { url, port, stats, close() }.
 */
export async function startPartner(options = {}) {
  const apiKey = options.apiKey ?? readSecret('partner-api-key');
  const clientSecret = options.clientSecret ?? readSecret('partner-client-secret');
  const tokens = new Map(); // access token → expiry (ms)
  const cases = new Map(); // customerId → case
  const stats = { customers: 0, tokens: 0, cases: 0, refused: 0 };
  let nextCase = 1;

  const refuse = (res, status, message, headers) => {
    stats.refused++;
    send(res, status, { error: message }, headers);
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://partner');
      if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok' });

      if (req.method === 'GET' && url.pathname === '/api/customers') {
        const key = req.headers['x-api-key'];
        if (typeof key !== 'string' || !same(key, apiKey)) return refuse(res, 401, 'missing or wrong x-api-key');
        stats.customers++;
        const customer = CUSTOMERS[url.searchParams.get('pesel') ?? ''];
        const delay = Number(url.searchParams.get('delayMs') ?? 0);
        if (delay > 0) await new Promise((r) => setTimeout(r, Math.min(delay, 10_000)));
        return customer ? send(res, 200, customer) : send(res, 404, { error: 'no customer with that PESEL' });
      }

      if (req.method === 'POST' && url.pathname === '/oauth2/token') {
        const form = new URLSearchParams(await readBody(req));
        let id = form.get('client_id');
        let secret = form.get('client_secret');
        const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
        if (basic) {
          const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          id = decodeURIComponent(decoded.slice(0, colon));
          secret = decodeURIComponent(decoded.slice(colon + 1));
        }
        if (form.get('grant_type') !== 'client_credentials') return refuse(res, 400, 'unsupported_grant_type');
        if (id !== CLIENT_ID || secret === null || !same(secret, clientSecret)) return refuse(res, 401, 'invalid_client', { 'www-authenticate': 'Basic realm="partner"' });
        const token = randomBytes(24).toString('base64url');
        tokens.set(token, Date.now() + TOKEN_TTL_S * 1000);
        stats.tokens++;
        return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_S, scope: form.get('scope') ?? 'cases.write' });
      }

      if (req.method === 'POST' && url.pathname === '/api/cases') {
        const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
        const expires = bearer ? tokens.get(bearer[1]) : undefined;
        if (!expires || expires < Date.now()) return refuse(res, 401, 'missing, unknown or expired bearer token', { 'www-authenticate': 'Bearer error="invalid_token"' });
        let body;
        try {
          body = JSON.parse(await readBody(req));
        } catch {
          return send(res, 400, { error: 'the body must be JSON' });
        }
        if (!body || typeof body.customerId !== 'string') return send(res, 400, { error: 'customerId (text) is required' });
        const existing = cases.get(body.customerId);
        if (existing) return send(res, 409, { error: 'an open case exists for this customer', caseId: existing.id });
        const opened = { id: `CASE-${String(nextCase++).padStart(4, '0')}`, customerId: body.customerId, amount: body.amount ?? null, status: 'open' };
        cases.set(body.customerId, opened);
        stats.cases++;
        return send(res, 201, opened);
      }

      send(res, 404, { error: `no endpoint ${req.method} ${url.pathname}` });
    } catch (err) {
      if (!res.headersSent) send(res, 500, { error: String(err?.message ?? err) });
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? PARTNER_PORT, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const partner = await startPartner({ port: Number(process.argv[2] ?? PARTNER_PORT) });
  process.stdout.write(`demo partner listening on ${partner.url} (GET /api/customers, POST /oauth2/token, POST /api/cases)\n`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => partner.close().then(() => process.exit(0)));
}
