// Compiles src/ to dist/ and bundles the TypeScript that runs inside the
// isolates (loaded as text, never imported by Node: tsconfig.json leaves it
// out) into dist/, next to where each entry module was: X.ts → X.bundle.js.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, readdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// isolated-vm for this Node.js line (runtime-deps/isolated-vm-node<line>, an optional dependency
// npm installs only on that line): the sources need its typings, dist/ ships them
const lines = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).optionalDependencies ?? {})
  .map((name) => /^isolated-vm-node(\d+)$/.exec(name)?.[1]).filter(Boolean).map(Number);
const line = Number(process.versions.node.split('.')[0]);
const wrapper = join(root, 'node_modules', `isolated-vm-node${line}`, 'index.js');
if (!lines.includes(line) || !existsSync(wrapper)) {
  process.stderr.write(lines.includes(line)
    ? `build: isolated-vm-node${line} is not installed: run npm ci (without --omit=optional) with this Node.js (${process.versions.node})\n`
    : `build: Node.js ${process.versions.node} is not supported: ScriptCode runs on Node.js ${lines.join(', ')} (isolated-vm has a build for each)\n`);
  process.exit(1);
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });

// The isolate code: the prelude, and each binding's isolate.ts. Bundled the way
// src/ bundles it on first use (dist/sandbox/isolate-source.js, compiled above).
const { bundleIsolateSource } = await import(pathToFileURL(join(root, 'dist', 'sandbox', 'isolate-source.js')).href);
const isolateEntries = [
  join(root, 'src', 'sandbox', 'isolate', 'index.ts'),
  ...readdirSync(join(root, 'src', 'bindings'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'src', 'bindings', d.name, 'isolate.ts')))
    .map((d) => join(root, 'src', 'bindings', d.name, 'isolate.ts')),
];
for (const entry of isolateEntries) {
  writeFileSync(join(root, 'dist', relative(join(root, 'src'), entry)).replace(/\.ts$/, '.bundle.js'), bundleIsolateSource(entry));
}

// typings.d.ts: a binding's part of the script typings, read by its definition
for (const dir of readdirSync(join(root, 'src', 'bindings'), { withFileTypes: true })) {
  const typings = join(root, 'src', 'bindings', dir.name, 'typings.d.ts');
  if (dir.isDirectory() && existsSync(typings)) cpSync(typings, join(root, 'dist', 'bindings', dir.name, 'typings.d.ts'));
}

// dist/ must not depend on which Node.js line built it: the loader's declarations import
// isolated-vm's typings through the `isolated-vm-typings` path of tsconfig.json (the wrapper
// installed for this line), which an embedder's TypeScript cannot resolve. Ship the typings
// next to them (the three isolated-vm releases have the same ones) and import them from there.
const isolatedVm = dirname(createRequire(wrapper).resolve('isolated-vm/package.json'));
const license = readFileSync(join(isolatedVm, 'LICENSE'), 'utf8').trim().split('\n').map((l) => ` * ${l}`.trimEnd()).join('\n');
writeFileSync(join(root, 'dist', 'sandbox', 'isolated-vm-typings.d.cts'),
  `/*\n * isolated-vm.d.ts of isolated-vm ${JSON.parse(readFileSync(join(isolatedVm, 'package.json'), 'utf8')).version}, copied by scripts/build.mjs.\n *\n${license}\n */\n` +
  readFileSync(join(isolatedVm, 'isolated-vm.d.ts'), 'utf8'));
const loaderTypes = join(root, 'dist', 'sandbox', 'isolated-vm.d.ts');
const declared = readFileSync(loaderTypes, 'utf8');
if (!declared.includes("from 'isolated-vm-typings'")) throw new Error(`build: ${loaderTypes} no longer imports 'isolated-vm-typings'`);
writeFileSync(loaderTypes, declared.replace("from 'isolated-vm-typings'", "from './isolated-vm-typings.cjs'"));

// The web console (console/, served at /console): Vite builds it into dist/console/.
// Vite, Preact and Monaco are devDependencies: an install without them (npm ci --omit=dev
// of a checkout) builds the runtime without the console, and /console says how to get it.
let vite;
try {
  vite = await import('vite');
} catch {
  process.stderr.write('build: vite is not installed (devDependencies left out?): the web console is not built; /console will say so\n');
}
if (vite) await vite.build({ configFile: join(root, 'console', 'vite.config.mjs'), logLevel: 'warn' });
