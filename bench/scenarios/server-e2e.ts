// Issue 5: the server end to end. `POST /api/scripts/fetch/run`, whose script
// makes one upstream GET, driven by autocannon at 32 connections, against a
// plain Fastify route that makes the same upstream GET with undici, in the
// same run (target ≥ 0.6×). Two more comparisons say where the time goes: a
// trivial script (no REST call) against a trivial route, and the same GET to
// an upstream that takes 2 ms to answer.
//
// The upstreams and each server under test run in child processes of their
// own (the load generator stays in this one), one server at a time, all on
// loopback. The ScriptCode server uses the default pool (pool.maxIsolates 16)
// unless BENCH_E2E_ISOLATES says otherwise.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from '../report.js';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_E2E_WARMUP_SECONDS ?? 3);
const ISOLATES = Number(process.env.BENCH_E2E_ISOLATES ?? 16);
const SLOW_MS = 2;
const BODY = JSON.stringify({ id: 42, name: 'Ada Lovelace', segment: 'gold', tags: ['a', 'b', 'c'] });
const REQUEST = JSON.stringify({ input: { id: '42' } });
const fetchScript = (service: string) =>
  `function callService(context) { var r = api.rest.v1.get('${service}', { path: 'customers/{id}', pathParams: { id: context.getFirstParameter('id') } }); return [{ name: r.body.name }]; }`;

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;
const tsx = pathToFileURL(require.resolve('tsx')).href;
const self = fileURLToPath(import.meta.url);

// ---- child processes -------------------------------------------------------

interface Upstreams {
  fast: string;
  slow: string;
}

async function upstreamChild(delayMs: number): Promise<string> {
  const server = createHttpServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    if (delayMs > 0) setTimeout(() => res.end(BODY), delayMs);
    else res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function baselineChild(upstreams: Upstreams): Promise<string> {
  const { default: Fastify } = await import('fastify');
  const { Agent, request } = await import('undici');
  const agent = new Agent({ keepAliveTimeout: 60_000, connections: 64 });
  const app = Fastify({ logger: false });
  const get = async (base: string, id: string) => {
    const r = await request(`${base}/api/customers/${encodeURIComponent(id)}`, { dispatcher: agent, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    const body = (await r.body.json()) as { name: string };
    return { output: [{ name: body.name }] };
  };
  const idOf = (body: unknown) => (body as { input: { id: string } }).input.id;
  app.post('/fetch', async (req) => get(upstreams.fast, idOf(req.body)));
  app.post('/fetch-slow', async (req) => get(upstreams.slow, idOf(req.body)));
  app.post('/trivial', async (req) => ({ output: [{ id: idOf(req.body) }] }));
  return app.listen({ host: '127.0.0.1', port: 0 });
}

let stopChild = async () => {};

async function scriptcodeChild(upstreams: Upstreams): Promise<string> {
  const { createServer } = await import('../../src/server/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'scriptcode-bench-e2e-'));
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'scripts', 'fetch.js'), fetchScript('upstream'));
  writeFileSync(join(dir, 'scripts', 'fetch-slow.js'), fetchScript('slowUpstream'));
  writeFileSync(join(dir, 'scripts', 'trivial.js'), "function callService(context) { return [{ id: context.getFirstParameter('id') }]; }");
  writeFileSync(join(dir, 'scriptcode.yaml'), [
    'logging: { level: warn }',
    'cache: { watch: false }',
    `pool: { maxIsolates: ${ISOLATES} }`,
    'serviceDefaults: { allowInsecureHttp: true, network: { allowPrivate: true } }',
    'services:',
    `  upstream: { url: "${upstreams.fast}/api" }`,
    `  slowUpstream: { url: "${upstreams.slow}/api" }`,
    `server: { port: 0, warmIsolates: ${ISOLATES} }`,
    '',
  ].join('\n'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const server = await createServer({ app: dir, logDestination: 2 });
  // a process that exits with live isolates can hang in isolated-vm's teardown: close first
  stopChild = async () => {
    await server.close({ timeoutMs: 5_000 });
  };
  return server.listen();
}

if (process.argv[1] === self && process.argv[2] === '--child') {
  const [mode, arg = ''] = process.argv.slice(3);
  const url = mode === 'upstream' ? await upstreamChild(Number(arg))
    : mode === 'baseline' ? await baselineChild(JSON.parse(arg) as Upstreams)
    : await scriptcodeChild(JSON.parse(arg) as Upstreams);
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.on('SIGTERM', () => {
    void stopChild().finally(() => process.exit(0));
  });
}

// ---- the scenario ----------------------------------------------------------

interface Child {
  url: string;
  stop(): Promise<void>;
}

function startChild(mode: string, arg: string): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, ['--no-node-snapshot', '--import', tsx, self, '--child', mode, arg], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        resolve({
          url: (JSON.parse(line) as { url: string }).url,
          stop: async () => {
            if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
            await exited;
          },
        });
      }
    });
    exited.then(() => reject(new Error(`bench child ${mode} exited before listening`)));
  });
}

