// `scriptcode run <kind> <name>`: see run-command.ts. Only the command's
// description lives here; the runtime is loaded when the command runs.
import type { Command } from 'commander';
import { addInvocationOptions, type InvocationCliOptions } from '../invocation-options.js';

export function registerRun(program: Command): void {
  addInvocationOptions(program.command('run').description('run one script and print the answer the HTTP API would give').addHelpText('after', `\nExamples:\n  $ scriptcode run script customer --input '{"pesel":"44051401458"}' --trace\n  $ scriptcode run script customer --input '{"pesel":"44051401458"}' --trace --show-data\n  $ scriptcode run validator pesel --input '{"pesel":"123"}'\n`))
    .option('--trace', 'include the script\'s log lines and REST calls in the answer')
    .option('--show-data', 'with --trace: bodies, query values, path parameters and headers unmasked, whatever logging.sensitive says (credentials stay masked); for your own machine')
    .action(async (kind: string, name: string, options: InvocationCliOptions & { trace?: boolean; showData?: boolean }) => {
      const { runCommand } = await import('../run-command.js');
      const { printJson } = await import('../output.js');
      const result = await runCommand(kind, name, options);
      printJson(result.stdout);
      process.exitCode = result.exitCode;
    });
}
