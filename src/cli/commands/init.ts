// `scriptcode init <dir>`: see src/tools/init.ts. Exit 0, or 2 when the folder is not empty.
import type { Command } from 'commander';

export function registerInit(program: Command): void {
  program
    .command('init')
    .addHelpText('after', '\nExamples:\n  $ scriptcode init my-app\n  $ cd my-app && scriptcode test\n')
    .description('create a working application: a script, a validator, a task and a formatter, their tests, and editor typings')
    .argument('<dir>', 'a new or empty folder')
    .action(async (dir: string) => {
      const { initApplication } = await import('../../tools/init.js');
      const files = await initApplication(dir);
      process.stdout.write(`created ${dir}:\n${files.map((f) => `  ${f}\n`).join('')}` +
        `next: scriptcode test --app ${dir}   (offline tests)\n      scriptcode check --app ${dir}  (configuration, scripts, types)\n`);
    });
}
