// Host side of the host↔script bridge: routes `call(path, method, argsJson)`
// from an isolate to the binding's gateway and answers with JSON text. Only
// strings cross; a gateway's exception becomes data the isolate rebuilds.
import type { RuntimeLogger } from '../logging/logger.js';
import { BindingCallError, type LoadedBinding } from './binding.js';
import type { Invocation } from './invocation.js';
import { describeLimit } from './limits.js';

export type HostCallHandler = (invocation: Invocation | undefined, path: string, method: string, argsJson: string) => Promise<string>;

function answerError(info: Record<string, unknown>): string {
  return JSON.stringify({ ok: false, error: info });
}

export function createHostCallHandler(bindings: ReadonlyMap<string, LoadedBinding>, logger: RuntimeLogger): HostCallHandler {
  return async (invocation, path, method, argsJson) => {
    if (!invocation) return answerError({ name: 'Error', message: `api.${path}.${method}: no invocation is running` });
    const binding = bindings.get(path);
    const handler = binding && Object.hasOwn(binding.gateway.methods, method) ? binding.gateway.methods[method] : undefined;
    if (!binding || !handler) return answerError({ name: 'TypeError', message: `api.${path}.${method} is not a function` });

    if (binding.definition.budget === 'restCalls') {
      invocation.restCalls++;
      if (invocation.restCalls > invocation.limits.restCalls) {
        invocation.limitExceeded ??= 'REST_CALL_LIMIT';
        // One refused call is the script's to handle; calling on after it is a
        // loop that would only burn CPU: the invocation ends here.
        if (invocation.restCalls > invocation.limits.restCalls + 1) invocation.stop?.('REST_CALL_LIMIT');
        const message = describeLimit('REST_CALL_LIMIT', invocation.limits, invocation.kind);
        return answerError({ name: 'LimitExceededError', code: 'REST_CALL_LIMIT', message });
      }
    }

    let args: unknown;
    try {
      args = JSON.parse(argsJson);
    } catch {
      return answerError({ name: 'TypeError', message: `api.${path}.${method}: arguments are not valid JSON` });
    }
    if (!Array.isArray(args)) return answerError({ name: 'TypeError', message: `api.${path}.${method}: arguments must be a list` });
    if (invocation.signal.aborted) {
      return answerError({ name: 'LimitExceededError', code: invocation.limitExceeded ?? 'WALL_CLOCK_LIMIT', message: 'the invocation has ended' });
    }

    try {
      const value = await raceAbort(Promise.resolve(handler(args, invocation)), invocation.signal);
      return JSON.stringify({ ok: true, value: value === undefined ? null : value });
    } catch (err) {
      if (err instanceof BindingCallError) return answerError(err.info);
      if (err instanceof InvocationEndedError) {
        return answerError({ name: 'LimitExceededError', code: invocation.limitExceeded ?? 'WALL_CLOCK_LIMIT', message: 'the invocation has ended' });
      }
      // Unexpected host failures are logged here and never described to the
      // script: their messages may carry host details.
      logger.error({ err, binding: path, method, invocationId: invocation.id }, 'binding call failed unexpectedly');
      return answerError({ name: 'Error', code: 'INTERNAL', message: `api.${path}.${method} failed inside the runtime (see the runtime log, invocation ${invocation.id})` });
    }
  };
}

class InvocationEndedError extends Error {}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new InvocationEndedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InvocationEndedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
