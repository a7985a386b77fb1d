// `scriptcode record <kind> <name>`: see src/tools/recorder.ts.
// Exit 0 when a case was written, 1 when the script could not be recorded
// (it does not compile or hit a limit), 2 for usage (no such script, bad input).
import { Option, type Command } from 'commander';
import { createRuntimeLogger } from '../../logging/logger.js';
import type { LogLevel } from '../../app/types.js';
import { record } from '../../tools/recorder.js';
import { describeError } from '../../tools/invoke.js';
import { TARGET_KINDS, type TargetKey } from '../../tools/test-file.js';
import { LOG_LEVELS } from '../output.js';
import { readJsonOption, UsageError } from '../read-json-option.js';

interface RecordCliOptions {
  app: string;
  input?: string;
  form?: string;
  processInstanceId?: string;
  case?: string;
  file?: string;
  redactHeader: string[];
  logLevel: LogLevel;
}

const KINDS = Object.keys(TARGET_KINDS) as TargetKey[];

export function registerRecord(program: Command): void {
  program
    .command('record')
    .description('run a script once against the real services and write what happened as an offline test case')
    .argument('<kind>', `what to run: ${KINDS.join(' | ')}`)
    .argument('<name>', 'the script name (its file name without extension)')
    .option('--app <dir>', 'the application folder', '.')
    .option('--input <json|@file>', 'input map (script, validator), process variables (task) or formatter input')
    .option('--form <json|@file>', 'form state: { componentId: { value, visible, data } }')
    .option('--process-instance-id <id>', 'process instance id for a task')
    .option('--case <name>', 'name of the test case (default: "recorded <date time>")')
    .option('--file <path>', 'test file to append to (default: tests/<name>.test.yaml)')
    .option('--redact-header <name>', 'a response header to leave out (repeatable); credentials and cookies always are',
      (value: string, all: string[]) => [...all, value], [] as string[])
    .addOption(new Option('--log-level <level>', 'runtime log level (written to stderr)').choices(LOG_LEVELS).default('warn'))
    .action(async (kind: string, name: string, options: RecordCliOptions) => {
      if (!(KINDS as string[]).includes(kind)) throw new UsageError(`unknown kind '${kind}': use one of ${KINDS.join(', ')}`);
      const target = kind as TargetKey;
      const input = readJsonOption('input', options.input);
      if (target === 'formatter' && (input === null || typeof input !== 'object')) {
        throw new UsageError("a formatter needs --input '{\"textToFormat\": \"…\", \"locale\": \"pl-PL\", \"cursorPosition\": 0}'");
      }
      const result = await record({
        app: options.app,
        target,
        script: name,
        input: target === 'task' ? undefined : input,
        variables: target === 'task' ? input : undefined,
        form: readJsonOption('form', options.form),
        processInstanceId: options.processInstanceId,
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
