// The `scriptcode` command line. Commands print JSON (or a report) on stdout;
// problems with the command itself or the configuration exit with code 2.
// Start-up cost: this file and commands/*.ts hold only what `--help` shows
// (names, options, examples); each command imports its implementation (the
// runtime, the TypeScript compiler, the server) in its action, so `--help`
// and `--version` load commander and nothing else (bench/cli-start.ts).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { ScriptCodeError } from '../errors.js';

function fail(err: unknown): never {
  // the runtime's own errors: their message says what to do, the registry (src/errors.ts) how to exit
  if (err instanceof ScriptCodeError) {
    process.stderr.write(`scriptcode: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`scriptcode: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(2);
}

/** the package's version: package.json sits two folders up from src/cli and from dist/cli */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('scriptcode')
    .description('Runs low-code business scripts in a secure sandbox.')
    .version(version(), '-v, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError();
  for (const register of COMMANDS) register(program);
  return program;
}

let quietOnBrokenPipe = false;

export async function main(argv: string[]): Promise<void> {
  // `scriptcode test | head -3`: the reader went away; there is nobody left to tell
  if (!quietOnBrokenPipe) {
    quietOnBrokenPipe = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw err;
      });
    }
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    fail(err);
  }
}
