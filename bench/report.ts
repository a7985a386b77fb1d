// Collects every scenario's figures into one table and bench/results.json.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface BenchResult {
  /** the `npm run bench -- <name>` that produced it (set by run.ts) */
  suite?: string;
  /** 1-minute load average when its suite started (set by run.ts) */
  loadBefore?: number;
  /** when it was measured (set by writeResults) */
  measuredAt?: string;
  /** the code measured: commit, and whether src/ had changes not committed (set by writeResults) */
  revision?: string;
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
  target?: string;
  pass?: boolean;
  /** what the figure alone does not say: errors, the partner's concurrency, the settings */
  note?: string;
}

export function machine() {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    date: new Date().toISOString(),
  };
}

/** BENCH_REVISION names the code when it is not a git checkout (a copy of an older commit, say) */
function revision(): string {
  if (process.env.BENCH_REVISION) return process.env.BENCH_REVISION;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: new URL('.', import.meta.url), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', ':/src') ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
}

export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => ({
    scenario: r.scenario,
    metric: r.metric,
    value: `${r.value.toFixed(r.value < 10 ? 2 : 0)} ${r.unit}`,
    baseline: r.baseline ? `${r.baseline.value.toFixed(r.baseline.value < 10 ? 2 : 0)} (${r.baseline.name})` : '',
    ratio: r.ratio === undefined ? '' : r.ratio.toFixed(2),
    target: r.target ?? '',
    pass: r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
    note: r.note ?? '',
  }));
  console.table(rows);
}

/**
 * Replaces the figures of the scenarios that ran and keeps the others, so
 * that running one scenario does not erase the rest of the record.
 */
export function writeResults(path: string, results: BenchResult[], ran: readonly string[]): void {
  const measuredAt = new Date().toISOString();
  const code = revision();
  let kept: BenchResult[] = [];
  if (existsSync(path)) {
    try {
      const previous = JSON.parse(readFileSync(path, 'utf8')) as { results?: BenchResult[] };
      kept = (previous.results ?? []).filter((r) => r.suite !== undefined && !ran.includes(r.suite));
    } catch {
      // an unreadable record is replaced
    }
  }
  const fresh = results.map((r) => ({ ...r, measuredAt, revision: code }));
  writeFileSync(path, `${JSON.stringify({ machine: machine(), results: [...kept, ...fresh] }, null, 2)}\n`);
}
