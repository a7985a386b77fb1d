// Host calls that look synchronous to the script (sync mode) or return
// promises (async mode), and the `api` object built from the bindings. Only
// JSON text crosses; errors come back as data and are rebuilt here.
import type { BindingEntry, ErrorInfo, MakeError } from './binding-types.js';
import { hostCall } from './host.js';
import {
  create, defineProperty, ErrorCtor, freeze, jsonParse, jsonStringify, MapCtor, mapDelete, mapGet, mapSet,
  objectKeys, PromiseCtor, StringFn, stringSplit,
} from './intrinsics.js';
import { post } from './outbox.js';
import { callOrigin, withOrigin, type CallOrigin } from './stacks.js';

/** what the host answers a call with */
type Answer = { ok: true; value: unknown } | { ok: false; error: ErrorInfo };

function makeHostError(info: ErrorInfo, makeError: MakeError | undefined): Error {
  const err = makeError ? makeError(info) : undefined;
  if (err) return err;
  const e = new ErrorCtor(StringFn(info.message));
  defineProperty(e, 'name', { value: StringFn(info.name || 'Error'), writable: true, configurable: true });
  const fields: Record<string, unknown> = e as unknown as Record<string, unknown>;
  for (const k of objectKeys(info)) if (k !== 'name' && k !== 'message') fields[k] = info[k];
  return e;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  makeError: MakeError | undefined;
  origin: CallOrigin;
}

// The invocation running in this context: in async mode binding calls return
// promises that the host settles later (settleCall), by call id. `seq` names
// the invocation in every message, so that a message still on its way when
// the context is given to the next invocation is not taken for its.
export const invocationState = { async: false, seq: 0, nextCallId: 0, pending: new MapCtor<number, PendingCall>() };

/** A new invocation starts (driver.ts invoke). */
export function beginInvocation(seq: number, asyncMode: boolean): void {
  invocationState.seq = seq;
  invocationState.nextCallId = 0;
  invocationState.async = asyncMode;
  invocationState.pending = new MapCtor();
}

/** The invocation that outlived its first turn ended: its calls still waiting are forgotten. */
export function dropPendingCalls(): void {
  invocationState.pending = new MapCtor();
}

export type Caller = (method: string, args: unknown[]) => unknown;

// `prefix` names the calls in messages: 'api.rest.v1' unless told ('context').
export function bindingCaller(path: string, makeError: MakeError | undefined, prefix?: string): Caller {
  const label = prefix === undefined ? 'api.' + path : prefix;
  return function call(method: string, args: unknown[]): unknown {
    let payload: string | undefined;
    try {
      payload = jsonStringify(args);
    } catch (e) {
      throw makeHostError({ name: 'TypeError', message: label + '.' + method +
        ': the arguments cannot be serialized to JSON (' + StringFn(e && (e as Error).message) + ')' }, undefined);
    }
    if (payload === undefined) payload = '[]';
    if (!invocationState.async) {
      const answer: Answer = jsonParse(hostCall.applySyncPromise(undefined, [path, method, payload]));
      if (answer.ok) return answer.value;
      throw makeHostError(answer.error, makeError);
    }
    const id = ++invocationState.nextCallId;
    const origin = callOrigin(call);
    // Sent with the turn (outbox.ts): the answer, or the refusal, arrives through settleCall().
    post(['start', invocationState.seq, id, path, method, payload]);
    return new PromiseCtor(function (resolve, reject) {
      mapSet(invocationState.pending, id, { resolve, reject, makeError, origin });
    });
  };
}

// Called by the host, in a turn of its own, when an async call has its answer.
export function settleCall(seq: number, id: number, answerJson: string): void {
  if (seq !== invocationState.seq) return;
  const waiting = mapGet(invocationState.pending, id);
  if (!waiting) return;
  mapDelete(invocationState.pending, id);
  const answer: Answer = jsonParse(answerJson);
  if (answer.ok) waiting.resolve(answer.value);
  else waiting.reject(withOrigin(makeHostError(answer.error, waiting.makeError), waiting.origin));
}

type ApiNode = { [name: string]: ApiNode | object };

/** Runs each binding's factory; the `api` object scripts see, with each binding at its path. */
export function buildApi(bindings: readonly BindingEntry[]): object {
  const api: ApiNode = create(null);
  for (const binding of bindings) {
    const parts = stringSplit(binding.path, '.');
    let node = api;
    for (let i = 0; i < parts.length - 1; i++) {
      if (!node[parts[i]]) node[parts[i]] = create(null);
      node = node[parts[i]] as ApiNode;
    }
    const made = binding.factory({ call: bindingCaller(binding.path, (info) => made && made.makeError && made.makeError(info)), freeze });
    node[parts[parts.length - 1]] = made.api;
  }
  return api;
}
