// Issue 5: the server end to end. `POST /api/scripts/fetch/run`, whose script
// makes one upstream GET, driven by autocannon at 32 connections, against a
// plain Fastify route that makes the same upstream GET with undici, in the
// same run (target ≥ 0.6×). Two more comparisons say where the time goes: a
// trivial script (no REST call) against a trivial route, and the same GET to
// an upstream that takes 2 ms to answer.
//
// The upstream (the partner, see support/partner.ts) and each server under
// test run in child processes of their own (the load generator stays in this
// one), one server at a time, all on loopback. The ScriptCode server uses
// pool.maxIsolates 16 unless BENCH_E2E_ISOLATES says otherwise.
import type { BenchResult } from '../report.js';
import { startPartner } from '../support/partner.js';
import { e2eUrl, startE2eServer, type E2eSpec } from '../support/e2e-servers.js';
import { checkAnswer, failures, httpLoad, type AutocannonResult } from '../support/http-load.js';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_E2E_WARMUP_SECONDS ?? 3);
const ISOLATES = Number(process.env.BENCH_E2E_ISOLATES ?? 16);
const SLOW_MS = 2;
const fetchScript = (service: string) =>
  `function callService(context) { var r = api.rest.v1.get('${service}', { path: 'customers/{id}', pathParams: { id: context.getFirstParameter('id') } }); return [{ name: r.body.name }]; }`;

type Case = 'fetch' | 'trivial' | 'fetch-slow';
const CASES: readonly Case[] = ['fetch', 'trivial', 'fetch-slow'];
const EXPECTED: Record<Case, unknown> = { fetch: [{ name: 'Ada Lovelace' }], 'fetch-slow': [{ name: 'Ada Lovelace' }], trivial: [{ id: '42' }] };

/** Loads each case of one server in turn, after checking its answer and a warm-up. */
async function measure(spec: E2eSpec): Promise<Record<Case, AutocannonResult>> {
  const server = await startE2eServer(spec);
  try {
    const results = {} as Record<Case, AutocannonResult>;
    for (const c of CASES) {
      const url = e2eUrl(server, spec, c);
      await checkAnswer(url, EXPECTED[c]);
      await httpLoad(url, CONNECTIONS, WARMUP_SECONDS);
      results[c] = await httpLoad(url, CONNECTIONS, SECONDS);
    }
    return results;
  } finally {
    await server.stop();
  }
}

export async function serverE2e(): Promise<BenchResult[]> {
  const partner = await startPartner();
  try {
    const fast = partner.url(0);
    const slow = partner.url(SLOW_MS);
    const base = await measure({ kind: 'baseline', routes: { fetch: fast, 'fetch-slow': slow, trivial: null } });
    const script = await measure({
      kind: 'scriptcode',
      scripts: { fetch: fetchScript('upstream'), 'fetch-slow': fetchScript('slowUpstream'), trivial: "function callService(context) { return [{ id: context.getFirstParameter('id') }]; }" },
      yaml: [
        `pool: { maxIsolates: ${ISOLATES} }`,
        'serviceDefaults: { allowInsecureHttp: true, network: { allowPrivate: true } }',
        'services:',
        `  upstream: { url: "${fast}/api" }`,
        `  slowUpstream: { url: "${slow}/api" }`,
        `server: { port: 0, warmIsolates: ${ISOLATES} }`,
      ].join('\n'),
    });
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
    await partner.stop();
  }
}
