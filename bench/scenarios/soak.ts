// Issue 7 §5: 100 000 invocations that each make a REST call, at concurrency
// 16; RSS and heap after warm-up and at the end, and the open handles.
// Target: RSS growth ≤ 30 MB after warm-up.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '../../src/index.js';
import { createRuntimeLogger } from '../../src/logging/logger.js';
import type { BenchResult } from '../report.js';
import { measureConcurrent } from '../stats.js';

const TOTAL = Number(process.env.BENCH_SOAK_INVOCATIONS ?? 100_000);
const WARMUP = Math.min(10_000, Math.floor(TOTAL / 10));
const MB = 1024 * 1024;

function snapshot() {
  global.gc?.();
  const m = process.memoryUsage();
  return { rssMb: m.rss / MB, heapMb: m.heapUsed / MB, handles: process.getActiveResourcesInfo().length };
}

export async function soak(): Promise<BenchResult[]> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: req.url, name: 'Ada Lovelace', segment: 'gold' }));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'scriptcode-soak-'));
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'scriptcode.yaml'), `services:\n  upstream: { url: '${url}/api', allowInsecureHttp: true, network: { allowPrivate: true } }\nlogging:\n  level: warn\n`);
  writeFileSync(join(dir, 'scripts', 'soak.js'), `function callService(context) {
    var id = context.getFirstParameter('id');
    var r = api.rest.v1.get('upstream', { path: 'customers/{id}', pathParams: { id: id }, queryParams: { q: id } });
    Logger.debug('got {}', r.body.name);
    return [{ name: r.body.name, id: id }];
  }`);
  const runtime = await createRuntime({ app: dir, watch: false, logger: createRuntimeLogger({ level: 'warn', destination: 2 }) });
  let n = 0;
  const call = () => runtime.runScript('soak', { input: { id: String(n++) } });
  try {
    await measureConcurrent(WARMUP, 16, call);
    const before = snapshot();
    const started = performance.now();
    const rate = await measureConcurrent(TOTAL, 16, call);
    const seconds = (performance.now() - started) / 1000;
    const after = snapshot();
    process.stderr.write(`soak: ${TOTAL} invocations in ${seconds.toFixed(1)} s; RSS ${before.rssMb.toFixed(1)} → ${after.rssMb.toFixed(1)} MB; heap ${before.heapMb.toFixed(1)} → ${after.heapMb.toFixed(1)} MB; handles ${before.handles} → ${after.handles}\n`);
    const growth = after.rssMb - before.rssMb;
    return [
      { scenario: `soak: ${TOTAL} invocations with a REST call, c=16`, metric: 'RSS growth after warm-up', value: growth, unit: 'MB', target: '≤ 30 MB', pass: growth <= 30 },
      { scenario: `soak: ${TOTAL} invocations with a REST call, c=16`, metric: 'heap used growth', value: after.heapMb - before.heapMb, unit: 'MB' },
      { scenario: `soak: ${TOTAL} invocations with a REST call, c=16`, metric: 'RSS at end', value: after.rssMb, unit: 'MB' },
      { scenario: `soak: ${TOTAL} invocations with a REST call, c=16`, metric: 'open handles before → after', value: after.handles - before.handles, unit: 'handles' },
      { scenario: `soak: ${TOTAL} invocations with a REST call, c=16`, metric: 'throughput', value: rate, unit: 'inv/s' },
    ];
  } finally {
    await runtime.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}
