// `scriptcode serve --workers N` (cluster.ts), as a real process tree: the
// workers share one port, /metrics sums them, a worker that dies is replaced,
// and SIGTERM to the primary drains every worker and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { cliInProcess } from '../helpers/cli-in-process.js';
import { failedStartsAfter, restartDelayMs } from '../../src/server/cluster.js';

const entry = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let app: TestApp;
let primary: ChildProcess | undefined;
let stdout = '';
let stderr = '';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** pids of the workers a primary logged as started (this file's shared primary by default), in order */
const startedWorkers = (log = stdout) => [...log.matchAll(/"pid":(\d+)[^\n]*"msg":"worker started"/g)].map((m) => Number(m[1]));

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}\nstdout: ${stdout.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const format = (url: string) => fetch(`${url}/api/formatters/upper/format`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ textToFormat: 'ada' }),
});

beforeAll(async () => {
  app = await makeApp({
    'scriptcode.yaml': 'server: { workers: 2 }\n',
    // a cold worker on a busy machine: the 50 ms default is not what this test is about
    'formatters/upper.yaml': 'limits: { cpuMs: 5000, wallMs: 10000 }\n',
    'formatters/upper.js': 'function formatText(i) { return { formattedText: i.textToFormat.toUpperCase(), cursorPosition: 0 }; }',
  });
}, 30_000);

afterAll(async () => {
  for (const pid of startedWorkers()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  if (primary?.pid && primary.exitCode === null) process.kill(primary.pid, 'SIGKILL');
  await app?.remove();
});

describe('scriptcode serve with server.workers: 2', () => {
  let url: string;

  it('starts two workers on one port and says so once', async () => {
    primary = spawn(process.execPath, ['--no-node-snapshot', '--import', tsx, entry, 'serve', '--port', '0', '--app', app.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    primary.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    primary.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    url = await until('the listening line', () => /listening on (http:\/\/\S+) with 2 workers/.exec(stderr)?.[1]);
    expect(stderr.match(/listening on/g)).toHaveLength(1);
    expect(startedWorkers()).toHaveLength(2);
    await until('both workers ready', async () => (await fetch(`${url}/health/ready`)).status === 200 || undefined);
  }, 90_000);

  it('/metrics counts the invocations of every worker', async () => {
    for (let i = 0; i < 20; i++) expect((await format(url)).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('scriptcode_invocations_total{kind="formatter",script="upper",outcome="ok"} 20');
  }, 60_000);

  it('a worker that dies is replaced, and the port keeps answering', async () => {
    const [first] = startedWorkers();
    process.kill(first!, 'SIGKILL');
    await until('the replacement', () => startedWorkers().length === 3 || undefined);
    expect(stdout).toMatch(/"msg":"worker died; starting another"/);
    await until('the replacement ready', () => /"msg":"server ready"[^]*"msg":"server ready"[^]*"msg":"server ready"/.test(stdout) || undefined);
    for (let i = 0; i < 6; i++) expect((await format(url)).status).toBe(200);
  }, 90_000);

  it('SIGTERM drains every worker and the primary exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => primary!.on('exit', (code) => resolve(code)));
    process.kill(primary!.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of startedWorkers()) expect(alive(pid), `worker ${pid}`).toBe(false);
    expect(stdout.match(/"msg":"worker stopped"/g)).toHaveLength(2);
  }, 60_000);
});

describe('workers that cannot start', () => {
  it('a port in use: the workers say so, and the primary gives up after three failed starts with exit 1', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const child = spawn(process.execPath, ['--no-node-snapshot', '--import', tsx, entry, 'serve', '--workers', '2', '--port', String(port), '--app', app.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
      try {
        const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
        expect(code).toBe(1);
        expect(err).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
        expect(out).toMatch(/"msg":"workers keep dying before they listen; giving up"/);
      } finally {
        // the primary and workers it left (their pids in its log), should the test fail
        for (const pid of startedWorkers(out)) if (alive(pid)) process.kill(pid, 'SIGKILL');
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    } finally {
      await new Promise((r) => busy.close(r));
    }
  }, 90_000);

  // A loaded machine once took over 5 s for each worker to find its port in use: counting only the
  // time a worker ran, the primary restarted them for ever.
  it('a worker that never listened is a failed start however long it took to die', () => {
    expect(failedStartsAfter(0, false, 60_000)).toBe(1);
    expect(failedStartsAfter(2, false, 6_000)).toBe(3);
    // it listened, then died at once: still a crash loop
    expect(failedStartsAfter(1, true, 1_000)).toBe(2);
    // it listened and ran a while: a fresh start
    expect(failedStartsAfter(2, true, 6_000)).toBe(0);
  });

  it('a replacement waits 0.5 s after one failed start, doubling to 30 s; none after a healthy run', () => {
    expect([0, 1, 2, 3, 7, 20].map(restartDelayMs)).toEqual([0, 500, 1_000, 2_000, 30_000, 30_000]);
  });
});

describe('a wrong worker count', () => {
  it('--workers 0 is a usage error; server.workers: 0 a configuration error naming the line', async () => {
    const flag = await cliInProcess(['serve', '--app', app.dir, '--workers', '0']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe("scriptcode: --workers must be a number from 1 to 999 or auto, got '0'\n");
    const broken = await makeApp({ 'scriptcode.yaml': 'server:\n  workers: 0\n' });
    try {
      const r = await cliInProcess(['serve', '--app', broken.dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('server.workers: must be greater than 0 (line 2, column 3)');
    } finally {
      await broken.remove();
    }
  });
});
