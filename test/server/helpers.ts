// A real ScriptCode server on 127.0.0.1 (port 0) over a real application
// folder, logging into memory; and a `scriptcode serve` child process.
// Everything started here is stopped by the returned close().
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, request, type Dispatcher } from 'undici';
import { createServer, type ScriptCodeServer } from '../../src/server/index.js';
import { createRuntimeLogger } from '../../src/logging/logger.js';
import type { ConfigOverrides } from '../../src/app/load-config.js';
import { makeApp, MemoryLog, type TestApp } from '../helpers/app.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

export interface ServerUnderTest {
  server: ScriptCodeServer;
  url: string;
  app: TestApp;
  log: MemoryLog;
  /** every answer received through call(), for "no secret in any response" checks */
  answers: Answer[];
  call(method: string, path: string, options?: { body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<Answer>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  close(): Promise<void>;
}

export async function startServer(
  files: Record<string, string>,
  options: { config?: ConfigOverrides; watch?: boolean; logLevel?: 'trace' | 'debug' | 'info' | 'warn' } = {},
): Promise<ServerUnderTest> {
  const app = await makeApp(files);
  const log = new MemoryLog();
  const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  let server: ScriptCodeServer | undefined;
  try {
    server = await createServer({
      app: app.dir,
      watch: options.watch ?? false,
      config: { ...options.config, server: { port: 0, ...options.config?.server } },
      logger: createRuntimeLogger({ level: options.logLevel ?? 'info', destination: log }),
    });
    const url = await server.listen();
    const answers: Answer[] = [];
    const call: ServerUnderTest['call'] = async (method, path, callOptions = {}) => {
      const body = callOptions.rawBody ?? (callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body));
      const r = await request(`${url}${path}`, {
        method: method as Dispatcher.HttpMethod,
        dispatcher: agent,
        body,
        headers: { ...(callOptions.body !== undefined && { 'content-type': 'application/json' }), ...callOptions.headers },
      });
      const text = await r.body.text();
      const answer: Answer = { status: r.statusCode, headers: r.headers, text, json: () => JSON.parse(text) };
      answers.push(answer);
      return answer;
    };
    const started = server;
    return {
      server: started,
      url,
      app,
      log,
      answers,
      call,
      post: (path, body, headers) => call('POST', path, { body, headers }),
      get: (path, headers) => call('GET', path, { headers }),
      close: async () => {
        await started.close({ timeoutMs: 5_000 });
        await agent.close();
        await app.remove();
      },
    };
  } catch (err) {
    await server?.close({ timeoutMs: 1_000 });
    await agent.close();
    await app.remove();
    throw err;
  }
}

const entry = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** the exit code, or the signal that ended the process */
  exited: Promise<number | NodeJS.Signals | null>;
  /** kills the process (by pid) if it still runs */
  kill(): Promise<void>;
}

/** `scriptcode serve --app DIR --port 0 …` from source; resolves once it listens (or rejects with its output when it exits first). */
export function spawnServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', tsx, entry, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      process.kill(child.pid, 'SIGKILL');
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve({ child, url: match[1]!, stdout: () => stdout, stderr: () => stderr, exited, kill });
    });
    exited.then((code) => reject(Object.assign(new Error(`scriptcode serve exited with ${code} before listening:\n${stderr}`), { code, stderr, stdout })));
  });
}

/** The value of one sample in a Prometheus text exposition, or undefined. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
    const have = Object.fromEntries([...labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
