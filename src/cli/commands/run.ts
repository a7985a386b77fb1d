// `scriptcode run <kind> <name>`: see run-command.ts.
import type { Command } from 'commander';
import { runCommand } from '../run-command.js';
import { addInvocationOptions } from '../invocation-options.js';
import { printJson } from '../output.js';

export function registerRun(program: Command): void {
  addInvocationOptions(program.command('run').description('run one script and print the answer the HTTP API would give').addHelpText('after', `\nExamples:\n  $ scriptcode run script customer --input '{"pesel":"44051401458"}' --trace\n  $ scriptcode run validator pesel --input '{"pesel":"123"}'\n`))
    .option('--trace', 'include the script\'s log lines and REST calls in the answer')
    .action(async (kind: string, name: string, options) => {
      const result = await runCommand(kind, name, options);
      printJson(result.stdout);
      process.exitCode = result.exitCode;
    });
}
