// `scriptcode test [--app DIR] [filter]`: see src/tools/test-runner.ts.
// Exit 0 when every case passed, 1 when any failed, 2 for usage/configuration.
import type { Command } from 'commander';
import { runTests } from '../../tools/test-runner.js';
import { UsageError } from '../read-json-option.js';

export function registerTest(program: Command): void {
  program
    .command('test')
    .addHelpText('after', `\nExamples:\n  $ scriptcode test\n  $ scriptcode test customer      # only the cases whose name contains "customer"\n`)
    .description('run the offline script tests in tests/*.test.yaml (no network)')
    .argument('[filter]', 'run only cases whose file, name or script contains this text')
    .option('--app <dir>', 'the application folder', '.')
    .action(async (filter: string | undefined, options: { app: string }) => {
      let summary;
      try {
        summary = await runTests({ app: options.app, filter, write: (line) => process.stdout.write(`${line}\n`) });
      } catch (error) {
        if ((error as Error).name === 'UsageError') throw new UsageError((error as Error).message);
        throw error;
      }
      process.exitCode = summary.failed > 0 ? 1 : 0;
    });
}
