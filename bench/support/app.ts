// The application the execution-core scenarios run: one service per partner
// delay (`p0`, `p10`, `p100`, `p500`), and for each a sync-mode and an
// async-mode script doing the same single GET, plus an async fan-out of three
// GETs. Default pool settings: no `pool:` section, as an operator would start.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '../../src/index.js';

export const DELAYS = [0, 10, 100, 500] as const;
export const CUSTOMER_PATH = 'api/customers/42';
const INPUT = { input: { id: '42' } };
export const EXPECTED = JSON.stringify([{ name: 'Ada Lovelace' }]);

const get = (service: string, id: string) => `api.rest.v1.get('${service}', { path: 'customers/{id}', pathParams: { id: ${id} } })`;

export function appScripts(): Record<string, string> {
  const scripts: Record<string, string> = {};
  for (const d of DELAYS) {
    scripts[`sync-p${d}`] = `function callService(context) {
  var r = ${get(`p${d}`, "context.getFirstParameter('id')")};
  return [{ name: r.body.name }];
}`;
    scripts[`async-p${d}`] = `async function callService(context) {
  const r = await ${get(`p${d}`, "context.getFirstParameter('id')")};
  return [{ name: r.body.name }];
}`;
  }
  scripts['fanout-p100'] = `async function callService(context) {
  const id = context.getFirstParameter('id');
  const rs = await Promise.all([${get('p100', 'id')}, ${get('p100', 'id')}, ${get('p100', 'id')}]);
  return [{ name: rs[0].body.name }];
}`;
  return scripts;
}

/** the services section for a partner (see partner.ts) */
export function servicesYaml(partnerUrl: (delayMs: number) => string, delays: readonly number[] = DELAYS): string {
  return [
    'serviceDefaults: { allowInsecureHttp: true, network: { allowPrivate: true } }',
    'services:',
    ...delays.map((d) => `  p${d}: { url: "${partnerUrl(d)}/api" }`),
  ].join('\n');
}

/** Writes the application folder; the caller removes it with `rmSync`. */
export function writeApp(yaml: string, scripts: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scriptcode-bench-core-'));
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'scriptcode.yaml'), `${yaml}\n`);
  for (const [name, source] of Object.entries(scripts)) writeFileSync(join(dir, 'scripts', `${name}.js`), source);
  return dir;
}

export interface BenchRuntime {
  runtime: Runtime;
  /** one invocation of `script` (input id 42) */
  invoke(script: string): Promise<unknown>;
  /** one invocation, checked: throws unless it answers the expected output */
  check(script: string): Promise<void>;
  close(): Promise<void>;
}

/** A runtime over a fresh copy of the application, as the library API is used. */
export async function startRuntime(partnerUrl: (delayMs: number) => string): Promise<BenchRuntime> {
  // imported here, not at the top: a raw-undici phase process must not carry the product's modules in its RSS
  const { createRuntime } = await import('../../src/index.js');
  const { createRuntimeLogger } = await import('../../src/logging/logger.js');
  const dir = writeApp(servicesYaml(partnerUrl), appScripts());
  // failures are counted by the load; a warning line for each would flood the terminal
  const runtime = await createRuntime({ app: dir, watch: false, logger: createRuntimeLogger({ level: 'error', destination: 2 }) });
  return {
    runtime,
    invoke: (script) => runtime.runScript(script, INPUT),
    async check(script) {
      const answer = await runtime.runScript(script, INPUT);
      if (JSON.stringify(answer.output) !== EXPECTED) throw new Error(`${script}: unexpected output ${JSON.stringify(answer.output)}`);
    },
    async close() {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
