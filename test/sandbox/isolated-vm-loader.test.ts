// Issue 14: the runtime runs on Node.js 20, 22 and 24, each with its own
// isolated-vm build (runtime-deps/isolated-vm-node<line>, picked by
// src/sandbox/isolated-vm.ts). The loader uses the build of the running line,
// and says in one line what to do when it cannot: an unsupported line, the
// build not installed, a process started without --no-node-snapshot.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import ivm, { isolatedVmBuild } from '../../src/sandbox/isolated-vm.js';
import {
  IsolatedVmUnavailableError, NODE_LINES, nodeLine, nodeSnapshotDisabled, notInstalledError, unsupportedNodeError,
} from '../../src/sandbox/node-support.js';
import { makeApp } from '../helpers/app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const loader = pathToFileURL(`${root}src/sandbox/isolated-vm.ts`).href;
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const cliEntry = `${root}test/helpers/cli-entry.ts`;
/** a preload that makes the child believe it runs on Node.js 26 */
const fakeNode26 = `data:text/javascript,Object.defineProperty(process.versions,'node',{value:'26.1.0'})`;

function node(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** the environment without --no-node-snapshot in NODE_OPTIONS */
function envWithoutSnapshotFlag(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  env.NODE_OPTIONS = (env.NODE_OPTIONS ?? '').split(/\s+/).filter((o) => o && o !== '--no-node-snapshot').join(' ');
  return env;
}

describe('isolated-vm for the running Node.js line', () => {
  it(`loads the build of this line (Node.js ${process.versions.node})`, () => {
    const line = nodeLine();
    expect(Object.keys(NODE_LINES).map(Number)).toContain(line);
    expect(isolatedVmBuild()).toEqual({ nodeLine: line, wrapper: `isolated-vm-node${line}`, version: NODE_LINES[line] });
    const isolate = new ivm.Isolate({ memoryLimit: 16 });
    try {
      expect(isolate.compileScriptSync('6 * 7').runSync(isolate.createContextSync())).toBe(42);
    } finally {
      isolate.dispose();
    }
  });

  it('package.json lists one wrapper per supported line, each pinning its isolated-vm for that line only', () => {
    const require = createRequire(import.meta.url);
    const pkg = require(`${root}package.json`) as { optionalDependencies: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.dependencies['isolated-vm']).toBeUndefined();
    expect(pkg.optionalDependencies).toEqual(Object.fromEntries(Object.keys(NODE_LINES).map((line) => [`isolated-vm-node${line}`, `file:runtime-deps/isolated-vm-node${line}`])));
    for (const [line, version] of Object.entries(NODE_LINES)) {
      const wrapper = require(`${root}runtime-deps/isolated-vm-node${line}/package.json`) as { dependencies: Record<string, string>; engines: { node: string } };
      expect({ line, dependencies: wrapper.dependencies, engines: wrapper.engines }).toEqual({ line, dependencies: { 'isolated-vm': version }, engines: { node: `>=${line} <${Number(line) + 1}` } });
    }
  });

  it('refuses a process started without --no-node-snapshot, with one line saying what to do', async () => {
    const program = `try { await import(${JSON.stringify(loader)}); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, problem: e.problem, message: e.message })); }`;
    const r = await node(['--import', tsx, '--input-type=module', '-e', program], envWithoutSnapshotFlag());
    expect(r.stderr).toBe('');
    const error = JSON.parse(r.stdout);
    expect(error).toMatchObject({ name: 'IsolatedVmUnavailableError', code: 'ISOLATED_VM_UNAVAILABLE', problem: 'node-snapshot' });
    expect(error.message).toContain('start node with --no-node-snapshot');
    expect(error.message).not.toContain('\n');
  }, 30_000);

  it('accepts --no-node-snapshot in NODE_OPTIONS', async () => {
    const program = `const m = await import(${JSON.stringify(loader)}); console.log(JSON.stringify(m.isolatedVmBuild()));`;
    const env = envWithoutSnapshotFlag();
    env.NODE_OPTIONS = `${env.NODE_OPTIONS} --no-node-snapshot`.trim();
    const r = await node(['--import', tsx, '--input-type=module', '-e', program], env);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(isolatedVmBuild());
  }, 30_000);

  it('says which lines are supported on another one', () => {
    expect(unsupportedNodeError(process.versions.node)).toBeUndefined();
    for (const version of ['18.20.4', '21.7.3', '23.11.0', '26.1.0']) {
      const error = unsupportedNodeError(version)!;
      expect(error).toBeInstanceOf(IsolatedVmUnavailableError);
      expect(error.problem).toBe('unsupported-node');
      expect(error.message).toBe(`Node.js ${version} is not supported: ScriptCode runs on Node.js 20, 22 or 24 (isolated-vm has a build for each); switch to one of them (e.g. nvm use 24) and run npm ci again.`);
    }
  });

  it('says to run npm ci when the build is not installed or does not load', () => {
    const missing = Object.assign(new Error("Cannot find module 'isolated-vm-node22'\nRequire stack: …"), { code: 'MODULE_NOT_FOUND' });
    expect(notInstalledError('22.23.5', 'isolated-vm-node22', missing).message).toBe(
      'isolated-vm for Node.js 22 is unavailable: isolated-vm-node22 is not installed; run npm ci (or npm install) with this Node.js (22.23.5), ' +
      'without --omit=optional / --no-optional: npm installs the isolated-vm build of the Node.js line that runs it.');
    const broken = new Error('The module was compiled against a different Node.js version using\nNODE_MODULE_VERSION 115.');
    expect(notInstalledError('22.23.5', 'isolated-vm-node22', broken).message).toContain(
      'isolated-vm-node22 does not load (The module was compiled against a different Node.js version using); run npm ci');
  });

  it('sees --no-node-snapshot on the command line or in NODE_OPTIONS', () => {
    expect(nodeSnapshotDisabled()).toBe(true); // vitest.config.ts starts the workers with it
    expect(nodeSnapshotDisabled(['--no-node-snapshot'], '')).toBe(true);
    expect(nodeSnapshotDisabled([], '--max-old-space-size=512 --no-node-snapshot')).toBe(true);
    expect(nodeSnapshotDisabled(['--expose-gc'], '--no-node-snapshot-x')).toBe(false);
  });

  it('the CLI says so in one line on an unsupported Node.js (exit 1, no stack)', async () => {
    const app = await makeApp({ 'scripts/hello.js': 'function callService() { return [{ ok: true }]; }\n' });
    try {
      const r = await node(['--no-node-snapshot', '--import', fakeNode26, '--import', tsx, cliEntry, 'run', 'script', 'hello', '--app', app.dir]);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
      expect(r.stderr).toBe('scriptcode: Node.js 26.1.0 is not supported: ScriptCode runs on Node.js 20, 22 or 24 (isolated-vm has a build for each); switch to one of them (e.g. nvm use 24) and run npm ci again.\n');
    } finally {
      await app.remove();
    }
  }, 30_000);

  // bin/scriptcode.js checks the line before it starts the CLI (it needs dist/: npm ci builds it)
  it.runIf(existsSync(`${root}dist/sandbox/node-support.js`))('bin/scriptcode.js says so before anything else (exit 1, one line)', async () => {
    const r = await node(['--import', fakeNode26, `${root}bin/scriptcode.js`, '--version']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'scriptcode: Node.js 26.1.0 is not supported: ScriptCode runs on Node.js 20, 22 or 24 (isolated-vm has a build for each); switch to one of them (e.g. nvm use 24) and run npm ci again.\n',
    });
  }, 30_000);
});
