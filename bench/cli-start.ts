// Start-up time of the built CLI and library (issue 13: `--help`/`--version`
// ≤ 300 ms, `import('scriptcode')` ≤ 400 ms). Not a test: the machine is
// shared, so each figure is the median of N runs next to the same run's bare
// `node` start. Needs `npm run build` first (it times dist/, as users run it).
//
//   node --import tsx bench/cli-start.ts [runs] [root]   (default 10 runs, this checkout)
//
// `root` is another built checkout (its bin/ and dist/), for before/after figures.
//
// Uses hyperfine when it is installed, else spawns each command N times
// (after one warm-up run) and reports min / median / max wall time. Without
// hyperfine the commands take turns (run 1 of every command, then run 2, …),
// so a burst of load from other work on the machine hits all of them alike;
// "+floor" is the median minus the bare `node --no-node-snapshot` median.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 10);
const root = process.argv[3] ? resolve(process.argv[3]) : join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'scriptcode.js');
const node = process.execPath;

if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('bench/cli-start: no dist/ — run `npm run build` first\n');
  process.exit(2);
}

interface Case { name: string; args: string[]; target?: number }
const cases: Case[] = [
  { name: 'node -e 0 (floor, snapshot on)', args: ['-e', '0'] },
  { name: 'node --no-node-snapshot -e 0 (floor)', args: ['--no-node-snapshot', '-e', '0'] },
  { name: 'scriptcode --help (--no-node-snapshot)', args: ['--no-node-snapshot', bin, '--help'], target: 300 },
  { name: 'scriptcode --version (--no-node-snapshot)', args: ['--no-node-snapshot', bin, '--version'], target: 300 },
  { name: 'scriptcode run --help (--no-node-snapshot)', args: ['--no-node-snapshot', bin, 'run', '--help'], target: 300 },
  { name: 'scriptcode --help through bin/scriptcode.js (one Node start)', args: [bin, '--help'] },
  { name: 'scriptcode --version through bin/scriptcode.js (one Node start)', args: [bin, '--version'] },
  {
    name: "import('scriptcode') (--no-node-snapshot)",
    // a self-reference by package name, resolved through package.json "exports" like an embedder's import
    args: ['--no-node-snapshot', '--input-type=module', '-e', "await import('scriptcode')"],
    target: 400,
  },
];

function hasHyperfine(): boolean {
  return spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function timeOnce(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(node, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** every case's samples, sorted; the cases take turns */
function timeWithNode(): number[][] {
  const samples: number[][] = cases.map(() => []);
  for (const c of cases) timeOnce(c.args); // warms the file-system cache
  for (let i = 0; i < runs; i++) cases.forEach((c, n) => samples[n]!.push(timeOnce(c.args)));
  return samples.map((list) => list.sort((a, b) => a - b));
}

function timeWithHyperfine(args: string[]): number[] {
  const out = execFileSync('hyperfine', ['--warmup', '1', '--runs', String(runs), '--export-json', '-', '--style', 'none',
    [node, ...args].map(quote).join(' ')], { cwd: root, encoding: 'utf8' });
  return ((JSON.parse(out) as { results: { times: number[] }[] }).results[0].times.map((s) => s * 1000)).sort((a, b) => a - b);
}

const useHyperfine = hasHyperfine();
process.stdout.write(`${root}: ${runs} runs each (${useHyperfine ? 'hyperfine' : 'spawnSync'}), Node ${process.version}, load ${loadavg()[0].toFixed(2)}\n`);
const width = Math.max(...cases.map((c) => c.name.length));
const all = useHyperfine ? cases.map((c) => timeWithHyperfine(c.args)) : timeWithNode();
const median = (samples: number[]) => samples[Math.floor(samples.length / 2)]!;
const floor = median(all[1]!);
cases.forEach((c, n) => {
  const samples = all[n]!;
  const m = median(samples);
  const verdict = c.target === undefined ? '' : m <= c.target ? `  ≤ ${c.target} ms: met` : `  ≤ ${c.target} ms: NOT met`;
  const over = n < 2 ? '' : `, +floor ${(m - floor).toFixed(0)}`;
  process.stdout.write(`${c.name.padEnd(width)}  median ${m.toFixed(0).padStart(5)} ms  (min ${samples[0]!.toFixed(0)}, max ${samples[samples.length - 1]!.toFixed(0)}${over})${verdict}\n`);
});
