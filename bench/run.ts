// `npm run bench`: runs every scenario, prints a table, writes bench/results.json.
// Only loopback servers; every server and runtime started here is stopped here.
import { fileURLToPath } from 'node:url';
import { printTable, writeResults, type BenchResult } from './report.js';
import { scriptInvocation } from './scenarios/script-invocation.js';
import { restGet } from './scenarios/rest-get.js';
import { soak } from './scenarios/soak.js';
import { oauth } from './scenarios/oauth.js';
import { serverE2e } from './scenarios/server-e2e.js';

const scenarios: Record<string, () => Promise<BenchResult[]>> = {
  'script-invocation': scriptInvocation,
  'rest-get': restGet,
  oauth,
  'server-e2e': serverE2e,
  soak,
};

const only = process.argv.slice(2);
const results: BenchResult[] = [];
for (const [name, run] of Object.entries(scenarios)) {
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  results.push(...(await run()));
}
printTable(results);
writeResults(fileURLToPath(new URL('./results.json', import.meta.url)), results);
