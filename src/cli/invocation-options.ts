// The options `run` and `record` share: which application, and what to give
// the script. Read and checked before any runtime is started.
import { Option, type Command } from 'commander';
import type { LogLevel } from '../app/types.js';
import { isKindName, KIND_NAME_LIST, type KindCall, type KindName } from '../runtime/call-by-kind.js';
import { LOG_LEVELS } from './output.js';
import { readJsonOption, UsageError } from './read-json-option.js';

export interface InvocationCliOptions {
  app: string;
  input?: string;
  form?: string;
  processInstanceId?: string;
  logLevel: LogLevel;
}

export function addInvocationOptions(command: Command): Command {
  return command
    .argument('<kind>', `what to run: ${KIND_NAME_LIST.join(' | ')}`)
    .argument('<name>', 'the script name (its file name without extension)')
    .option('--app <dir>', 'the application folder', '.')
    .option('--input <json|@file>', 'input map (script, validator), process variables (task) or formatter input')
    .option('--form <json|@file>', 'form state: { componentId: { value, visible, data } }')
    .option('--process-instance-id <id>', 'process instance id for a task')
    .addOption(new Option('--log-level <level>', 'runtime log level (written to stderr)').choices(LOG_LEVELS).default('warn'));
}

/** The kind and the call, from the command line; a UsageError says what is wrong. */
export function readKindCall(kind: string, options: InvocationCliOptions): { kind: KindName; call: KindCall } {
  if (!isKindName(kind)) throw new UsageError(`unknown kind '${kind}': use one of ${KIND_NAME_LIST.join(', ')}`);
  const input = readJsonOption('input', options.input);
  if (kind === 'formatter' && (input === null || typeof input !== 'object')) {
    throw new UsageError("a formatter needs --input '{\"textToFormat\": \"…\", \"locale\": \"pl-PL\", \"cursorPosition\": 0}'");
  }
  const form = readJsonOption('form', options.form);
  const call: KindCall = kind === 'task'
    ? { variables: input, processInstanceId: options.processInstanceId }
    : { input, form };
  return { kind, call };
}
