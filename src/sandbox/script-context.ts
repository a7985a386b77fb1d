// One hardened V8 context inside an isolate: the prelude's driver, the host
// functions bound to it, and the scripts defined in it. One invocation at a
// time uses it (never two in one global object); the prelude resets what an
// invocation left behind, so a context is reused for the next one.
import ivm from './isolated-vm.js';
import type { HostCalls } from './bridge.js';
import { parseCompileError, type CompiledScript } from './compiled-script.js';
import type { ScriptErrorInfo } from './errors.js';
import type { Invocation } from './invocation.js';
import type { TurnAnswer, TurnMessage } from './isolate/turn-messages.js';

/** The run using a context: its host calls (sync mode) and log lines are its invocation's. */
export interface ContextUser {
  readonly invocation: Invocation;
}

export interface ContextHooks {
  calls: HostCalls;
  onLog(invocation: Invocation | undefined, level: string, payload: string): void;
}

type DriverFn = ivm.Reference<(...args: unknown[]) => unknown>;

export class ScriptContext {
  /** the run using this context now */
  user?: ContextUser;
  /** the sandbox generation whose scripts are defined here (cache invalidation) */
  generation = 0;
  /** when it last came free (Date.now()): contexts free the longest are released first */
  freeSince = 0;
  private readonly defined = new Set<string>();
  private released = false;

  private constructor(
    private readonly context: ivm.Context,
    private readonly driver: { define: DriverFn; forget: DriverFn; invoke: DriverFn; settle: DriverFn },
  ) {}

  static async create(isolate: ivm.Isolate, prelude: ivm.Script, hooks: ContextHooks): Promise<ScriptContext> {
    const context = await isolate.createContext();
    const holder: { self?: ScriptContext } = {};
    const user = () => holder.self?.user;
    const refs = {
      __scHostCall: new ivm.Reference((path: string, method: string, argsJson: string) => {
        const invocation = user()?.invocation;
        const refused = hooks.calls.refuse(invocation, String(path), String(method));
        return refused ?? hooks.calls.perform(invocation!, String(path), String(method), String(argsJson));
      }),
      __scHostLog: new ivm.Reference((level: string, payload: string) => hooks.onLog(user()?.invocation, String(level), String(payload))),
    };
    try {
      // Never the *Sync calls here: they wait on the main thread for the
      // isolate, which may be running the turns queued before them (a
      // runaway's, up to its CPU limit) — the whole process would stall.
      await Promise.all(Object.entries(refs).map(([name, ref]) => context.global.set(name, ref)));
      const driverRef = (await prelude.run(context, { reference: true, timeout: 5_000 })) as ivm.Reference<Record<string, unknown>>;
      const [define, forget, invoke, settle] = await Promise.all(
        (['define', 'forget', 'invoke', 'settle'] as const).map((name) => driverRef.get(name, { reference: true }) as Promise<DriverFn>),
      );
      const driver = { define, forget, invoke, settle };
      driverRef.release();
      holder.self = new ScriptContext(context, driver);
      return holder.self;
    } catch (err) {
      context.release();
      throw err;
    }
  }

  /** Defines the script in this context (its factory, from the isolate's compiled copy). */
  async define(script: CompiledScript, compiled: ivm.Script): Promise<void> {
    if (this.defined.has(script.key)) return;
    const factory = (await compiled.run(this.context, { reference: true, timeout: 1_000 })) as ivm.Reference<unknown>;
    try {
      await this.driver.define.apply(undefined, [script.key, script.filename, factory.derefInto()], { timeout: 1_000 });
    } finally {
      factory.release();
    }
    this.defined.add(script.key);
  }

  isDefined(script: CompiledScript): boolean {
    return this.defined.has(script.key);
  }

  /** Drops the scripts defined here (cache invalidation). */
  async forgetAll(): Promise<void> {
    this.defined.clear();
    await this.driver.forget.apply(undefined, [], { timeout: 1_000 });
  }

  /**
   * The first turn of an invocation: the answer text when it finished at once
   * having started nothing, else the turn's messages (isolate/outbox.ts). A
   * turn's value is copied out of the isolate after its microtasks ran.
   */
  invoke(seq: number, script: CompiledScript, kind: string, payloadJson: string, maxOutputChars: number, timeoutMs: number): Promise<TurnAnswer> {
    return this.driver.invoke.apply(undefined, [seq, script.key, kind, payloadJson, maxOutputChars, script.mode === 'async'], { timeout: timeoutMs, result: { copy: true } }) as Promise<TurnAnswer>;
  }

  /** A later turn: the answer to an async call; the script's continuation runs inside it. Its messages are returned. */
  settle(seq: number, callId: number, answerJson: string, timeoutMs: number): Promise<TurnMessage[]> {
    return this.driver.settle.apply(undefined, [seq, callId, answerJson], { timeout: timeoutMs, result: { copy: true } }) as Promise<TurnMessage[]>;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.user = undefined;
    this.defined.clear();
    for (const ref of Object.values(this.driver)) ref.release();
    try {
      this.context.release();
    } catch {
      // the isolate is already gone
    }
  }
}

/** Compiles a script for one isolate; a compile error is the script's own. */
export async function compileFor(isolate: ivm.Isolate, script: CompiledScript): Promise<ivm.Script | ScriptErrorInfo> {
  if (script.compileError) return script.compileError;
  if (!script.checked) {
    // The source must be a complete script by itself, so that nothing in it
    // can close the wrapper function and run outside of it.
    try {
      (await isolate.compileScript(script.source, { filename: script.filename })).release();
    } catch (err) {
      script.compileError = parseCompileError(err, script.filename);
    }
    script.checked = true;
    if (script.compileError) return script.compileError;
  }
  try {
    const compiled = await isolate.compileScript(script.wrapped, {
      filename: script.filename,
      lineOffset: -1,
      ...(script.cachedData ? { cachedData: script.cachedData } : { produceCachedData: true }),
    });
    const produced = (compiled as ivm.Script & { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;
    if (!script.cachedData && produced) script.cachedData = produced;
    return compiled;
  } catch (err) {
    script.compileError = parseCompileError(err, script.filename);
    return script.compileError;
  }
}
