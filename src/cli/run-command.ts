// `scriptcode run <kind> <name>` (SPEC §8): prints what the HTTP API answers.
// Exit 0: the runtime produced a result (a task failure outcome included);
// 1: the script failed ({ "error": … } on stdout); 2: usage or configuration.
import { resolve } from 'node:path';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { ScriptFailure } from '../kinds/errors.js';
import type { LogLevel } from '../app/types.js';
import { createRuntimeLogger } from '../logging/logger.js';
import { readJsonOption, UsageError } from './read-json-option.js';

export const RUN_KINDS = ['script', 'validator', 'task', 'formatter'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export interface RunOptions {
  app: string;
  input?: string;
  form?: string;
  processInstanceId?: string;
  trace?: boolean;
  logLevel: LogLevel;
}

export interface CommandResult {
  exitCode: number;
  stdout: unknown;
}

async function invoke(runtime: Runtime, kind: RunKind, name: string, options: RunOptions): Promise<unknown> {
  const input = readJsonOption('input', options.input);
  const form = readJsonOption('form', options.form);
  const trace = options.trace === true;
  switch (kind) {
    case 'script':
      return runtime.runScript(name, { input, form, trace });
    case 'validator':
      return runtime.validate(name, { input, form, trace });
    case 'task':
      return runtime.executeTask(name, { variables: input, processInstanceId: options.processInstanceId, trace });
    case 'formatter':
      if (input === undefined) throw new UsageError("a formatter needs --input '{\"textToFormat\": \"…\", \"locale\": \"pl-PL\", \"cursorPosition\": 0}'");
      return runtime.format(name, { ...(input as object), trace });
  }
}

export async function runCommand(kind: string, name: string, options: RunOptions): Promise<CommandResult> {
  if (!(RUN_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`unknown kind '${kind}': use one of ${RUN_KINDS.join(', ')}`);
  }
  const runtime = await createRuntime({
    app: resolve(options.app),
    watch: false,
    warmIsolates: 0,
    logger: createRuntimeLogger({ level: options.logLevel, destination: 2 }),
  });
  try {
    return { exitCode: 0, stdout: await invoke(runtime, kind as RunKind, name, options) };
  } catch (err) {
    if (err instanceof ScriptFailure) return { exitCode: 1, stdout: err.body };
    throw err;
  } finally {
    await runtime.close();
  }
}
