// `scriptcode record <kind> <name>`: see src/tools/recorder.ts.
// Exit 0 when a case was written, 1 when the script could not be recorded
// (it does not compile, hit a limit, or a service could not be reached),
// 2 for usage (no application, no such script, bad input).
import type { Command } from 'commander';
import { requireApplication } from '../app-folder.js';
import { addInvocationOptions, readKindCall, type InvocationCliOptions } from '../invocation-options.js';
import { UsageError } from '../read-json-option.js';

interface RecordCliOptions extends InvocationCliOptions {
  case?: string;
  file?: string;
  redactHeader: string[];
}

export function registerRecord(program: Command): void {
  addInvocationOptions(program.command('record').description('run a script once against the real services and write what happened as an offline test case').addHelpText('after', `\nExamples:\n  $ scriptcode record script customer --input '{"pesel":"44051401458"}'\n`))
    .option('--case <name>', 'name of the test case (default: "recorded <date time>")')
    .option('--file <path>', 'test file to append to (default: tests/<name>.test.yaml)')
    .option('--redact-header <name>', 'a response header to leave out (repeatable); credentials and cookies always are',
      (value: string, all: string[]) => [...all, value], [] as string[])
    .action(async (kindName: string, name: string, options: RecordCliOptions) => {
      const { kind: target, call } = readKindCall(kindName, options);
      const app = requireApplication(options.app);
      const { record } = await import('../../tools/recorder.js');
      const { describeError } = await import('../../tools/invoke.js');
      const { createRuntimeLogger } = await import('../../logging/logger.js');
      const result = await record({
        app,
        target,
        script: name,
        ...call,
        caseName: options.case,
        file: options.file,
        redactHeaders: options.redactHeader,
        logger: createRuntimeLogger({ level: options.logLevel, destination: 2 }),
      });
      if (!result.written) {
        if (result.usage) throw new UsageError(result.reason);
        process.stderr.write(`scriptcode record: nothing written: ${result.reason}\n`);
        process.exitCode = 1;
        return;
      }
      const threw = result.failed ? `; the script threw ${describeError(result.failed)} (recorded as the expected error)` : '';
      process.stdout.write(`recorded case '${result.caseName}' with ${result.calls} call${result.calls === 1 ? '' : 's'} in ${result.file}${threw}\n`);
    });
}
