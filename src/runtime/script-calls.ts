// context.callService(name, input) and context.validate(name, input) (SPEC
// §3.1): a script runs another scriptService / validator of its application
// and gets its rows / errors. The prelude reaches this through the host path
// 'context' (the same bridge as api.rest.v1: in sync mode the caller's thread
// waits, in async mode the call returns a promise).
//
// The called script runs as a nested invocation (src/sandbox/invocation.ts),
// in a context of its own on an isolate of its own pool — never in the
// caller's context, and in sync mode it cannot use the caller's isolate, whose
// thread is blocked in the call. It spends the budgets of the invocation the
// caller asked for: what is left of its CPU time (the nested run's CPU is
// charged up the chain), its deadline, its REST calls; its memory and output
// limits are its own. Its log lines and REST calls join the invocation's
// (marked `script: 'validators/pesel'`), and the trace shows each call.
//
// What the calling script sees:
//  * the rows (a list of maps) or the errors ([{ key, message, parameters }]);
//  * a ScriptCallError (code SCRIPT_FAILED, SCRIPT_NOT_FOUND, INVALID_INPUT,
//    CALL_DEPTH_EXCEEDED, POOL_EXHAUSTED, ISOLATE_RESET, …) it can catch;
//  * a limit reached anywhere down the chain (CPU, wall clock, REST calls,
//    memory, output) ends the whole invocation with that limit, as if the
//    caller had reached it — catching the error buys nothing.
import { ScriptMetadataError } from '../app/errors.js';
import { SCRIPT_NAME, type Application } from '../app/application.js';
import { KIND_FOLDERS, type ScriptKind } from '../app/types.js';
import { closest } from '../app/yaml-source.js';
import { InputError } from '../kinds/errors.js';
import { fillMessage, scriptService, validationScript } from '../kinds/index.js';
import { BindingCallError, type Gateway } from '../bindings/binding.js';
import { PoolExhaustedError, RuntimeClosedError } from '../sandbox/errors.js';
import { Invocation } from '../sandbox/invocation.js';
import { describeLimit, MAX_CALL_DEPTH, resolveLimits, type Limits } from '../sandbox/limits.js';
import type { RunOutcome } from '../sandbox/run-outcome.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { notify, type RuntimeObserver } from './observer.js';

/** The host path the prelude calls ('context.callService' → path 'context', method 'callService'). */
export const SCRIPT_CALLS_PATH = 'context';

export interface ScriptCallsDeps {
  app: Application;
  sandbox(): Sandbox;
  observer?: RuntimeObserver;
}

type Method = 'callService' | 'validate';
const TARGET: Record<Method, { handler: typeof scriptService | typeof validationScript; what: string }> = {
  callService: { handler: scriptService, what: 'scriptService' },
  validate: { handler: validationScript, what: 'validator' },
};

/** How many script names an error lists at most. */
const MAX_LISTED = 20;

/** One nested call as the trace shows it (its REST calls and log lines follow, marked with `script`). */
export interface TracedScriptCall {
  call: string;
  /** the called script: 'validators/pesel' */
  target: string;
  /** 1 for a script the invoked one called, 2 for one that script called, … */
  depth: number;
  /** 'running': the invocation ended (its deadline, a limit elsewhere) while the call ran */
  outcome: 'ok' | 'error' | 'limit' | 'running';
  durationMs?: number;
  cpuMs?: number;
  /** calls made per call budget (restCalls: …), the called script's own and those of the scripts it called */
  [budget: string]: unknown;
  error?: { name: string; code?: string; message: string };
  /** the nested script that made the call, when it was not the invoked one */
  script?: string;
}

function scriptPath(kind: ScriptKind, name: string): string {
  return `${KIND_FOLDERS[kind]}/${name}`;
}

