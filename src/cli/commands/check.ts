// `scriptcode check [--app DIR] [--no-types]`: see src/tools/checker.ts.
// Prints one `file:line:column: error|warning: message` line per finding and
// a summary. Exit 0 without errors (warnings allowed), 1 with errors, 2 for
// usage (no such folder, no scriptcode.yaml in it). The checker (and the
// TypeScript compiler it uses) is loaded when the command runs.
import type { Command } from 'commander';
import { requireApplication } from '../app-folder.js';
import { paint } from '../colour.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .addHelpText('after', '\nExamples:\n  $ scriptcode check\n  $ scriptcode check --app ./my-app --no-types\n')
    .description('check configuration, secrets, scripts (compile, entry point, service ids, types) and tests without running anything')
    .option('--app <dir>', 'the application folder', '.')
    .option('--no-types', 'skip the type check against the shipped typings')
    .action(async (options: { app: string; types: boolean }) => {
      const app = requireApplication(options.app);
      const { check } = await import('../../tools/checker.js');
      const { renderFinding } = await import('../../tools/findings.js');
      const report = await check({ app, types: options.types });
      const colour = paint(process.stdout);
      for (const finding of report.findings) {
        const line = renderFinding(finding);
        process.stdout.write(`${finding.severity === 'error' ? colour.red(line) : colour.yellow(line)}\n`);
      }
      const checked = `${report.scripts} script${report.scripts === 1 ? '' : 's'} and ${report.testFiles} test file${report.testFiles === 1 ? '' : 's'} checked`;
      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      process.stdout.write(report.findings.length === 0
        ? `${colour.green('ok')}: ${checked}, no problems found\n`
        : `${report.errors > 0 ? colour.red(plural(report.errors, 'error')) : plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}; ${checked}\n`);
      process.exitCode = report.errors > 0 ? 1 : 0;
    });
}
