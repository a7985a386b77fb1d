// `scriptcode run <kind> <name>` (SPEC §8): prints what the HTTP API answers.
// Exit 0: the runtime produced a result (a task failure outcome included);
// 1: the script failed ({ "error": … } on stdout); 2: usage or configuration.
import { createRuntime } from '../runtime/runtime.js';
import { callByKind } from '../runtime/call-by-kind.js';
import { ScriptFailure } from '../kinds/errors.js';
import { createRuntimeLogger } from '../logging/logger.js';
import { requireApplication } from './app-folder.js';
import { readKindCall, type InvocationCliOptions } from './invocation-options.js';

export interface RunOptions extends InvocationCliOptions {
  trace?: boolean;
  /** implies trace */
  showData?: boolean;
}

export interface CommandResult {
  exitCode: number;
  stdout: unknown;
}

export async function runCommand(kindName: string, name: string, options: RunOptions): Promise<CommandResult> {
  const { kind, call } = readKindCall(kindName, options);
  const runtime = await createRuntime({
    app: requireApplication(options.app),
    watch: false,
    warmIsolates: 0,
    logger: createRuntimeLogger({ level: options.logLevel, destination: 2 }),
    // one script, on a developer's machine: only the secrets of the services it calls are needed
    deferSecrets: true,
  });
  try {
    return { exitCode: 0, stdout: await callByKind(runtime, kind, name, { ...call, trace: options.trace === true || options.showData === true, showData: options.showData === true }) };
  } catch (err) {
    if (err instanceof ScriptFailure) return { exitCode: 1, stdout: err.body };
    throw err;
  } finally {
    await runtime.close();
  }
}
