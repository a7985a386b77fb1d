// define / forget / invoke / settle: what the host drives
// (src/sandbox/script-context.ts), and what each script kind does with its
// entry function's value.
import type { ScriptKind } from '../../app/types.js';
import { beginInvocation, dropPendingCalls, invocationState, settleCall } from './bridge.js';
import { ENTRY_POINTS, type EntryExports } from './entry-points.js';
import { fail } from './errors.js';
import { freezeReachable } from './freeze.js';
import { resetGlobals } from './globals.js';
import {
  ErrorCtor, freeze, g, jsonParse, jsonStringify, MapCtor, mapClear, mapDelete, mapGet, mapSet, objectKeys, promiseResolve,
  promiseThen, RangeErrorCtor, reflectApply, StringFn, stringIndexOf,
} from './intrinsics.js';
import {
  makeFormatterInput, makeScriptContext, makeTaskContext, type FormatterPayload, type ScriptPayload, type TaskOutcome, type TaskPayload,
} from './kinds.js';
import { openTurn, post } from './outbox.js';
import type { TurnAnswer, TurnMessage } from './turn-messages.js';
import { describeError, toFormatterResult, toRows, toValidationErrors } from './results.js';

/** a script compiled by the host: its wrapper, one call of which runs its top level afresh (src/sandbox/compiled-script.ts) */
type ScriptFactory = () => EntryExports;
type EntryFunction = (...args: unknown[]) => unknown;

/** what one invocation's context objects record for its result */
interface RunState {
  /** form changes (context.setValue) */
  changes: Record<string, unknown>;
  /** the task's outcome (context.complete, …) */
  outcome: TaskOutcome;
}

interface KindRun {
  /** calls the entry function with what the kind hands it */
  start(fn: EntryFunction, payload: unknown, state: RunState): unknown;
  /** the kind's result from the entry function's value */
  result(value: unknown, state: RunState): unknown;
}

const KINDS: Readonly<Record<ScriptKind, KindRun>> = {
  scriptService: {
    start: (fn, payload, state) => fn(makeScriptContext(payload as ScriptPayload, false, state.changes)),
    result: (value, state) => ({ output: toRows(value), formChanges: state.changes }),
  },
  validationScript: {
    start: (fn, payload, state) => fn(makeScriptContext(payload as ScriptPayload, true, state.changes)),
    result: (value) => ({ errors: toValidationErrors(value) }),
  },
  scriptTask: {
    start: (fn, payload, state) => {
      const t = makeTaskContext(payload as TaskPayload, state.outcome);
      return fn(t.context, t.task);
    },
    result: (_value, state) => taskResult(state.outcome),
  },
  formatter: {
    start: (fn, payload) => fn(makeFormatterInput(payload as FormatterPayload)),
    result: (value) => toFormatterResult(value),
  },
};

function taskResult(outcome: TaskOutcome): Record<string, unknown> {
  if (!outcome.kind) {
    return { outcome: 'failure', cause: 'The task finished without an outcome: call context.complete(), context.handleFailure() or context.handleBpmnError().' };
  }
  const result: Record<string, unknown> = { outcome: outcome.kind };
  for (const k of objectKeys(outcome)) if (k !== 'kind' && outcome[k] !== undefined) result[k] = outcome[k];
  return result;
}

// ------------------------------------------------------------ scripts
const factories = new MapCtor<string, { filename: string; factory: ScriptFactory }>();

function define(hash: string, filename: string, factory: ScriptFactory): void {
  // a sloppy-mode script reaches its wrapper (arguments.callee): it is shared
  // by every invocation of the script in this context
  freezeReachable(factory);
  mapSet(factories, hash, { filename, factory });
}
function forget(hash?: string): void {
  if (hash === undefined) mapClear(factories);
  else mapDelete(factories, hash);
}