function load(url: string, seconds: number): Promise<AutocannonResult> {
  return autocannon({ url, method: 'POST', connections: CONNECTIONS, duration: seconds, headers: { 'content-type': 'application/json' }, body: REQUEST });
}

type Case = 'fetch' | 'trivial' | 'fetch-slow';
const EXPECTED: Record<Case, unknown> = { fetch: [{ name: 'Ada Lovelace' }], 'fetch-slow': [{ name: 'Ada Lovelace' }], trivial: [{ id: '42' }] };

/** Loads each case of one server in turn, after checking its answer and a warm-up. */
async function measure(mode: 'baseline' | 'scriptcode', upstreams: Upstreams, cases: readonly Case[]): Promise<Record<Case, AutocannonResult>> {
  const server = await startChild(mode, JSON.stringify(upstreams));
  try {
    const results = {} as Record<Case, AutocannonResult>;
    for (const c of cases) {
      const url = mode === 'baseline' ? `${server.url}/${c}` : `${server.url}/api/scripts/${c}/run`;
      const check = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: REQUEST });
      const answer = (await check.json()) as { output?: unknown };
      if (check.status !== 200 || JSON.stringify(answer.output) !== JSON.stringify(EXPECTED[c])) {
        throw new Error(`${mode} ${c}: unexpected answer ${check.status} ${JSON.stringify(answer)}`);
      }
      await load(url, WARMUP_SECONDS);
      results[c] = await load(url, SECONDS);
    }
    return results;
  } finally {
    await server.stop();
  }
}

const failures = (r: AutocannonResult) => r.non2xx + r.errors + r.timeouts;

export async function serverE2e(): Promise<BenchResult[]> {
  const fast = await startChild('upstream', '0');
  const slow = await startChild('upstream', String(SLOW_MS));
  try {
    const cases: Case[] = ['fetch', 'trivial', 'fetch-slow'];
    const base = await measure('baseline', { fast: fast.url, slow: slow.url }, cases);
    const script = await measure('scriptcode', { fast: fast.url, slow: slow.url }, cases);
    const row = (c: Case, title: string, baselineName: string, target?: number): BenchResult[] => {
      const ratio = script[c].requests.average / base[c].requests.average;
      const scenario = `server e2e, ${title}, autocannon c=${CONNECTIONS}, ${SECONDS} s`;
      return [
        {
          scenario, metric: 'throughput', value: script[c].requests.average, unit: 'req/s',
          baseline: { name: `${baselineName} req/s`, value: base[c].requests.average }, ratio,
          ...(target !== undefined && { target: `≥ ${target}× baseline`, pass: ratio >= target && failures(script[c]) === 0 && failures(base[c]) === 0 }),
        },
        { scenario, metric: 'p50 latency', value: script[c].latency.p50, unit: 'ms', baseline: { name: 'baseline p50 ms', value: base[c].latency.p50 } },
        { scenario, metric: 'p99 latency', value: script[c].latency.p99, unit: 'ms', baseline: { name: 'baseline p99 ms', value: base[c].latency.p99 } },
        { scenario, metric: 'non-2xx + errors', value: failures(script[c]), unit: 'responses', baseline: { name: 'baseline', value: failures(base[c]) } },
      ];
    };
    return [
      ...row('fetch', 'POST /api/scripts/{name}/run with one upstream GET', 'plain Fastify route + undici GET', 0.6),
      ...row('trivial', 'trivial script, no REST call', 'plain Fastify route'),
      ...row('fetch-slow', `one upstream GET, upstream answers in ${SLOW_MS} ms`, 'plain Fastify route + undici GET'),
    ];
  } finally {
    await fast.stop();
    await slow.stop();
  }
}
