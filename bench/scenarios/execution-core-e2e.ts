// Issue 10, the server end to end: autocannon at 64 connections against the
// ScriptCode server (as `scriptcode serve` runs it, default pool) whose
// script makes one GET to a partner answering in 10 ms, once as a sync-mode
// script and once as an async-mode one, against a plain Fastify route doing
// the same GET with undici, in the same run. Partner and servers each run in
// a child process of their own (all started, measured in turns); the load
// generator stays in this one.
import type { BenchResult } from '../report.js';
import { appScripts, servicesYaml } from '../support/app.js';
import type { Child } from '../support/child.js';
import { e2eUrl, startE2eServer, type E2eSpec } from '../support/e2e-servers.js';
import { checkAnswer, failures, httpLoad, type AutocannonResult } from '../support/http-load.js';
import { startPartner } from '../support/partner.js';

const CONNECTIONS = 64;
const DELAY_MS = 10;
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_E2E_WARMUP_SECONDS ?? 3);
const ROUNDS = 2;
const EXPECTED = [{ name: 'Ada Lovelace' }];

interface Figure {
  reqPerSec: number;
  p50: number;
  p99: number;
  failures: number;
}

/**
 * Each URL in turn, ROUNDS times, SECONDS in all per URL, after one warm-up
 * each: taking turns spreads other work on the shared machine over all of
 * them alike. Rates and percentiles are the means over the rounds.
 */
async function measure(urls: string[]): Promise<Figure[]> {
  const sums = urls.map(() => ({ reqPerSec: 0, p50: 0, p99: 0, failures: 0 }));
  for (const url of urls) {
    await checkAnswer(url, EXPECTED);
    await httpLoad(url, CONNECTIONS, WARMUP_SECONDS);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, url] of urls.entries()) {
      const r: AutocannonResult = await httpLoad(url, CONNECTIONS, SECONDS / ROUNDS);
      sums[i].reqPerSec += r.requests.average / ROUNDS;
      sums[i].p50 += r.latency.p50 / ROUNDS;
      sums[i].p99 += r.latency.p99 / ROUNDS;
      sums[i].failures += failures(r);
    }
  }
  return sums;
}

export async function executionCoreE2e(): Promise<BenchResult[]> {
  const partner = await startPartner();
  const started: Child<{ url: string }>[] = [];
  try {
    const scripts = appScripts();
    const names = [`sync-p${DELAY_MS}`, `async-p${DELAY_MS}`];
    const baselineSpec: E2eSpec = { kind: 'baseline', routes: { fetch: partner.url(DELAY_MS) } };
    const productSpec: E2eSpec = {
      kind: 'scriptcode',
      scripts: Object.fromEntries(names.map((n) => [n, scripts[n]])),
      yaml: [servicesYaml(partner.url, [DELAY_MS]), 'server: { port: 0 }'].join('\n'),
    };
    const baseline = await startE2eServer(baselineSpec);
    started.push(baseline);
    const product = await startE2eServer(productSpec);
    started.push(product);
    const [base, ...measured] = await measure([e2eUrl(baseline, baselineSpec, 'fetch'), ...names.map((n) => e2eUrl(product, productSpec, n))]);
    return (['sync', 'async'] as const).map((mode, i): BenchResult => {
      const r = measured[i];
      const target = mode === 'sync' ? 0.6 : 0.8;
      const ratio = r.reqPerSec / base.reqPerSec;
      const scenario = `server e2e, ${mode} script, one GET to a ${DELAY_MS} ms partner, autocannon c=${CONNECTIONS}, default pool`;
      return {
        scenario, metric: 'throughput', value: r.reqPerSec, unit: 'req/s',
        baseline: { name: 'plain Fastify route + undici GET req/s', value: base.reqPerSec }, ratio,
        target: `≥ ${target}× baseline`, pass: ratio >= target && r.failures === 0 && base.failures === 0,
        note: `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (baseline ${base.p50.toFixed(1)} / ${base.p99.toFixed(1)} ms); non-2xx + errors ${r.failures} (baseline ${base.failures}); ${SECONDS} s in ${ROUNDS} turns after ${WARMUP_SECONDS} s warm-up`,
      };
    });
  } finally {
    for (const server of started) await server.stop();
    await partner.stop();
  }
}
