// Runs one script of any kind the way a test case (or a recording) names it,
// and sorts what happened into an answer, a script failure, or a problem with
// the case itself (no such script, malformed input).
import type { Runtime } from '../runtime/runtime.js';
import { ScriptFailure } from '../kinds/errors.js';
import type { ScriptErrorInfo } from '../sandbox/errors.js';
import { callByKind, type KindName as TargetKey } from '../runtime/call-by-kind.js';

export interface Invocation {
  target: TargetKey;
  script: string;
  input?: unknown;
  form?: unknown;
  variables?: unknown;
  processInstanceId?: string;
}

export type LogLine = { level: string; message: string };

export type InvokeResult =
  | { type: 'answer'; answer: Record<string, unknown>; logs: LogLine[] }
  | { type: 'failure'; error: ScriptErrorInfo; logs: LogLine[] }
  | { type: 'problem'; message: string };

/** Answer fields that say nothing about the script's behaviour. */
const VOLATILE = ['invocationId', 'durationMs', 'logs', 'trace'];

export async function invoke(runtime: Runtime, call: Invocation): Promise<InvokeResult> {
  try {
    const answer = (await callByKind(runtime, call.target, call.script, { ...call, trace: true })) as Record<string, unknown> & { logs?: LogLine[] };
    const logs = answer.logs ?? [];
    const rest = Object.fromEntries(Object.entries(answer).filter(([key]) => !VOLATILE.includes(key)));
    return { type: 'answer', answer: rest, logs };
  } catch (error) {
    if (error instanceof ScriptFailure) {
      return { type: 'failure', error: error.body.error, logs: (error.body.logs as LogLine[] | undefined) ?? [] };
    }
    const e = error as Error & { name?: string };
    if (['ScriptNotFoundError', 'InputError', 'ScriptMetadataError'].includes(e?.name ?? '')) return { type: 'problem', message: e.message };
    throw error;
  }
}

/** `RestResponseError: api.rest.v1: … (scripts/x.js:3:9)` */
export function describeError(error: ScriptErrorInfo, file?: string): string {
  const where = error.line !== undefined && file && !error.message.includes(`${file}:`) ? ` (${file}:${error.line}:${error.column ?? 0})` : '';
  return `${error.name}${error.code ? ` [${error.code}]` : ''}: ${error.message}${where}`;
}
