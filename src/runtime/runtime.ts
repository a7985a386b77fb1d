// The library API (SPEC §10): one Runtime per application folder. It ties the
// loaded application, the sandbox and the bindings together and answers with
// exactly what the HTTP API answers.
import { randomUUID } from 'node:crypto';
import { Application } from '../app/application.js';
import type { AppConfig, ScriptKind } from '../app/types.js';
import { KIND_FOLDERS } from '../app/types.js';
import { builtinBindings } from '../api/index.js';
import {
  formatter, scriptService, scriptTask, validationScript,
  type FormatAnswer, type FormatRequest, type KindHandler, type ScriptAnswer, type ScriptRequest,
  type TaskAnswer, type TaskRequest, type ValidateAnswer, type ValidateRequest,
} from '../kinds/index.js';
import { ScriptNotFoundError } from '../kinds/errors.js';
import type { AnswerBase } from '../kinds/kind.js';
import { createRuntimeLogger, type RuntimeLogger, type RuntimeLoggerOptions } from '../logging/logger.js';
import { InvocationLog } from '../logging/invocation-log.js';
import { createSensitiveRenderer, type SensitiveRenderer } from '../logging/sensitive.js';
import type { BindingDefinition, LoadedBinding } from '../sandbox/binding.js';
import { IsolateResetError, RuntimeClosedError } from '../sandbox/errors.js';
import { Invocation } from '../sandbox/invocation.js';
import { resolveLimits } from '../sandbox/limits.js';
import { autoMaxIsolates } from '../sandbox/pool-sizing.js';
import { Sandbox } from '../sandbox/sandbox.js';
import type { Transport } from '../http/transport.js';
import { notify, type RuntimeObserver } from './observer.js';
import { SCRIPT_CALLS_PATH, ScriptCalls } from './script-calls.js';

export interface RuntimeOptions {
  /** the application folder */
  app: string;
  /** watch the folder for changed scripts (default: the application's cache.watch) */
  watch?: boolean;
  /** settings that win over scriptcode.yaml (embedding, tests) */
  config?: Partial<AppConfig>;
  /** the runtime's log; by default JSON lines on stdout */
  logger?: RuntimeLogger;
  logDestination?: RuntimeLoggerOptions['destination'];
  /** extra `api.*` bindings for embedders, next to the built-in ones */
  bindings?: readonly BindingDefinition[];
  /** isolates created at start per memory size in use (default 1) */
  warmIsolates?: number;
  /** receives invocation, REST-call, token and circuit events (metrics) */
  observer?: RuntimeObserver;
  /** replaces the network for api.rest.v1 (offline script tests) */
  transport?: Transport;
  /** variables for `${env:…}` references in scriptcode.yaml (default: process.env) */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Runtime {
  readonly app: Application;
  readonly logger: RuntimeLogger;
  runScript(name: string, request?: ScriptRequest): Promise<ScriptAnswer>;
  validate(name: string, request?: ValidateRequest): Promise<ValidateAnswer>;
  executeTask(name: string, request?: TaskRequest): Promise<TaskAnswer>;
  format(name: string, request: FormatRequest): Promise<FormatAnswer>;
  /** drops compiled scripts and cached sources */
  invalidateCache(): void;
  stats(): ReturnType<Sandbox['stats']>;
  /** the configured services with their live state (circuit, token): never a secret */
  services(): unknown[];
  /** invocations running or waiting right now */
  readonly inFlight: number;
  close(): Promise<void>;
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const app = await Application.load(options.app, { watch: options.watch, configOverrides: options.config, env: options.env });
  const bindings: LoadedBinding[] = [];
  let sandbox: Sandbox | undefined;
  try {
    const config = app.config;
    const logger = options.logger ?? createRuntimeLogger({ level: config.logging.level, destination: options.logDestination });
    if (config.logging.sensitive === 'plain') {
      logger.warn('logging.sensitive is "plain": personal data from scripts is written to the log as is. Use it for local development only.');
    }
    const renderer = createSensitiveRenderer(config.logging.sensitive, config.logging.hashKey);
    const definitions = [...builtinBindings, ...(options.bindings ?? [])];
    for (const definition of definitions) {
      bindings.push({ definition, gateway: await definition.createGateway({ config, logger, sensitive: renderer, appDir: app.dir, observer: options.observer, transport: options.transport }) });
    }
    const pool = config.pool;
    // context.callService / context.validate: run scripts of this application in its sandbox
    const scriptCalls = new ScriptCalls({ app, sandbox: () => ready, observer: options.observer });
    const ready: Sandbox = new Sandbox({
      bindings,
      internal: new Map([[SCRIPT_CALLS_PATH, scriptCalls]]),
      logger,
      maxIsolates: pool.maxIsolates === 'auto' ? autoMaxIsolates() : pool.maxIsolates,
      maxQueue: pool.maxQueue,
      asyncInvocationsPerIsolate: pool.asyncInvocationsPerIsolate,
      spareIsolates: pool.spareIsolates,
      idleMs: pool.idleSeconds * 1000,
    });
    sandbox = ready;
    const runtime = new ScriptRuntime(app, logger, renderer, ready, bindings, options.observer);
    app.onChange(() => ready.invalidate());
    await ready.warm(
      (Object.keys(KIND_FOLDERS) as ScriptKind[])
        .filter((kind) => app.list(kind).length > 0)
        .map((kind) => resolveLimits(kind, config.limits[kind]).memoryMb),
      options.warmIsolates ?? 1,
    );
    return runtime;
  } catch (err) {
    // nothing half-started stays behind: isolates, HTTP agents, the watcher
    await sandbox?.close();
    await Promise.allSettled(bindings.map((b) => b.gateway.close?.()));
    await app.close();
    throw err;
  }
}

class ScriptRuntime implements Runtime {
  private closed = false;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    readonly app: Application,
    readonly logger: RuntimeLogger,
    private readonly renderer: SensitiveRenderer,
    private readonly sandbox: Sandbox,
    private readonly bindings: readonly LoadedBinding[],
    private readonly observer: RuntimeObserver | undefined,
  ) {}

