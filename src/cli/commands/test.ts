// `scriptcode test [--app DIR] [filter]`: see src/tools/test-runner.ts.
// Exit 0 when every case passed, 1 when any failed, 2 for usage/configuration.
// `--reporter junit|json` writes machine-readable results (to stdout, or to
// --output FILE with the usual report on stdout); `--watch` runs again on
// every change. The runner is loaded when the command runs.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { requireApplication } from '../app-folder.js';
import { paint } from '../colour.js';
import { UsageError } from '../read-json-option.js';

const REPORTERS = ['text', 'junit', 'json'];

interface TestCliOptions {
  app: string;
  reporter: 'text' | 'junit' | 'json';
  output?: string;
  watch?: boolean;
}

export function registerTest(program: Command): void {
  program
    .command('test')
    .addHelpText('after', `\nExamples:\n  $ scriptcode test\n  $ scriptcode test customer      # only the cases whose name contains "customer"\n` +
      `  $ scriptcode test --reporter junit --output test-results.xml   # for CI\n  $ scriptcode test --watch\n`)
    .description('run the offline script tests in tests/*.test.yaml (no network)')
    .argument('[filter]', 'run only cases whose file, name or script contains this text')
    .option('--app <dir>', 'the application folder', '.')
    .addOption(new Option('--reporter <name>', 'text for people; junit (JUnit XML) or json for machines').choices(REPORTERS).default('text'))
    .option('--output <file>', 'write the junit/json report to this file (the text report still goes to stdout)')
    .option('--watch', 'run again whenever a script, test or configuration file changes (Ctrl-C stops)')
    .action(async (filter: string | undefined, options: TestCliOptions) => {
      if (options.output !== undefined && options.reporter === 'text') throw new UsageError('--output needs --reporter junit or --reporter json');
      if (options.watch && options.reporter !== 'text' && options.output === undefined) {
        throw new UsageError('--watch prints the text report; with --reporter junit|json also give --output FILE');
      }
      const app = requireApplication(options.app);
      const machine = options.reporter !== 'text';
      // a machine report on stdout must be all that is there
      const write = machine && options.output === undefined ? () => {} : (line: string) => process.stdout.write(`${line}\n`);
      const colour = paint(process.stdout);
      const style = { pass: colour.green, fail: colour.red };
      const { runTests } = await import('../../tools/test-runner.js');
      const { jsonReport, junitReport } = await import('../../tools/test-reports.js');
      type Summary = Awaited<ReturnType<typeof runTests>>;
      const report = async (summary: Summary) => {
        if (!machine) return;
        const text = options.reporter === 'junit' ? junitReport(summary) : `${JSON.stringify(jsonReport(summary), null, 2)}\n`;
        if (options.output === undefined) process.stdout.write(text);
        else await writeFile(resolve(options.output), text);
      };

      if (options.watch) {
        const { watchTests } = await import('../../tools/test-watch.js');
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        let reported = Promise.resolve();
        await watchTests({ app, filter, write, style, signal: stop.signal, onRun: ({ summary }) => {
          if (summary) reported = reported.then(() => report(summary));
        } });
        await reported;
        process.exitCode = 0;
        return;
      }

      const summary: Summary = await runTests({ app, filter, write, style });
      await report(summary);
      process.exitCode = summary.failed > 0 ? 1 : 0;
    });
}
