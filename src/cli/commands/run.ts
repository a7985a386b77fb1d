// `scriptcode run <kind> <name>`: see run-command.ts.
import { Option, type Command } from 'commander';
import { runCommand, RUN_KINDS } from '../run-command.js';
import { LOG_LEVELS, printJson } from '../output.js';

export function registerRun(program: Command): void {
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
}
