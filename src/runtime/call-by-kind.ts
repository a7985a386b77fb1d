// The four script kinds by the names people type (`scriptcode run script …`,
// `validator:` in a test file), and the one place that turns such a name
// into the runtime call of that kind.
import type { ScriptKind } from '../app/types.js';
import type { Runtime } from './runtime.js';

export const KIND_NAMES = { script: 'scriptService', validator: 'validationScript', task: 'scriptTask', formatter: 'formatter' } as const satisfies Record<string, ScriptKind>;
export type KindName = keyof typeof KIND_NAMES;
export const KIND_NAME_LIST = Object.keys(KIND_NAMES) as KindName[];

export function isKindName(value: string): value is KindName {
  return Object.hasOwn(KIND_NAMES, value);
}

/** What a call of any kind may carry; each kind takes its own part. */
export interface KindCall {
  /** the input map (script, validator) or the formatter's input */
  input?: unknown;
  form?: unknown;
  /** process variables (task) */
  variables?: unknown;
  processInstanceId?: string;
  trace?: boolean;
  showData?: boolean;
}

export function callByKind(runtime: Runtime, kind: KindName, name: string, call: KindCall): Promise<unknown> {
  const { trace, showData } = call;
  switch (kind) {
    case 'script':
      return runtime.runScript(name, { input: call.input, form: call.form, trace, showData });
    case 'validator':
      return runtime.validate(name, { input: call.input, form: call.form, trace, showData });
    case 'task':
      return runtime.executeTask(name, { variables: call.variables, processInstanceId: call.processInstanceId, trace, showData });
    case 'formatter':
      return runtime.format(name, { ...(call.input as object), trace, showData });
  }
}
