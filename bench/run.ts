// `npm run bench`: runs every scenario, prints a table, writes bench/results.json.
// Only loopback servers; every server and runtime started here is stopped here.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { printTable, writeResults, type BenchResult } from './report.js';
import { scriptInvocation } from './scenarios/script-invocation.js';
import { restGet } from './scenarios/rest-get.js';
import { soak } from './scenarios/soak.js';
import { oauth } from './scenarios/oauth.js';
import { serverE2e } from './scenarios/server-e2e.js';
import { executionCoreSlow } from './scenarios/execution-core-slow.js';
import { executionCoreFloor } from './scenarios/execution-core-floor.js';
import { executionCoreE2e } from './scenarios/execution-core-e2e.js';
import { scaleOut } from './scenarios/scale-out.js';
import { sharedState } from './scenarios/shared-state.js';

const scenarios: Record<string, () => Promise<BenchResult[]>> = {
  'script-invocation': scriptInvocation,
  'rest-get': restGet,
  oauth,
  'server-e2e': serverE2e,
  'execution-core-slow': executionCoreSlow,
  'execution-core-floor': executionCoreFloor,
  'execution-core-e2e': executionCoreE2e,
  'scale-out': scaleOut,
  'shared-state': sharedState,
  soak,
};
/** names that stand for several scenarios */
const groups: Record<string, string[]> = {
  'execution-core': ['execution-core-slow', 'execution-core-floor', 'execution-core-e2e'],
};

const asked = process.argv.slice(2).flatMap((name) => groups[name] ?? [name]);
const unknown = asked.filter((name) => !scenarios[name]);
if (unknown.length) {
  process.stderr.write(`bench: unknown scenario ${unknown.join(', ')}; known: ${[...Object.keys(scenarios), ...Object.keys(groups)].join(', ')}\n`);
  process.exit(2);
}
const ran = Object.keys(scenarios).filter((name) => !asked.length || asked.includes(name));
const results: BenchResult[] = [];
for (const name of ran) {
  // the machine is shared: a busy one explains a bad figure better than a regression does
  const loadBefore = loadavg()[0];
  process.stderr.write(`bench: ${name}… (load average ${loadBefore.toFixed(2)})\n`);
  results.push(...(await scenarios[name]()).map((r) => ({ suite: name, loadBefore, ...r })));
}
printTable(results);
writeResults(fileURLToPath(new URL('./results.json', import.meta.url)), results, ran);