function scriptCallError(code: string, message: string, fields: Record<string, unknown> = {}): BindingCallError {
  return new BindingCallError({ name: 'ScriptCallError', code, message, ...fields });
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class ScriptCalls implements Gateway {
  readonly methods = {
    callService: (args: unknown[], caller: Invocation) => this.call('callService', args, caller),
    validate: (args: unknown[], caller: Invocation) => this.call('validate', args, caller),
  };

  constructor(private readonly deps: ScriptCallsDeps) {}

  private async call(method: Method, args: unknown[], caller: Invocation): Promise<unknown> {
    const { handler, what } = TARGET[method];
    const kind = handler.kind;
    const [name, input] = args;
    if (typeof name !== 'string' || name === '') {
      throw new BindingCallError({ name: 'TypeError', message: `context.${method}(name, input): name must be the name of a ${what}, e.g. context.${method}('customer', { pesel: ['44051401458'] })` });
    }
    const label = `context.${method}('${name.length > 80 ? `${name.slice(0, 80)}…` : name}')`;
    const target = scriptPath(kind, name);
    const fields = { script: name, kind };

    if (caller.depth >= MAX_CALL_DEPTH) {
      const chain: string[] = [];
      for (let at: Invocation | undefined = caller; at; at = at.parent) chain.unshift(scriptPath(at.kind, at.scriptName));
      throw scriptCallError('CALL_DEPTH_EXCEEDED', `${label}: scripts may call one another at most ${MAX_CALL_DEPTH} levels deep ` +
        `(${[...chain, target].join(' → ')}); a script that calls itself, directly or through others, needs a condition that stops it`, fields);
    }

    const { app } = this.deps;
    let script;
    try {
      script = await app.get(kind, name);
    } catch (err) {
      if (err instanceof ScriptMetadataError) throw scriptCallError('INVALID_METADATA', `${label}: ${err.message}`, fields);
      throw err;
    }
    if (!script) throw scriptCallError('SCRIPT_NOT_FOUND', this.notFound(method, kind, name, label), fields);

    let payload: unknown;
    try {
      payload = handler.preparePayload({ input });
    } catch (err) {
      if (err instanceof InputError) throw scriptCallError('INVALID_INPUT', `context.${method}('${name}', input): ${err.message}`, fields);
      throw err;
    }

    const root = caller.root;
    // the limits of the configuration generation the chain started under
    const own = resolveLimits(kind, root.limits.budgets, (root.scope?.limits ?? app.config.limits)[kind], script.metadata.limits);
    // the chain's budgets (CPU, wall clock, REST calls: see Invocation), the called script's own memory and output size
    const limits: Limits = { ...root.limits, memoryMb: own.memoryMb, maxOutputBytes: own.maxOutputBytes };
    const callerPath = caller.depth > 0 ? scriptPath(caller.kind, caller.scriptName) : undefined;
    const log = caller.log.nested({ invocationId: caller.id, script: name, kind, callDepth: caller.depth + 1, calledBy: scriptPath(caller.kind, caller.scriptName) }, target);
    const invocation = new Invocation(caller.id, kind, name, limits, log, caller.trace, caller);
    // in the trace from the start: an invocation that ends while the call runs shows it running
    const traceAt = caller.trace ? caller.calls.push({ call: `context.${method}`, target, depth: invocation.depth, outcome: 'running', ...(callerPath && { script: callerPath }) } satisfies TracedScriptCall) - 1 : -1;
    // The caller ending ends the call: a limit, its deadline, or an async
    // script that returned without waiting for the call.
    void caller.whenEnded().then(() => invocation.end(caller.limitExceeded));

    let outcome: RunOutcome;
    try {
      outcome = await this.deps.sandbox().run({ filename: script.relativePath, source: script.source, hash: script.hash, kind, payload, invocation });
    } catch (err) {
      invocation.end();
      if (err instanceof PoolExhaustedError) throw scriptCallError(err.code, `${label}: no isolate is free to run ${target}: ${err.message}`, fields);
      if (err instanceof RuntimeClosedError) throw scriptCallError(err.code, `${label}: the runtime is closing`, fields);
      throw err;
    }
    invocation.end();
    const final = outcome.type === 'isolateReset' ? outcome : invocation.limitExceeded ? { type: 'limit' as const, code: invocation.limitExceeded } : outcome;

    const durationMs = round(invocation.elapsedMs());
    const cpuMs = round(Number(invocation.cpuNs) / 1e6);
    // stopped because its caller ended first (its limit, or an async caller that returned without waiting)
    const cancelled = caller.hasEnded && final.type !== 'value' && !(final.type === 'limit' && final.code === caller.limitExceeded);
    const result = final.type === 'value' ? 'ok' : final.type === 'limit' && !cancelled ? 'limit' : 'error';
    const reason = cancelled ? 'CANCELLED' : final.type === 'limit' ? final.code : final.type === 'scriptError' ? final.error.name : final.type === 'isolateReset' ? 'ISOLATE_RESET' : undefined;
    log.event('info', { outcome: reason ? `${result}:${reason}` : result, durationMs, cpuMs, ...invocation.callCounts }, 'script call finished', false);
    notify(this.deps.observer, 'invocationFinished', { kind, script: name, outcome: result, reason, durationMs, calls: { ...invocation.callCounts } });

    // (an ended caller has answered: its trace is not changed afterwards)
    if (traceAt >= 0 && !caller.hasEnded) {
      const traced: TracedScriptCall = { call: `context.${method}`, target, depth: invocation.depth, outcome: result, durationMs, cpuMs, ...invocation.callCounts };
      if (final.type === 'scriptError') traced.error = { name: final.error.name, ...(final.error.code !== undefined && { code: final.error.code }), message: final.error.message };
      if (final.type === 'limit') traced.error = { name: 'LimitExceededError', code: final.code, message: describeLimit(final.code, invocation.limits, kind) };
      if (final.type === 'isolateReset') traced.error = { name: 'ScriptCallError', code: 'ISOLATE_RESET', message: 'stopped by another invocation sharing its isolate' };
      if (callerPath) traced.script = callerPath;
      caller.calls[traceAt] = traced;
      // the called script's own calls, and those of the scripts it called (already marked)
      for (const c of invocation.calls) {
        caller.calls.push(typeof c === 'object' && c !== null && !('script' in c) ? { ...c, script: target } : c);
      }
    }

    // The caller is gone (its limit, its deadline, it returned): nobody reads the answer.
    if (caller.hasEnded) throw this.ended(caller);
    switch (final.type) {
      case 'limit':
        // a limit of the chain: the whole invocation ends, as if the caller had reached it
        caller.end(final.code);
        throw new BindingCallError({ name: 'LimitExceededError', code: final.code, message: `${describeLimit(final.code, invocation.limits, kind)} in ${target}; the invocation was stopped` });
      case 'isolateReset':
        throw scriptCallError('ISOLATE_RESET', `${label}: ${target} was stopped because another invocation sharing its isolate exceeded the memory limit; the call can be retried`, fields);
      case 'scriptError': {
        const e = final.error;
        const at = e.line !== undefined && e.code !== 'COMPILE_ERROR' ? ` (${script.relativePath}:${e.line}:${e.column})` : '';
        throw scriptCallError('SCRIPT_FAILED', `${label}: ${script.relativePath} failed: ${e.name}: ${e.message}${at}`, { ...fields, cause: e });
      }
      case 'value':
        break;
    }
    // In sync mode the caller's turn runs on; a nested call that used up the
    // chain's CPU ends it here rather than at the end of that turn.
    if (caller.cpuLeftMs() <= 0) {
      caller.end('CPU_LIMIT');
      throw new BindingCallError({ name: 'LimitExceededError', code: 'CPU_LIMIT', message: `${describeLimit('CPU_LIMIT', root.limits, root.kind)}; the invocation was stopped` });
    }
    if (method === 'callService') return (final.value as { output: unknown[] }).output;
    const messages = script.metadata.messages ?? {};
    const errors = (final.value as { errors: { key: string; parameters: string[] }[] }).errors;
    return errors.map(({ key, parameters }) => ({
      key,
      message: Object.hasOwn(messages, key) ? fillMessage(messages[key]!, parameters) : key,
      parameters,
    }));
  }

  private ended(caller: Invocation): BindingCallError {
    return new BindingCallError({ name: 'LimitExceededError', code: caller.limitExceeded ?? 'WALL_CLOCK_LIMIT', message: 'the invocation has ended' });
  }

  /** What to do about an unknown name: a close match, the names there are, the file to add. */
  private notFound(method: Method, kind: ScriptKind, name: string, label: string): string {
    const { what } = TARGET[method];
    const names = this.deps.app.list(kind).map((e) => e.name);
    const guess = closest(name, names);
    const folder = KIND_FOLDERS[kind];
    const known = names.length === 0
      ? `the application has no ${what}s (${folder}/ is empty or missing)`
      : `${what}s: ${names.slice(0, MAX_LISTED).join(', ')}${names.length > MAX_LISTED ? `, … (${names.length} in all)` : ''}`;
    const valid = SCRIPT_NAME.test(name);
    return `${label}: there is no ${what} named '${valid ? name : label.slice(label.indexOf("'") + 1, -2)}'${guess ? ` — did you mean '${guess}'?` : ''} ` +
      `(${known}). ${valid ? `Add ${folder}/${name}.js` : 'A name is a file name without its extension (letters, digits, _ . -)'}, or call one that exists${method === 'callService' ? '; context.validate() runs validators' : '; context.callService() runs scripts'}.`;
  }
}
