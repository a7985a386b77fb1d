// Issue 13: `scriptcode --help`/`--version` and `import('scriptcode')` must be
// fast, so neither may load the heavy packages (the TypeScript compiler alone
// takes over a second) before a command runs or a runtime is created. Timing
// belongs in bench/cli-start.ts (the machine is shared); this test walks the
// static imports of the sources — what Node loads before any `await import()`
// — and fails when a heavy package becomes reachable.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '../../src');
const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/scriptcode.js');
/** loads isolated-vm (the build for the running Node.js line) when it is evaluated: it counts as the package */
const ISOLATED_VM_LOADER = join(src, 'sandbox/isolated-vm.ts');

/** Imports Node evaluates when the module is loaded: `import type` / `export type` are erased, everything else is kept. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    if (m[2]) continue;
    if (m[1] === 'export' && !m[3]) continue;
    found.push(m[4]!);
  }
  return found;
}

/** Every package reachable from `entry` through static imports, with one chain that reaches it. */
function reachablePackages(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (file === ISOLATED_VM_LOADER && !packages.has('isolated-vm')) packages.set('isolated-vm', chain);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), [...chain, spec]);
      else if (!spec.startsWith('node:') && !packages.has(spec)) packages.set(spec, [...chain, spec]);
    }
  };
  visit(join(src, entry), [entry]);
  return packages;
}

const HEAVY = ['typescript', 'ts-blank-space', 'esbuild', 'isolated-vm', 'fastify', 'undici', 'zod', 'yaml', 'pino', 'acorn', 'chokidar', 'prom-client', 'oauth4webapi', 'fast-xml-parser', 'ipaddr.js'];

describe('start-up cost', () => {
  it('the CLI loads only commander before a command runs', () => {
    const packages = reachablePackages('cli/main.ts');
    expect([...packages.keys()]).toEqual(['commander']);
  });

  it("import('scriptcode') loads none of the runtime's packages: createRuntime and createServer load them", () => {
    const packages = reachablePackages('index.ts');
    const heavy = HEAVY.filter((name) => packages.has(name)).map((name) => packages.get(name)!.join(' → '));
    expect(heavy).toEqual([]);
  });

  it('the runtime itself does not load the TypeScript compiler (only .ts scripts and `check` do)', () => {
    const packages = reachablePackages('runtime/runtime.ts');
    expect(packages.has('isolated-vm')).toBe(true); // the walk does see the runtime's own packages
    for (const name of ['typescript', 'ts-blank-space', 'esbuild']) expect(packages.get(name), name).toBeUndefined();
    // and nothing in the sources uses esbuild any more
    expect(reachablePackages('tools/checker.ts').has('esbuild')).toBe(false);
  });

  it('bin/scriptcode.js starts Node once for --help, --version and init, twice (with --no-node-snapshot) for a command that runs scripts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scriptcode-bin-'));
    try {
      // every Node process started appends its pid and flags to one file
      const log = join(dir, 'starts.log');
      writeFileSync(join(dir, 'count.cjs'), `require('fs').appendFileSync(${JSON.stringify(log)}, process.pid + ' ' + process.execArgv.join(' ') + '\\n');`);
      const starts = (args: string[]) => {
        writeFileSync(log, '');
        const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${join(dir, 'count.cjs')}` } });
        return { code: r.status, lines: readFileSync(log, 'utf8').trim().split('\n') };
      };
      for (const args of [['--help'], ['--version'], ['run', '--help'], ['init', 'app']]) expect(starts(args), args.join(' ')).toMatchObject({ code: 0, lines: [expect.any(String)] });
      const check = starts(['check', '--app', join(dir, 'app')]);
      expect(check.code).toBe(0);
      expect(check.lines).toHaveLength(2);
      expect(check.lines[1]).toContain('--no-node-snapshot');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