// ------------------------------------------------------------ invocations
/** The answer as JSON text, { ok: true, value }; throws when the result is too big or cannot be serialized. */
function finish(kind: ScriptKind, value: unknown, state: RunState, maxOutputChars: number): string {
  const result = KINDS[kind].result(value, state);
  let text: string;
  try {
    text = jsonStringify({ ok: true, value: result });
  } catch (e) {
    if (e instanceof RangeErrorCtor && stringIndexOf(StringFn(e.message), 'call stack') !== -1) {
      const err = new ErrorCtor('the result is nested too deeply to be serialized') as Error & { code?: string };
      err.code = 'OUTPUT_TOO_DEEP';
      throw err;
    }
    fail('The script result cannot be serialized to JSON: ' + StringFn(e && (e as Error).message));
  }
  if (text.length > maxOutputChars) {
    const err = new ErrorCtor('output limit exceeded: the result is ' + text.length + ' characters, the limit is ' + maxOutputChars) as Error & { code?: string };
    err.code = 'OUTPUT_LIMIT';
    throw err;
  }
  return text;
}

function errorAnswer(err: unknown, filename: string): string {
  return jsonStringify({ ok: false, error: describeError(err, filename) });
}

// Ends the invocation that did not finish within its first turn: the
// context is cleaned and the answer handed to the host, exactly once.
function finishLater(seq: number, filename: string, produce: () => string): void {
  if (seq !== invocationState.seq) return;
  let answer: string;
  try {
    answer = produce();
  } catch (err) {
    answer = errorAnswer(err, filename);
  }
  dropPendingCalls();
  resetGlobals();
  post(['done', seq, answer]);
}

/** The answer of a first turn that finished: alone, unless the turn posted something before it. */
function answerNow(outbox: TurnMessage[], seq: number, answer: string): TurnAnswer {
  if (outbox.length === 0) return answer;
  post(['done', seq, answer]);
  return outbox;
}

// Runs one invocation. `payloadJson` carries the input of the kind. The
// answer is JSON text, { ok: true, value } or { ok: false, error }. It is
// returned as it is when the entry point finished synchronously and started
// nothing (every sync-mode invocation); otherwise the turn's messages are
// (outbox.ts), the answer among them once the invocation has one — in this
// turn or a later one. In async mode binding calls return promises.
function invoke(seq: number, hash: string, kind: ScriptKind, payloadJson: string, maxOutputChars: number, asyncMode: boolean): TurnAnswer {
  const outbox = openTurn();
  beginInvocation(seq, asyncMode);
  if (!resetGlobals()) return jsonStringify({ ok: false, tainted: true });
  const entry = mapGet(factories, hash);
  if (!entry) return jsonStringify({ ok: false, missing: true });
  const filename = entry.filename;
  const state: RunState = { changes: {}, outcome: { kind: undefined } };
  let value: unknown;
  try {
    const payload: unknown = jsonParse(payloadJson);
    const exported = reflectApply(entry.factory, g, []);
    const entryPoint = ENTRY_POINTS[kind];
    const fn = exported[entryPoint.name];
    if (typeof fn !== 'function') {
      const e = new ErrorCtor(filename + ' does not define its entry point: add ' + entryPoint.signature + ' { … }');
      e.name = 'EntryPointError';
      throw e;
    }
    value = KINDS[kind].start(fn as EntryFunction, payload, state);
    if (value === null || typeof value !== 'object' || typeof (value as { then?: unknown }).then !== 'function') {
      const answer = finish(kind, value, state, maxOutputChars);
      resetGlobals();
      return answerNow(outbox, seq, answer);
    }
  } catch (err) {
    resetGlobals();
    return answerNow(outbox, seq, errorAnswer(err, filename));
  }
  // A promise (async entry point, or a returned thenable): its continuation
  // runs in this turn's microtasks or in later turns, and posts the answer.
  promiseThen(promiseResolve(value),
    (settled) => finishLater(seq, filename, () => finish(kind, settled, state, maxOutputChars)),
    (err) => finishLater(seq, filename, () => errorAnswer(err, filename)));
  return outbox;
}

/** A later turn: the answer to an async call; what the continuations post is returned. */
function settle(seq: number, id: number, answerJson: string): TurnMessage[] {
  const outbox = openTurn();
  settleCall(seq, id, answerJson);
  return outbox;
}

/** What the host drives: src/sandbox/script-context.ts calls these through isolated-vm References. */
export function createDriver() {
  return freeze({ define, forget, invoke, settle });
}
