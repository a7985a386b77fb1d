// `scriptcode <args>` in the test's own process (no child process: each costs
// seconds): what main() writes to stdout and stderr, and the exit code it
// sets or exits with. `tty` makes stdout look like a colour terminal.
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Exit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

let running = false;

export async function cliInProcess(
  args: string[],
  options: { tty?: boolean; env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<InProcessResult> {
  // stdout, stderr, cwd and env are the process's: two runs at once would mix them
  if (running) throw new Error('cliInProcess: a run is already in progress in this process; await it before starting the next');
  running = true;
  let stdout = '';
  let stderr = '';
  const spies: { mockRestore(): void }[] = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true; }),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }),
    vi.spyOn(process, 'exit').mockImplementation(((code?: number) => { throw new Exit(code ?? 0); }) as never),
  ];
  if (options.cwd) spies.push(vi.spyOn(process, 'cwd').mockReturnValue(options.cwd));
  const stream = process.stdout as NodeJS.WriteStream & { hasColors?: unknown };
  const tty = Object.getOwnPropertyDescriptor(stream, 'isTTY');
  const hasColors = Object.getOwnPropertyDescriptor(stream, 'hasColors');
  if (options.tty) {
    Object.defineProperty(stream, 'isTTY', { value: true, configurable: true });
    Object.defineProperty(stream, 'hasColors', { value: () => true, configurable: true });
  }
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(options.env ?? {})) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  process.exitCode = undefined;
  let code: number;
  try {
    await main(args);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
    code = error.code;
  } finally {
    for (const spy of spies) spy.mockRestore();
    if (options.tty) {
      if (tty) Object.defineProperty(stream, 'isTTY', tty);
      else delete (stream as { isTTY?: boolean }).isTTY;
      if (hasColors) Object.defineProperty(stream, 'hasColors', hasColors);
      else delete (stream as { hasColors?: unknown }).hasColors;
    }
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    process.exitCode = undefined;
    running = false;
  }
  return { code, stdout, stderr };
}
