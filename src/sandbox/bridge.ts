// Host side of the host↔script bridge: routes `call(path, method, argsJson)`
// from a context to the binding's gateway and answers with JSON text. Only
// strings cross; a gateway's exception becomes data the isolate rebuilds.
// The same calls serve both modes: sync mode waits for `perform` with the
// isolate's thread blocked, async mode settles the script's promise later.
// Besides the bindings (`api.*`), the runtime may serve paths of its own that
// no `api` object shows: 'context' is context.callService / context.validate.
import type { RuntimeLogger } from '../logging/logger.js';
import { BindingCallError, type Gateway, type LoadedBinding } from '../bindings/binding.js';
import type { Invocation } from './invocation.js';
import { jsonTextTooDeep, MAX_NESTING_DEPTH } from './limits.js';

export interface HostCalls {
  /** The answer refusing a call outright (unknown method, budget spent, invocation over), or undefined to go on. */
  refuse(invocation: Invocation | undefined, path: string, method: string): string | undefined;
  /** Runs an accepted call; resolves with the answer text and never rejects. */
  perform(invocation: Invocation, path: string, method: string, argsJson: string): Promise<string>;
}

function answerError(info: Record<string, unknown>): string {
  return JSON.stringify({ ok: false, error: info });
}

function endedAnswer(invocation: Invocation): string {
  return answerError({ name: 'LimitExceededError', code: invocation.limitExceeded ?? 'WALL_CLOCK_LIMIT', message: 'the invocation has ended' });
}

const ENDED = Symbol('ended');

export function createHostCalls(
  bindings: ReadonlyMap<string, LoadedBinding>,
  logger: RuntimeLogger,
  /** host paths of the runtime itself, reached from the prelude (no `api` object, no budget) */
  internal: ReadonlyMap<string, Gateway> = new Map(),
): HostCalls {
  const budgets = new Map([...bindings].map(([path, b]) => [path, b.definition.budget]));
  const gateways = new Map<string, Gateway>([...internal, ...[...bindings].map(([path, b]) => [path, b.gateway] as const)]);
  // the gateway of the configuration generation the invocation (chain) started under, when the runtime set one
  const gatewayOf = (invocation: Invocation, path: string) => invocation.root.scope?.gateways.get(path) ?? gateways.get(path);
  /** how the script wrote the call: api.rest.v1.send, context.callService */
  const label = (path: string, method: string) => (internal.has(path) && !bindings.has(path) ? `${path}.${method}` : `api.${path}.${method}`);
  return {
    refuse(invocation, path, method) {
      if (!invocation) return answerError({ name: 'Error', message: `${label(path, method)}: no invocation is running` });
      const gateway = gatewayOf(invocation, path);
      if (!gateway || !Object.hasOwn(gateway.methods, method)) {
        return answerError({ name: 'TypeError', message: `${label(path, method)} is not a function` });
      }
      if (invocation.hasEnded) return endedAnswer(invocation);
      const budget = budgets.get(path);
      if (budget) {
        // a nested script's calls count against the budget of the whole chain
        const made = invocation.countCall(budget.name);
        const allowed = invocation.root.limits.calls[budget.name] ?? budget.defaults[invocation.root.kind];
        if (made > allowed) {
          invocation.limitExceeded ??= budget.code;
          // One refused call is the script's to handle; calling on after it is
          // a loop that would only burn CPU: the invocation ends here.
          if (made > allowed + 1) invocation.end(budget.code);
          return answerError({ name: 'LimitExceededError', code: budget.code, message: budget.describe(allowed, invocation.kind) });
        }
      }
      return undefined;
    },

    async perform(invocation, path, method, argsJson) {
      const gateway = gatewayOf(invocation, path)!;
      const handler = gateway.methods[method]!;
      let args: unknown;
      try {
        args = JSON.parse(argsJson);
      } catch {
        return answerError({ name: 'TypeError', message: `${label(path, method)}: arguments are not valid JSON` });
      }
      if (!Array.isArray(args)) return answerError({ name: 'TypeError', message: `${label(path, method)}: arguments must be a list` });
      // gateways serialise what they are given, recursively: a value nested
      // thousands of levels would overflow the host's stack there
      if (argsJson.length > 2 * MAX_NESTING_DEPTH && jsonTextTooDeep(argsJson, MAX_NESTING_DEPTH + 1)) {
        return answerError({ name: 'TypeError', code: 'ARGUMENTS_TOO_DEEP', message: `${label(path, method)}: an argument is nested more than ${MAX_NESTING_DEPTH} levels deep; send flatter data` });
      }
      invocation.callsInFlight++;
      try {
        // the race covers gateways that do not settle when invocation.signal aborts
        const value = gateway.settlesOnAbort ? await handler(args, invocation) : await Promise.race([handler(args, invocation), invocation.whenEnded().then(() => ENDED)]);
        if (value === ENDED || invocation.hasEnded) return endedAnswer(invocation);
        return JSON.stringify({ ok: true, value: value === undefined ? null : value });
      } catch (err) {
        if (err instanceof BindingCallError) return answerError(err.info);
        if (invocation.hasEnded) return endedAnswer(invocation);
        // Unexpected host failures are logged here and never described to the
        // script: their messages may carry host details.
        logger.error({ err, binding: path, method, invocationId: invocation.id }, 'binding call failed unexpectedly');
        return answerError({ name: 'Error', code: 'INTERNAL', message: `${label(path, method)} failed inside the runtime (see the runtime log, invocation ${invocation.id})` });
      } finally {
        invocation.callsInFlight--;
      }
    },
  };
}