  get inFlight(): number {
    return this.running.size;
  }

  services(): unknown[] {
    const rest = this.bindings.find((b) => b.definition.path === 'rest.v1');
    return (rest?.gateway.describe?.() as unknown[] | undefined) ?? [];
  }

  runScript(name: string, request: ScriptRequest = {}): Promise<ScriptAnswer> {
    return this.track(this.invoke(scriptService, name, request, request.trace));
  }

  validate(name: string, request: ValidateRequest = {}): Promise<ValidateAnswer> {
    return this.track(this.invoke(validationScript, name, request, request.trace));
  }

  executeTask(name: string, request: TaskRequest = {}): Promise<TaskAnswer> {
    return this.track(this.invoke(scriptTask, name, request, request.trace));
  }

  format(name: string, request: FormatRequest): Promise<FormatAnswer> {
    return this.track(this.invoke(formatter, name, request, request.trace));
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    const forget = () => this.running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  private async invoke<Req, Ans>(handler: KindHandler<Req, Ans>, name: string, request: Req, trace = false): Promise<Ans> {
    if (this.closed) throw new RuntimeClosedError();
    const kind = handler.kind;
    const script = await this.app.get(kind, name);
    if (!script) throw new ScriptNotFoundError(kind, name, KIND_FOLDERS[kind]);
    const payload = handler.preparePayload(request);
    const limits = resolveLimits(kind, this.app.config.limits[kind], script.metadata.limits);
    const id = randomUUID();
    const log = new InvocationLog(this.logger, { invocationId: id, script: name, kind }, this.renderer, this.app.config.logging.maxLinesPerInvocation);
    const invocation = new Invocation(id, kind, name, limits, log, trace);

    const outcome = await this.sandbox.run({ filename: script.relativePath, source: script.source, hash: script.hash, kind, payload, invocation });
    invocation.end();
    log.finish();
    // the first limit reached is the one reported, whatever happened after it
    const final = outcome.type === 'isolateReset' ? outcome : invocation.limitExceeded ? { type: 'limit' as const, code: invocation.limitExceeded } : outcome;
    const durationMs = Math.round(invocation.elapsedMs() * 1000) / 1000;
    const result = final.type === 'value' ? 'ok' : final.type === 'limit' ? 'limit' : 'error';
    const reason = final.type === 'limit' ? final.code : final.type === 'scriptError' ? final.error.name : final.type === 'isolateReset' ? 'ISOLATE_RESET' : undefined;
    log.event('info', { outcome: reason ? `${result}:${reason}` : result, durationMs, restCalls: invocation.restCalls }, 'invocation finished', false);
    notify(this.observer, 'invocationFinished', { kind, script: name, outcome: result, reason, durationMs, restCalls: invocation.restCalls });

    if (final.type === 'isolateReset') throw new IsolateResetError(invocation.id);
    const base: AnswerBase = { invocationId: invocation.id, durationMs };
    if (trace) {
      base.logs = log.lines();
      base.trace = { calls: invocation.calls };
    }
    return handler.toAnswer(final, { invocation, metadata: script.metadata, base });
  }

  invalidateCache(): void {
    this.app.invalidate();
    this.sandbox.invalidate();
  }

  stats() {
    return this.sandbox.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.running]);
    await this.sandbox.close();
    await Promise.allSettled(this.bindings.map((b) => b.gateway.close?.()));
    await this.app.close();
  }
}
