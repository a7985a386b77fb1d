// One V8 isolate with one hardened context, reused across invocations of one
// application. The prelude (isolate/prelude.ts) makes sure nothing an
// invocation does survives it; this class drives it and enforces the limits
// that need the host: CPU after an await, wall clock, memory, output size.
import ivm from 'isolated-vm';
import type { ScriptKind } from '../app/types.js';
import type { BindingDefinition } from './binding.js';
import type { HostCallHandler } from './bridge.js';
import { parseCompileError, type CompiledScript } from './compiled-script.js';
import type { ScriptErrorInfo } from './errors.js';
import type { Invocation } from './invocation.js';
import type { LimitCode } from './limits.js';
import { watchCpu } from './watchdog.js';
import { PRELUDE_SOURCE } from './isolate/prelude.js';


/** What one run produced, before the kind turns it into an answer. */
export type RunOutcome =
  | { type: 'value'; value: Record<string, unknown> }
  | { type: 'scriptError'; error: ScriptErrorInfo }
  | { type: 'limit'; code: LimitCode };

export interface SandboxIsolateOptions {
  memoryMb: number;
  bindings: readonly BindingDefinition[];
  onHostCall: HostCallHandler;
  onLog: (invocation: Invocation | undefined, level: string, payload: string) => void;
}

interface Driver {
  define: ivm.Reference<(hash: string, filename: string, factory: unknown) => void>;
  forget: ivm.Reference<(hash?: string) => void>;
  invoke: ivm.Reference<(hash: string, kind: string, payload: string, maxOutputChars: number) => Promise<string>>;
}

function bootstrapSource(bindings: readonly BindingDefinition[]): string {
  const list = bindings.map((b) => `{ path: ${JSON.stringify(b.path)}, factory: (${b.isolateSource}) }`).join(',\n');
  return `(${PRELUDE_SOURCE})([${list}])`;
}

export class SandboxIsolate {
  private readonly isolate: ivm.Isolate;
  private context?: ivm.Context;
  private driver?: Driver;
  private readonly defined = new Set<string>();
  private current?: Invocation;
  private killedFor?: LimitCode;
  private readonly bootstrap: string;

  private constructor(private readonly options: SandboxIsolateOptions) {
    this.isolate = new ivm.Isolate({ memoryLimit: options.memoryMb });
    this.bootstrap = bootstrapSource(options.bindings);
  }

  static async create(options: SandboxIsolateOptions): Promise<SandboxIsolate> {
    const sandbox = new SandboxIsolate(options);
    try {
      await sandbox.createContext();
    } catch (err) {
      sandbox.dispose();
      throw err;
    }
    return sandbox;
  }

  get usable(): boolean {
    return !this.isolate.isDisposed && this.context !== undefined;
  }

  /** A fresh hardened context; compiled scripts must be defined again in it. */
  private async createContext(): Promise<void> {
    this.releaseContext();
    const context = await this.isolate.createContext();
    const jail = context.global;
    await jail.set('__scHostCall', new ivm.Reference((path: string, method: string, argsJson: string) =>
      this.options.onHostCall(this.current, String(path), String(method), String(argsJson))));
    await jail.set('__scHostLog', new ivm.Reference((level: string, payload: string) => {
      this.options.onLog(this.current, String(level), String(payload));
    }));
    const script = await this.isolate.compileScript(this.bootstrap, { filename: 'scriptcode:prelude' });
    const driverRef = (await script.run(context, { reference: true, timeout: 5_000 })) as ivm.Reference<Record<string, unknown>>;
    script.release();
    this.driver = {
      define: (await driverRef.get('define', { reference: true })) as Driver['define'],
      forget: (await driverRef.get('forget', { reference: true })) as Driver['forget'],
      invoke: (await driverRef.get('invoke', { reference: true })) as Driver['invoke'],
    };
    driverRef.release();
    this.context = context;
  }

  private releaseContext(): void {
    this.defined.clear();
    if (this.driver) {
      for (const ref of Object.values(this.driver)) ref.release();
      this.driver = undefined;
    }
    if (this.context) {
      try {
        this.context.release();
      } catch {
        // the isolate is already gone
      }
      this.context = undefined;
    }
  }

