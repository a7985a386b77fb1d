// The `context` (and `task`, and the formatter's input) objects each script
// kind gets, built from the payload the host sends (src/kinds/*.ts
// preparePayload).
import { javaify, javaList } from './collections.js';
import { fail } from './errors.js';
import { arraySlice, ArrayIsArray, ErrorCtor, freeze, hasOwn, jsonParse, jsonStringify, objectKeys, StringFn } from './intrinsics.js';
import { renderArg } from './logging.js';
import { scriptCall } from './script-calls.js';

type Dict = Record<string, unknown>;

/** a form component as the host sends it */
interface Component {
  value?: unknown;
  visible?: boolean;
  data?: Dict;
}

/** the payload of scriptService and validationScript */
export interface ScriptPayload {
  input?: Record<string, unknown[] | null>;
  form?: Record<string, Component | undefined>;
}
/** the payload of scriptTask */
export interface TaskPayload {
  variables?: Dict;
  processInstanceId?: string;
}
/** the payload of formatter */
export interface FormatterPayload {
  textToFormat?: unknown;
  locale?: unknown;
  cursorPosition?: unknown;
}

/** What a task's context records: the outcome it was given, one at most. */
export interface TaskOutcome {
  kind: 'complete' | 'failure' | 'bpmnError' | undefined;
  [field: string]: unknown;
}

export function removedApi(): never {
  fail("context.api() was removed. Call REST services with api.rest.v1, for example: " +
    "const r = api.rest.v1.get('crm', { path: 'customers/{id}', pathParams: { id: id } }); return [{ name: r.body.name }];");
}

/**
 * What every `context` has from the reference platform besides its kind's
 * own: calls of other scripts, and the removed api() / getModel() saying what
 * to use instead (`instead`: what this kind's context offers).
 */
function platformMembers(instead: string) {
  return {
    callService(name: unknown, input: unknown) { return scriptCall('callService', name, input); },
    validate(name: unknown, input: unknown) { return scriptCall('validate', name, input); },
    api: removedApi,
    getModel(): never {
      fail('context.getModel() is deprecated and not available in ScriptCode. The reference platform says to use api.model instead; ' +
        'ScriptCode has no api.model: ' + instead);
    },
  };
}

function makeFormAccess(form: ScriptPayload['form'], changes: Dict, readOnly: boolean) {
  const components = form || {};
  return {
    getValue(id: string): unknown {
      if (hasOwn(changes, id)) return changes[id];
      const c = components[id];
      return c && c.value !== undefined ? javaify(jsonParse(jsonStringify(c.value))) : null;
    },
    // The platform's `String isVisible(id)`: the text "true" or "false"
    // (its scripts compare `== "true"`); unknown components are not visible.
    isVisible(id: string): string {
      const c = components[id];
      return c && c.visible !== false ? 'true' : 'false';
    },
    getData(id: string, attribute: string): unknown {
      const c = components[id];
      const data = c && c.data;
      if (!data || !hasOwn(data, attribute)) return null;
      return javaify(jsonParse(jsonStringify(data[attribute])));
    },
    setValue(id: unknown, value: unknown): void {
      if (readOnly) fail('context.setValue() is not available in a validator: validators only check the form, they cannot change it.');
      if (typeof id !== 'string' || id === '') fail('context.setValue(id, value): id must be a non-empty string');
      let copy: unknown;
      try { copy = value === undefined ? null : jsonParse(jsonStringify(value)); } catch (e) {
        fail('context.setValue(' + jsonStringify(id) + ', value): the value cannot be serialized to JSON');
      }
      changes[id] = copy;
    },
  };
}

