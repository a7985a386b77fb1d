// The text of code that runs inside the isolates (the prelude,
// src/sandbox/isolate/index.ts, and each binding's src/bindings/*/isolate.ts):
// TypeScript modules bundled by esbuild into one function expression,
// `(function name() { 'use strict'; …; return name(arguments[0]); })`, where `name`
// is the entry module's default export, a function of one argument. The
// modules' top-level names are locals of that function, so nothing leaks
// into the context's global object, and esbuild adds no helper (format esm,
// its export turned into the return; no downlevelling, no minification, no
// keepNames).
//
// dist/ holds the prebuilt bundle next to where the entry was (`X.ts` →
// `X.bundle.js`, written by scripts/build.mjs); from src/ (tests, benches run
// by vitest or tsx) the entry is bundled on first use. esbuild is a
// development dependency: it is loaded on that path only. As it runs as a
// process of its own (~50 ms, more on a busy machine), what it made is kept in
// node_modules/.cache/scriptcode-isolate/ under a hash of every file a bundle
// may read: a test file, a benchmark or a cluster worker started from src/
// then starts as fast as from dist/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string>();

/** The isolate code whose entry module is `entry` (a URL of the .ts file, from `new URL('./isolate.ts', import.meta.url)`). */
export function isolateSource(entry: URL): string {
  let text = cache.get(entry.href);
  if (text === undefined) {
    const bundle = new URL(entry.href.replace(/\.ts$/, '.bundle.js'));
    if (existsSync(bundle)) text = readFileSync(bundle, 'utf8');
    else if (existsSync(entry)) text = cachedBundle(fileURLToPath(entry));
    else throw new Error(`isolate code: neither ${fileURLToPath(bundle)} nor ${fileURLToPath(entry)} exists (run npm run build)`);
    cache.set(entry.href, text);
  }
  return text;
}

/** the checkout `entryPath` is in: the folder holding tsconfig.isolate.json */
function projectRoot(entryPath: string): string {
  for (let dir = dirname(entryPath); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.isolate.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`isolate code: no tsconfig.isolate.json above ${entryPath}`);
  }
}

/** isolate code imports modules in these folders only (what tsconfig.isolate.json checks) */
function isIsolateModule(root: string, file: string): boolean {
  const path = relative(join(root, 'src'), file).split(sep).join('/');
  return /^sandbox\/isolate\/[^/]+\.ts$/.test(path) || /^bindings\/[^/]+\/isolate(\.ts|\/[^/]+\.ts)$/.test(path);
}

/** every file a bundle may read: what isIsolateModule accepts, the tsconfig, and this module */
function bundleInputs(root: string): string[] {
  const files = [join(root, 'tsconfig.isolate.json'), fileURLToPath(import.meta.url)];
  const add = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.ts')) files.push(join(dir, f));
  };
  add(join(root, 'src', 'sandbox', 'isolate'));
  const bindings = join(root, 'src', 'bindings');
  for (const name of existsSync(bindings) ? readdirSync(bindings).sort() : []) {
    if (existsSync(join(bindings, name, 'isolate.ts'))) files.push(join(bindings, name, 'isolate.ts'));
    add(join(bindings, name, 'isolate'));
  }
  return files;
}

/** bundleIsolateSource, or what it made of the same files before (isolateSource's path from src/) */
export function cachedBundle(entryPath: string): string {
  const root = projectRoot(entryPath);
  const esbuildVersion = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('esbuild/package.json'), 'utf8')) as { version: string }).version;
  const hash = createHash('sha256').update(`${entryPath}\0esbuild ${esbuildVersion}\0`);
  for (const file of bundleInputs(root)) hash.update(`${file}\0`).update(readFileSync(file)).update('\0');
  const dir = join(root, 'node_modules', '.cache', 'scriptcode-isolate');
  // one file per entry: src_sandbox_isolate_index-<hash>.js
  const prefix = `${relative(root, entryPath).split(sep).join('_').replace(/\.ts$/, '')}-`;
  const cached = join(dir, `${prefix}${hash.digest('hex').slice(0, 32)}.js`);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const text = bundleIsolateSource(entryPath);
  try {
    mkdirSync(dir, { recursive: true });
    for (const old of readdirSync(dir)) {
      if (old.startsWith(prefix) && old.endsWith('.js') && join(dir, old) !== cached) rmSync(join(dir, old), { force: true });
    }
    // written whole, then renamed: another process never reads half a file
    const partial = `${cached}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, cached);
  } catch {
    // no cache (a read-only checkout): bundled again next time
  }
  return text;
}

/** Bundles the entry module at `entryPath` (a file path) into the function expression. */
export function bundleIsolateSource(entryPath: string): string {
  // loaded here only: dist/ (the published package) never bundles, and has no esbuild
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const root = projectRoot(entryPath);
  const result = esbuild.buildSync({
    entryPoints: [entryPath],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    // what V8 of Node 20 runs as it is (tsconfig.isolate.json: lib es2023): nothing is rewritten
    target: 'es2023',
    minify: false,
    keepNames: false,
    treeShaking: true,
    legalComments: 'none',
    charset: 'utf8',
    absWorkingDir: root,
    tsconfig: join(root, 'tsconfig.isolate.json'),
    logLevel: 'silent',
  });
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = join(root, input);
    if (!isIsolateModule(root, file)) throw new Error(`isolate code: ${entryPath} imports ${file}, which is not isolate code (src/sandbox/isolate/, src/bindings/*/isolate.ts)`);
  }
  const code = result.outputFiles[0]!.text;
  const exported = /\nexport \{\n {2}([\w$]+) as default\n\};\n$/.exec(code);
  if (!exported) throw new Error(`isolate code: ${entryPath} must export a default function and nothing else (esbuild output ends with: ${JSON.stringify(code.slice(-80))})`);
  const name = exported[1]!;
  const body = code.slice(0, exported.index).trimEnd();
  // arguments[0]: no parameter name the bundle could shadow
  return `(function ${name}() {\n'use strict';\n${body}\nreturn ${name}(arguments[0]);\n})`;
}