  /** Checks, compiles and defines the script in this context; a compile error is the script's own. */
  private async define(script: CompiledScript): Promise<ScriptErrorInfo | undefined> {
    if (this.defined.has(script.key)) return undefined;
    if (!script.checked) {
      // The source must be a complete script by itself, so that nothing in it
      // can close the wrapper function and run outside of it.
      try {
        (await this.isolate.compileScript(script.source, { filename: script.filename })).release();
      } catch (err) {
        script.compileError = parseCompileError(err, script.filename);
      }
      script.checked = true;
    }
    if (script.compileError) return script.compileError;
    let compiled: ivm.Script;
    try {
      compiled = await this.isolate.compileScript(script.wrapped, {
        filename: script.filename,
        lineOffset: -1,
        ...(script.cachedData ? { cachedData: script.cachedData } : { produceCachedData: true }),
      });
    } catch (err) {
      script.compileError = parseCompileError(err, script.filename);
      return script.compileError;
    }
    const produced = (compiled as ivm.Script & { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;
    if (!script.cachedData && produced) script.cachedData = produced;
    const factory = (await compiled.run(this.context!, { reference: true, timeout: 1_000 })) as ivm.Reference<unknown>;
    compiled.release();
    try {
      await this.driver!.define.apply(undefined, [script.key, script.filename, factory.derefInto()], { timeout: 1_000 });
    } finally {
      factory.release();
    }
    this.defined.add(script.key);
    return undefined;
  }

  /** Drops compiled scripts from this context (cache invalidation). */
  async forgetAll(): Promise<void> {
    this.defined.clear();
    if (this.driver && this.usable) await this.driver.forget.apply(undefined, [], { timeout: 1_000 });
  }

  async run(script: CompiledScript, kind: ScriptKind, payloadJson: string, invocation: Invocation): Promise<RunOutcome> {
    const compileError = await this.define(script);
    if (compileError) return { type: 'scriptError', error: compileError };

    const limits = invocation.limits;
    this.current = invocation;
    this.killedFor = undefined;
    invocation.stop = (code) => this.kill(code);
    const remaining = invocation.remainingMs();
    const wallTimer = setTimeout(() => this.kill('WALL_CLOCK_LIMIT'), remaining);
    const stopWatching = watchCpu(this.isolate, limits.cpuMs, () => this.kill('CPU_LIMIT'));
    let answer: string;
    try {
      answer = await this.driver!.invoke.apply(
        undefined,
        [script.key, kind, payloadJson, limits.maxOutputBytes],
        { result: { promise: true, copy: true }, timeout: limits.cpuMs },
      );
    } catch (err) {
      return { type: 'limit', code: this.classifyFailure(err) };
    } finally {
      clearTimeout(wallTimer);
      stopWatching();
      this.current = undefined;
      invocation.stop = undefined;
    }

    const parsed = JSON.parse(answer) as { ok: boolean; value?: Record<string, unknown>; error?: ScriptErrorInfo; tainted?: boolean; missing?: boolean };
    if (parsed.tainted || parsed.missing) {
      // A previous invocation left something on the global object that cannot
      // be removed (or the context lost the script): start over on a fresh context.
      await this.createContext();
      const again = await this.define(script);
      if (again) return { type: 'scriptError', error: again };
      return this.run(script, kind, payloadJson, invocation);
    }
    if (parsed.ok) {
      if (Buffer.byteLength(answer) > limits.maxOutputBytes) return { type: 'limit', code: 'OUTPUT_LIMIT' };
      return { type: 'value', value: parsed.value! };
    }
    if (parsed.error?.code === 'OUTPUT_LIMIT' && parsed.error.name === 'Error') return { type: 'limit', code: 'OUTPUT_LIMIT' };
    // isolated-vm refuses ArrayBuffer memory beyond the isolate's limit with a
    // RangeError instead of killing the isolate: it is the same limit.
    if (parsed.error?.name === 'RangeError' && parsed.error.message === 'Array buffer allocation failed') return { type: 'limit', code: 'MEMORY_LIMIT' };
    return { type: 'scriptError', error: parsed.error! };
  }

  private classifyFailure(err: unknown): LimitCode {
    if (this.killedFor) return this.killedFor;
    const message = String((err as Error)?.message ?? err);
    if (/memory limit/i.test(message)) return 'MEMORY_LIMIT';
    if (/timed out/i.test(message)) {
      // isolated-vm stopped the script: the context may be half-way through
      // anything, so it is replaced before the next run.
      this.releaseContext();
      return 'CPU_LIMIT';
    }
    if (this.isolate.isDisposed) return 'MEMORY_LIMIT';
    throw err;
  }

  /** Restores a usable context after a run that was stopped without killing the isolate. */
  async ensureContext(): Promise<void> {
    if (!this.isolate.isDisposed && !this.context) await this.createContext();
  }

  private kill(reason: LimitCode): void {
    if (this.killedFor) return;
    this.killedFor = reason;
    this.current?.end(reason);
    this.dispose();
  }

  dispose(): void {
    this.releaseContext();
    if (!this.isolate.isDisposed) {
      try {
        this.isolate.dispose();
      } catch {
        // already disposed by isolated-vm itself (memory limit)
      }
    }
  }
}
