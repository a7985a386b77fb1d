// Issue 16, shared state through Redis (the machine's, 127.0.0.1:6379):
// three runtimes (as three instances would) sharing one Redis make 1 000
// invocations of an OAuth2 service at once — token requests made (target 1);
// and what a response-cache hit costs against a partner call, both through
// the library API at concurrency 1 (a hit from the process's own LRU, and a
// hit another process kept, read from Redis).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '../../src/index.js';
import type { BenchResult } from '../report.js';
import { measureSequential } from '../stats.js';

const INSTANCES = 3;
const INVOCATIONS = 1_000;
const SEQ = Number(process.env.BENCH_CACHE_CALLS ?? 2_000);

async function listen(server: Server): Promise<string> {
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function sharedState(): Promise<BenchResult[]> {
  const { createRuntime } = await import('../../src/index.js');
  const { createRuntimeLogger } = await import('../../src/logging/logger.js');
  let tokenRequests = 0;
  const idp = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      tokenRequests++;
      // slow enough that every instance asks while the first request is out
      setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ access_token: 'bench-token', token_type: 'Bearer', expires_in: 3600 })); }, 200);
    });
  });
  const api = createServer((req, res) => {
    res.statusCode = req.headers.authorization === undefined || req.headers.authorization === 'Bearer bench-token' ? 200 : 401;
    res.setHeader('content-type', 'application/json');
    res.end('{"id":"42","name":"Ada Lovelace","tags":["a","b"]}');
  });
  const idpUrl = await listen(idp);
  const apiUrl = await listen(api);
  const prefix = `scriptcode-bench:${randomUUID()}:`;
  const dir = mkdtempSync(join(tmpdir(), 'scriptcode-bench-state-'));
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'scriptcode.yaml'), `state: { redis: { url: 'redis://127.0.0.1:6379', keyPrefix: '${prefix}' } }
serviceDefaults: { allowInsecureHttp: true, network: { allowPrivate: true } }
services:
  crm: { url: '${apiUrl}', auth: { type: oauth2, tokenUrl: '${idpUrl}/token', clientId: bench, clientSecret: bench-secret-value } }
  cached: { url: '${apiUrl}', cache: { ttlSeconds: 3600 } }
  direct: { url: '${apiUrl}' }
logging: { level: warn }
`);
  writeFileSync(join(dir, 'scripts', 'call.js'), "async function callService(c) { const r = await api.rest.v1.get(c.getFirstParameter('s'), { path: c.getFirstParameter('p') || '' }); return [r.body]; }");
  const runtimes: Runtime[] = [];
  try {
    for (let i = 0; i < INSTANCES; i++) runtimes.push(await createRuntime({ app: dir, watch: false, logger: createRuntimeLogger({ level: 'warn', destination: 2 }) }));
    await Promise.all(Array.from({ length: INVOCATIONS }, (_, i) => runtimes[i % INSTANCES]!.runScript('call', { input: { s: 'crm' } })));

    const [one, other] = runtimes as [Runtime, Runtime];
    const call = (rt: Runtime, s: string, p = '') => () => rt.runScript('call', { input: { s, p } });
    await measureSequential(300, call(one, 'direct'));
    await call(one, 'cached')();
    await measureSequential(300, call(one, 'cached'));
    const partner = await measureSequential(SEQ, call(one, 'direct'));
    const localHit = await measureSequential(SEQ, call(one, 'cached'));
    // a new path each time, kept by `one`, then read by `other` from Redis (its own LRU has none of them)
    let n = 0;
    const paths: string[] = [];
    for (let i = 0; i < SEQ; i++) { paths.push(`item/${i}`); await call(one, 'cached', `item/${i}`)(); }
    const redisHit = await measureSequential(SEQ, () => other.runScript('call', { input: { s: 'cached', p: paths[n++ % paths.length] } }));
    const row = (metric: string, r: { meanUs: number }, note: string): BenchResult => ({
      scenario: 'response cache hit vs partner call (loopback partner, library API, c=1)', metric, value: r.meanUs, unit: 'µs',
      baseline: { name: 'a partner call, mean µs', value: partner.meanUs }, ratio: r.meanUs / partner.meanUs, note,
    });
    return [
      { scenario: `OAuth2, ${INVOCATIONS} invocations at once over ${INSTANCES} runtimes sharing Redis`, metric: 'token requests', value: tokenRequests, unit: 'requests', target: '= 1', pass: tokenRequests === 1 },
      row('mean latency, hit in the process', localHit, 'the answer from the LRU of the process'),
      row('mean latency, hit kept by another process', redisHit, 'the answer read from Redis, another runtime having kept it'),
    ];
  } finally {
    for (const rt of runtimes) await rt.close();
    for (const s of [idp, api]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
