// The `scriptcode` command line. Every command prints JSON on stdout; problems
// with the command itself or the configuration exit with code 2.
import { Command, CommanderError, Option } from 'commander';
import { runCommand, RUN_KINDS } from './run-command.js';
import { UsageError } from './read-json-option.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function fail(err: unknown): never {
  const e = err as Error & { code?: string; issues?: unknown };
  const known = err instanceof UsageError || e?.code === 'CONFIG_INVALID' || e?.name === 'ScriptNotFoundError' || e?.name === 'InputError';
  process.stderr.write(`scriptcode: ${known ? e.message : (e?.stack ?? String(err))}\n`);
  process.exit(2);
}

export function buildProgram(): Command {
  const program = new Command('scriptcode')
    .description('Runs low-code business scripts in a secure sandbox.')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('run')
    .description('run one script and print the answer the HTTP API would give')
    .argument('<kind>', `what to run: ${RUN_KINDS.join(' | ')}`)
    .argument('<name>', 'the script name (its file name without extension)')
    .option('--app <dir>', 'the application folder', '.')
    .option('--input <json|@file>', 'input map (script, validator), process variables (task) or formatter input')
    .option('--form <json|@file>', 'form state: { componentId: { value, visible, data } }')
    .option('--process-instance-id <id>', 'process instance id for a task')
    .option('--trace', 'include the script\'s log lines and REST calls in the answer')
    .addOption(new Option('--log-level <level>', 'runtime log level (written to stderr)').choices(LOG_LEVELS).default('warn'))
    .action(async (kind: string, name: string, options) => {
      const result = await runCommand(kind, name, options);
      printJson(result.stdout);
      process.exitCode = result.exitCode;
    });

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
