// Child processes for servers that must not share the main thread of the
// process under test (this machine has 2 cores and the product is mostly
// main-thread bound). A child announces itself with one JSON line on stdout;
// it is stopped by its pid, and killed if it does not exit in time.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx')).href;

export interface Child<Info> {
  readonly pid: number;
  readonly info: Info;
  stop(): Promise<void>;
}

/** Runs `file` (a .ts entry) with `args`; resolves with the first JSON line it prints. */
export function startChild<Info>(file: string, args: string[], nodeFlags: string[] = []): Promise<Child<Info>> {
  const child = spawn(process.execPath, ['--no-node-snapshot', ...nodeFlags, '--import', tsx, file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid!;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, 'SIGTERM');
    // a child stuck in teardown must not hang the bench (or outlive it)
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  // if the bench itself dies, its children go with it
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  exited.then(() => process.off('exit', onExit));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ pid, info: JSON.parse(line) as Info, stop });
    });
    exited.then(() => reject(new Error(`bench child ${file} ${args.join(' ')} exited before announcing itself`)));
  });
}

/** Child side: print the announcement, and exit cleanly on SIGTERM after `close`. */
export function announce(info: unknown, close: () => Promise<void> = async () => {}): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const end = () => void close().finally(() => process.exit(0));
  process.once('SIGTERM', end);
  // a bench killed by Ctrl-C runs no exit handler: its children notice and leave on their own
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      end();
    }
  }, 1000).unref();
}
