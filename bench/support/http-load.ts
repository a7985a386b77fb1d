// HTTP load for the end-to-end scenarios: autocannon POSTing the same
// invocation request, after one checked request (a wrong answer must not be
// measured as a fast one).
import { createRequire } from 'node:module';

export interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

export const REQUEST = JSON.stringify({ input: { id: '42' } });

export const failures = (r: AutocannonResult) => r.non2xx + r.errors + r.timeouts;

export async function checkAnswer(url: string, expectedOutput: unknown): Promise<void> {
  const check = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: REQUEST });
  const answer = (await check.json()) as { output?: unknown };
  if (check.status !== 200 || JSON.stringify(answer.output) !== JSON.stringify(expectedOutput)) {
    throw new Error(`${url}: unexpected answer ${check.status} ${JSON.stringify(answer)}`);
  }
}

export function httpLoad(url: string, connections: number, seconds: number): Promise<AutocannonResult> {
  return autocannon({ url, method: 'POST', connections, duration: seconds, headers: { 'content-type': 'application/json' }, body: REQUEST });
}