/** The `context` of scriptService and validationScript; form changes are written to `changes`. */
export function makeScriptContext(payload: ScriptPayload, readOnly: boolean, changes: Dict): object {
  const input = javaify(payload.input || {});
  const form = makeFormAccess(payload.form, changes, readOnly);
  return freeze({
    getParameters(name: string) {
      const v = hasOwn(input, name) ? input[name] : null;
      return javaList(v ? arraySlice(v) : []);
    },
    // The default (or null) when the parameter is missing or empty: no
    // values, or a first value that is "" or null ([], [""], [null]).
    getFirstParameter(name: string, defaultValue: unknown) {
      const v = hasOwn(input, name) ? input[name] : null;
      const first = v && v.length > 0 ? v[0] : null;
      if (first !== null && first !== undefined && first !== '') return first;
      return defaultValue === undefined ? null : defaultValue;
    },
    getInputParameters() { return input; },
    getValue: form.getValue,
    isVisible: form.isVisible,
    getData: form.getData,
    setValue: form.setValue,
    ...platformMembers('read form values with context.getValue(id) (and context.getData(id, attribute)), parameters with ' +
      'context.getParameters(name) or context.getFirstParameter(name)' +
      (readOnly ? '.' : ', and change a form value with context.setValue(id, value).')),
  });
}

function makeTask(payload: TaskPayload) {
  const variables = javaify(payload.variables || {});
  const processInstanceId = payload.processInstanceId === undefined ? null : payload.processInstanceId;
  return {
    getVariable(name: string) { return hasOwn(variables, name) ? variables[name] : null; },
    getAllVariables() { return javaify(jsonParse(jsonStringify(variables))); },
    getProcessInstanceId() { return processInstanceId; },
    getProcessIntanceId() { return processInstanceId; },
  };
}

/** The `context` and `task` of scriptTask; the outcome the script gives is written to `outcome`. */
export function makeTaskContext(payload: TaskPayload, outcome: TaskOutcome): { context: object; task: object } {
  const task = makeTask(payload);
  function record(kind: NonNullable<TaskOutcome['kind']>, fields: Dict): void {
    if (outcome.kind) {
      fail('The task already has an outcome (' + outcome.kind + '); call exactly one of complete(), handleFailure() or handleBpmnError() per run.');
    }
    outcome.kind = kind;
    for (const k of objectKeys(fields)) outcome[k] = fields[k];
  }
  function copyJson(what: string, value: unknown): Dict | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || ArrayIsArray(value)) fail(what + ' must be an object of name → value');
    try { return jsonParse(jsonStringify(value)); } catch (e) { fail(what + ' cannot be serialized to JSON: ' + StringFn(e && (e as Error).message)); }
  }
  function causeText(cause: unknown): string | undefined {
    if (cause === undefined || cause === null) return undefined;
    if (typeof cause === 'string') return cause;
    if (cause instanceof ErrorCtor) return StringFn(cause.message);
    return renderArg(cause);
  }
  const context = {
    getVariable: task.getVariable,
    getAllVariables: task.getAllVariables,
    getProcessInstanceId: task.getProcessInstanceId,
    getProcessIntanceId: task.getProcessIntanceId,
    complete(variables: unknown, modelChanges: unknown) {
      const v = copyJson('complete(variables): variables', variables);
      const m = copyJson('complete(variables, modelChanges): modelChanges', modelChanges);
      record('complete', { variables: v || {}, modelChanges: m });
    },
    handleFailure(cause: unknown) {
      record('failure', { cause: causeText(cause) || 'failure' });
    },
    handleBpmnError(errorCode: unknown, cause: unknown) {
      if (typeof errorCode !== 'string' || errorCode === '') fail('handleBpmnError(errorCode, cause): errorCode must be a non-empty string');
      record('bpmnError', { errorCode, cause: causeText(cause) });
    },
    ...platformMembers('read process variables with context.getVariable(name) or context.getAllVariables(), ' +
      'and return changes with context.complete(variables, modelChanges).'),
  };
  return { context: freeze(context), task: freeze(task) };
}

/** The formatter's input object. */
export function makeFormatterInput(payload: FormatterPayload): object {
  return freeze({ textToFormat: StringFn(payload.textToFormat), locale: payload.locale === undefined ? null : payload.locale,
    cursorPosition: payload.cursorPosition === undefined ? null : payload.cursorPosition });
}
