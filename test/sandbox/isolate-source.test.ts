// The code that runs inside the isolates is TypeScript (src/sandbox/isolate/,
// src/bindings/*/isolate.ts) bundled by esbuild into one function expression
// (src/sandbox/isolate-source.ts): what the bundle must and must not be.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { restV1 } from '../../src/bindings/rest-v1/index.js';
import { bundleIsolateSource, cachedBundle, isolateSource } from '../../src/sandbox/isolate-source.js';
import ivm from '../../src/sandbox/isolated-vm.js';
import { PRELUDE_FILENAME, preludeSource } from '../../src/sandbox/prelude.js';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const sources = [
  ...readdirSync(join(src, 'sandbox', 'isolate')).filter((f) => f.endsWith('.ts')).map((f) => join(src, 'sandbox', 'isolate', f)),
  join(src, 'bindings', 'rest-v1', 'isolate.ts'),
].map((f) => readFileSync(f, 'utf8')).join('\n');

const bundles = { prelude: preludeSource(), 'rest.v1': restV1.isolateSource };
const scratch: string[] = [];
afterAll(() => { for (const dir of scratch) rmSync(dir, { recursive: true, force: true }); });

describe('isolate code bundles', () => {
  for (const [name, text] of Object.entries(bundles)) {
    it(`${name}: one strict function expression, no esbuild helpers, every function keeps its name`, () => {
      expect(text).toMatch(/^\(function ([\w$]+)\(\) \{\n'use strict';\n[\s\S]*\nreturn \1\(arguments\[0\]\);\n\}\)$/);
      // helpers (__export, __name, __publicField, …) are module-level vars esbuild declares
      expect(text).not.toMatch(/\bvar __\w+ =/);
      expect(text).not.toMatch(/\b(export|import)\b[\s{*]/);
      // esbuild renames duplicate top-level names (toString → toString2): scripts see functions' names
      const named = [...text.matchAll(/\b(function\*?|class) ([\w$]+)/g)].map((m) => `${m[1]} ${m[2]}`);
      expect(named.length).toBeGreaterThan(0);
      expect(named.filter((n) => !sources.includes(n))).toEqual([]);
    });
  }

  it('the prelude adds the documented globals, removes what hardening removes, and leaks none of its own', async () => {
    const isolate = new ivm.Isolate({ memoryLimit: 32 });
    try {
      const context = await isolate.createContext();
      const names = () => JSON.parse(context.evalSync('JSON.stringify(Object.getOwnPropertyNames(globalThis))') as string) as string[];
      for (const host of ['__scHostCall', '__scHostLog']) context.global.setSync(host, new ivm.Reference(() => ''));
      const before = names();
      const script = await isolate.compileScript(`(${preludeSource()})([{ path: 'rest.v1', factory: (${restV1.isolateSource}) }])`, { filename: PRELUDE_FILENAME });
      const driver = (await script.run(context, { reference: true })) as ivm.Reference<Record<string, unknown>>;
      expect(driver.typeof).toBe('object');
      const after = names();
      // (V8 has a console of its own: the prelude's replaces it)
      const documented = ['Logger', 'api', 'atob', 'btoa', 'console', 'nonsensitive'];
      expect(after.filter((n) => !before.includes(n)).sort()).toEqual(documented.filter((n) => !before.includes(n)));
      for (const name of documented) expect(after).toContain(name);
      expect(before.filter((n) => !after.includes(n)).sort()).toEqual(
        ['Atomics', 'FinalizationRegistry', 'SharedArrayBuffer', 'WeakRef', 'WebAssembly', '__scHostCall', '__scHostLog', 'eval'].filter((n) => before.includes(n)).sort());
    } finally {
      isolate.dispose();
    }
  });

  it('reads the prebuilt bundle next to the entry when there is one (dist/)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scriptcode-isolate-'));
    scratch.push(dir);
    writeFileSync(join(dir, 'entry.bundle.js'), '(function prebuilt() {})');
    expect(isolateSource(pathToFileURL(join(dir, 'entry.ts')))).toBe('(function prebuilt() {})');
    expect(() => isolateSource(pathToFileURL(join(dir, 'missing.ts')))).toThrow(/npm run build/);
  });

  it('refuses isolate code that imports a module outside the isolate folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'scriptcode-isolate-'));
    scratch.push(root);
    writeFileSync(join(root, 'tsconfig.isolate.json'), '{}');
    mkdirSync(join(root, 'src', 'sandbox', 'isolate'), { recursive: true });
    writeFileSync(join(root, 'src', 'host.ts'), 'export const fromHost = 1;\n');
    writeFileSync(join(root, 'src', 'sandbox', 'isolate', 'index.ts'), "import { fromHost } from '../../host.js';\nexport default function entry(x: number) { return x + fromHost; }\n");
    expect(() => bundleIsolateSource(join(root, 'src', 'sandbox', 'isolate', 'index.ts'))).toThrow(/not isolate code/);
    writeFileSync(join(root, 'src', 'sandbox', 'isolate', 'index.ts'), 'export default function entry(x: number) { return x + 1; }\n');
    expect(bundleIsolateSource(join(root, 'src', 'sandbox', 'isolate', 'index.ts'))).toMatch(/^\(function entry\(\) \{/);
  });

  it('from src/, a bundle is made again when any isolate module changes (node_modules/.cache)', () => {
    const root = mkdtempSync(join(tmpdir(), 'scriptcode-isolate-'));
    scratch.push(root);
    writeFileSync(join(root, 'tsconfig.isolate.json'), '{}');
    mkdirSync(join(root, 'node_modules'));
    const dir = join(root, 'src', 'sandbox', 'isolate');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.ts'), "import { n } from './n.js';\nexport default function entry() { return n; }\n");
    writeFileSync(join(dir, 'n.ts'), 'export const n = 1;\n');
    const cache = join(root, 'node_modules', '.cache', 'scriptcode-isolate');
    expect(isolateSource(pathToFileURL(join(dir, 'index.ts')))).toContain('var n = 1;');
    expect(readdirSync(cache)).toHaveLength(1);
    expect(cachedBundle(join(dir, 'index.ts'))).toContain('var n = 1;');
    const before = readdirSync(cache);
    expect(before).toHaveLength(1);
    writeFileSync(join(dir, 'n.ts'), 'export const n = 2;\n');
    expect(cachedBundle(join(dir, 'index.ts'))).toContain('var n = 2;');
    // the entry's former bundle is gone
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^src_sandbox_isolate_index-[0-9a-f]{32}\.js$/)]);
    expect(readdirSync(cache)).not.toContain(before[0]);
  });
});
