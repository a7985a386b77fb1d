// Collects every scenario's figures into one table and bench/results.json.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface BenchResult {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
  target?: string;
  pass?: boolean;
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

export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => ({
    scenario: r.scenario,
    metric: r.metric,
    value: `${r.value.toFixed(r.value < 10 ? 2 : 0)} ${r.unit}`,
    baseline: r.baseline ? `${r.baseline.value.toFixed(r.baseline.value < 10 ? 2 : 0)} (${r.baseline.name})` : '',
    ratio: r.ratio === undefined ? '' : r.ratio.toFixed(2),
    target: r.target ?? '',
    pass: r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  }));
  console.table(rows);
}

export function writeResults(path: string, results: BenchResult[]): void {
  writeFileSync(path, `${JSON.stringify({ machine: machine(), results }, null, 2)}\n`);
}
