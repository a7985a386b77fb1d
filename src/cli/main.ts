// The `scriptcode` command line. Commands print JSON (or a report) on stdout;
// problems with the command itself or the configuration exit with code 2.
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { UsageError } from './read-json-option.js';

function fail(err: unknown): never {
  const e = err as Error & { code?: string };
  const known = err instanceof UsageError || e?.code === 'CONFIG_INVALID' || e?.code === 'APP_NOT_FOUND' ||
    e?.name === 'ScriptNotFoundError' || e?.name === 'InputError';
  process.stderr.write(`scriptcode: ${known ? e.message : (e?.stack ?? String(err))}\n`);
  process.exit(2);
}

export function buildProgram(): Command {
  const program = new Command('scriptcode')
    .description('Runs low-code business scripts in a secure sandbox.')
    .exitOverride()
    .showHelpAfterError();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
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
