// Issue 16: `scriptcode serve --workers 2` against `--workers 1`, end to end:
// autocannon at 64 connections (in this process) POSTs an async-mode script
// that makes one GET to a partner answering in 10 ms (a child process), each
// server a `scriptcode serve` process tree of its own, measured in turns. The
// machine has 2 cores and also runs the load generator and the partner.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from '../report.js';
import { appScripts, servicesYaml } from '../support/app.js';
import { checkAnswer, failures, httpLoad } from '../support/http-load.js';
import { startPartner } from '../support/partner.js';

const CONNECTIONS = 64;
const DELAY_MS = 10;
const SCRIPT = `async-p${DELAY_MS}`;
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_E2E_WARMUP_SECONDS ?? 3);
const ROUNDS = 2;
const entry = fileURLToPath(new URL('../support/serve-entry.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Serve {
  url: string;
  stop(): Promise<void>;
}

/** `scriptcode serve --workers N` on a free port; resolves once every worker listens. */
function serve(app: string, workers: number): Promise<Serve> {
  const child: ChildProcess = spawn(process.execPath, ['--no-node-snapshot', '--import', tsx, entry, 'serve', '--app', app, '--port', '0', '--workers', String(workers), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url) resolve({
        url,
        stop: () => new Promise<void>((done) => {
          child.once('exit', () => done());
          process.kill(child.pid!, 'SIGTERM');
        }),
      });
    });
    child.once('exit', (code) => reject(new Error(`serve --workers ${workers} exited with ${code}: ${stderr}`)));
  });
}

export async function scaleOut(): Promise<BenchResult[]> {
  const partner = await startPartner();
  const app = mkdtempSync(join(tmpdir(), 'scriptcode-bench-scale-'));
  mkdirSync(join(app, 'scripts'));
  writeFileSync(join(app, 'scripts', `${SCRIPT}.js`), appScripts()[SCRIPT]!);
  writeFileSync(join(app, 'scriptcode.yaml'), ['cache: { watch: false }', servicesYaml(partner.url, [DELAY_MS]), ''].join('\n'));
  const servers: Serve[] = [];
  try {
    for (const workers of [1, 2]) servers.push(await serve(app, workers));
    const urls = servers.map((s) => `${s.url}/api/scripts/${SCRIPT}/run`);
    for (const url of urls) {
      await checkAnswer(url, [{ name: 'Ada Lovelace' }]);
      await httpLoad(url, CONNECTIONS, WARMUP_SECONDS);
    }
    const sums = urls.map(() => ({ reqPerSec: 0, p50: 0, p99: 0, failures: 0 }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, url] of urls.entries()) {
        const r = await httpLoad(url, CONNECTIONS, SECONDS / ROUNDS);
        sums[i]!.reqPerSec += r.requests.average / ROUNDS;
        sums[i]!.p50 += r.latency.p50 / ROUNDS;
        sums[i]!.p99 += r.latency.p99 / ROUNDS;
        sums[i]!.failures += failures(r);
      }
    }
    const [one, two] = sums as [typeof sums[0], typeof sums[0]];
    const ratio = two.reqPerSec / one.reqPerSec;
    return [{
      scenario: `serve --workers 2, async script, one GET to a ${DELAY_MS} ms partner, autocannon c=${CONNECTIONS}`,
      metric: 'throughput', value: two.reqPerSec, unit: 'req/s',
      baseline: { name: 'serve --workers 1 req/s', value: one.reqPerSec }, ratio,
      target: '≥ 1.4× one worker', pass: ratio >= 1.4 && two.failures === 0 && one.failures === 0,
      note: `p50 ${two.p50.toFixed(1)} ms, p99 ${two.p99.toFixed(1)} ms (one worker ${one.p50.toFixed(1)} / ${one.p99.toFixed(1)} ms); non-2xx + errors ${two.failures} (one worker ${one.failures}); ${SECONDS} s in ${ROUNDS} turns after ${WARMUP_SECONDS} s warm-up; 2 cores shared with autocannon and the partner`,
    }];
  } finally {
    for (const s of servers) await s.stop();
    await partner.stop();
    rmSync(app, { recursive: true, force: true });
  }
}
