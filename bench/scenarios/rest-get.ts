// Issue 3: a script doing one api.rest.v1.get per invocation against a local
// keep-alive server, against raw undici.request on the same server in the
// same run, at concurrency 1 and 16.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createRuntime } from '../../src/index.js';
import { createRuntimeLogger } from '../../src/logging/logger.js';
import type { BenchResult } from '../report.js';
import { measureConcurrent } from '../stats.js';

const N = Number(process.env.BENCH_REST_CALLS ?? 10_000);
const BODY = JSON.stringify({ id: 42, name: 'Ada Lovelace', segment: 'gold', tags: ['a', 'b', 'c'] });

/** `delayMs` > 0 stands for a partner service that takes that long to answer. */
async function startUpstream(delayMs: number): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    if (delayMs > 0) setTimeout(() => res.end(BODY), delayMs);
    else res.end(BODY);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function restGet(): Promise<BenchResult[]> {
  return [...(await restGetWith(0, N)), ...(await restGetWith(1, Math.ceil(N / 5)))];
}

async function restGetWith(delayMs: number, calls: number): Promise<BenchResult[]> {
  const { server, url } = await startUpstream(delayMs);
  const dir = mkdtempSync(join(tmpdir(), 'scriptcode-bench-'));
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'scriptcode.yaml'), `services:\n  upstream:\n    url: ${url}/api\n    allowInsecureHttp: true\n    network: { allowPrivate: true }\npool:\n  maxIsolates: 16\n`);
  writeFileSync(join(dir, 'scripts', 'fetch.js'), "function callService(context) { var r = api.rest.v1.get('upstream', { path: 'customers/{id}', pathParams: { id: context.getFirstParameter('id') } }); return [{ name: r.body.name }]; }");
  const runtime = await createRuntime({ app: dir, watch: false, warmIsolates: 16, logger: createRuntimeLogger({ level: 'warn', destination: 2 }) });
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  const raw = async () => {
    const r = await request(`${url}/api/customers/42`, { dispatcher: agent, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    const body = (await r.body.json()) as { name: string };
    return [{ name: body.name }];
  };
  const viaScript = () => runtime.runScript('fetch', { input: { id: '42' } });
  try {
    const results: BenchResult[] = [];
    for (const c of [1, 16]) {
      await measureConcurrent(Math.min(1000, calls), c, raw);
      await measureConcurrent(Math.min(1000, calls), c, viaScript);
      const rawOps = await measureConcurrent(calls, c, raw);
      const scriptOps = await measureConcurrent(calls, c, viaScript);
      const target = c === 1 ? 0.85 : 0.75;
      results.push({
        scenario: `api.rest.v1.get per invocation, upstream ${delayMs} ms, c=${c}`,
        metric: 'throughput',
        value: scriptOps,
        unit: 'inv/s',
        baseline: { name: 'raw undici.request calls/s', value: rawOps },
        ratio: scriptOps / rawOps,
        target: `≥ ${target}× raw`,
        pass: scriptOps / rawOps >= target,
      });
    }
    return results;
  } finally {
    await runtime.close();
    await agent.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
  }
}
