// `scriptcode <args>` for tests. `runCli` runs main() in the test's own
// process (see cli-in-process.ts): a child process with tsx costs 1–3 s each,
// which made the CLI tests most of `npm test`. `runCliChild` starts a real
// child process from source, for what only a process shows: its exit code
// when it ends by itself, signals, pipes, and the log lines pino writes to
// file descriptor 2 (not through process.stderr.write).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cliInProcess } from './cli-in-process.js';

const entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
// resolved here so that the child finds tsx whatever its working folder
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json(): any;
}

/** Runs `scriptcode <args>` in this process; `cwd` and `env` apply while it runs. */
export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const r = await cliInProcess(args, { cwd: options.cwd, env: options.env });
  return { ...r, json: () => JSON.parse(r.stdout) };
}

/** Runs `scriptcode <args>` from source in a child process. */
export function runCliChild(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', '--import', tsx, entry, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) }));
  });
}
