// context.callService and context.validate: a script running another script
// of its application. The host runs the called script in a context of its
// own, within this invocation's budgets (src/runtime/script-calls.ts), through
// the same bridge as api.rest.v1: in sync mode this thread waits for the
// answer, in async mode the call returns a promise. Rows and errors come back
// as Java-style lists of maps, like every other list a script is handed.
import { bindingCaller, invocationState } from './bridge.js';
import { javaify } from './collections.js';
import { ArrayIsArray, promiseThen, TypeErrorCtor } from './intrinsics.js';

export type ScriptCallMethod = 'callService' | 'validate';

const callScriptOnHost = bindingCaller('context', undefined, 'context');

export function scriptCall(method: ScriptCallMethod, name: unknown, input: unknown): unknown {
  const example = method === 'validate' ? "context.validate('pesel', { pesel: ['44051401458'] })" : "context.callService('customer', { pesel: ['44051401458'] })";
  if (typeof name !== 'string' || name === '') {
    throw new TypeErrorCtor('context.' + method + '(name, input): name must be the name of a ' +
      (method === 'validate' ? 'validator' : 'script') + ', e.g. ' + example);
  }
  if (input !== undefined && input !== null && (typeof input !== 'object' || ArrayIsArray(input))) {
    throw new TypeErrorCtor('context.' + method + "('" + name + "', input): input must be a map of parameter name to a list of values, e.g. " + example);
  }
  const answer = callScriptOnHost(method, [name, input === undefined ? null : input]);
  if (!invocationState.async) return javaify(answer);
  return promiseThen(answer as Promise<unknown>, javaify);
}
