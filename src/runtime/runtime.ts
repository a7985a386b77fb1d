// The library API (SPEC §10): one Runtime per application folder. It ties the
// loaded application, the sandbox and the bindings together and answers with
// exactly what the HTTP API answers.
//
// Configuration reload: while the application is watched, a change of
// scriptcode.yaml is read, validated and — only when all of it is valid —
// applied at once as a new generation: the bindings' gateways (services,
// credentials, OAuth2 token cache carried over for unchanged clients), the
// limits, the sensitive-data policy, the log level. Each invocation runs start
// to end on the generation it started under (its nested calls too); an old
// generation's gateways are closed once its last invocation is done. An
// invalid change is logged with every problem and its line, and the running
// generation stays. Pool sizes and cache.watch are fixed at start (a change
// is logged as needing a restart); the server says the same of `server:`.
import { randomUUID } from 'node:crypto';
import { Application } from '../app/application.js';
import { ConfigError } from '../app/errors.js';
import type { AppConfig, ScriptKind } from '../app/types.js';
import { KIND_FOLDERS } from '../app/types.js';
import { builtinBindings } from '../bindings/registry.js';
import { restV1 } from '../bindings/rest-v1/index.js';
import {
  formatter, scriptService, scriptTask, validationScript,
  type FormatAnswer, type FormatRequest, type KindHandler, type ScriptAnswer, type ScriptRequest,
  type TaskAnswer, type TaskRequest, type ValidateAnswer, type ValidateRequest,
} from '../kinds/index.js';
import { ScriptNotFoundError } from '../kinds/errors.js';
import { traceModeOf, type AnswerBase } from '../kinds/kind.js';
import { createRuntimeLogger, type RuntimeLogger, type RuntimeLoggerOptions } from '../logging/logger.js';
import { InvocationLog } from '../logging/invocation-log.js';
import { createSensitiveRenderer, type SensitiveRenderer } from '../logging/sensitive.js';
import type { BindingDefinition, BindingEnvironment, CallBudget, Gateway, LoadedBinding } from '../bindings/binding.js';
import { IsolateResetError, RuntimeClosedError } from '../sandbox/errors.js';
import { Invocation, type ConfigScope, type TraceMode } from '../sandbox/invocation.js';
import { resolveLimits } from '../sandbox/limits.js';
import { autoMaxIsolates } from '../sandbox/pool-sizing.js';
import { Sandbox } from '../sandbox/sandbox.js';
import type { Transport } from '../http/transport.js';
import { checkServiceConnection, type ConnectionCheckOptions, type ServiceCheckResult } from '../http/connection-check.js';
import type { RestGateway } from '../bindings/rest-v1/gateway.js';
import { notify, type RuntimeObserver } from './observer.js';
import { SCRIPT_CALLS_PATH, ScriptCalls } from './script-calls.js';

export interface RuntimeOptions {
  /** the application folder */
  app: string;
  /** watch the folder for changed scripts (default: the application's cache.watch) */
  watch?: boolean;
  /** settings that win over scriptcode.yaml (embedding, tests) */
  config?: Partial<AppConfig>;
  /**
   * The runtime's log (a pino logger). Without `logger` and `logDestination`
   * the runtime logs nothing (an embedder's stdout and stderr are its own),
   * unless `config.logging.level` is given: then JSON lines at that level go
   * to stderr.
   */
  logger?: RuntimeLogger;
  /** JSON lines at `logging.level` to this stream or file descriptor (1 = stdout, 2 = stderr) */
  logDestination?: RuntimeLoggerOptions['destination'];
  /**
   * A `${env:…}`/`${file:…}` secret of a service that is not available does not
   * fail start-up: the first call to that service fails with the same message
   * (the command line's `run` and `record`; default false: every secret is
   * resolved at start).
   */
  deferSecrets?: boolean;
  /** extra `api.*` bindings for embedders, next to the built-in ones */
  bindings?: readonly BindingDefinition[];
  /** scriptcode.yaml as the embedder already read it with loadConfig (same `config`, `env` and `bindings`): not read again at start */
  loadedConfig?: AppConfig;
  /** what each binding is given, by path (BindingEnvironment.options): `{ 'rest.v1': { transport } }` */
  bindingOptions?: Readonly<Record<string, unknown>>;
  /** isolates created at start per memory size in use (default 1) */
  warmIsolates?: number;
  /** receives invocation, REST-call, token and circuit events (metrics) */
  observer?: RuntimeObserver;
  /** replaces the network for api.rest.v1 (offline script tests); short for bindingOptions['rest.v1'].transport */
  transport?: Transport;
  /** variables for `${env:…}` references in scriptcode.yaml (default: process.env) */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Told of a reloaded configuration before it is applied (the server checks
   * its `server:` section here). Throwing (a ConfigError) refuses the change;
   * the keys returned are logged as changed but needing a restart.
   */
  onConfigReload?: (next: AppConfig, previous: AppConfig) => readonly string[] | void;
}

export interface ConfigReloadResult {
  /** unchanged: the file reads as the configuration in force */
  outcome: 'applied' | 'unchanged' | 'failed';
  /** the generation in force afterwards */
  generation: number;
  /** applied: top-level sections that changed */
  changed?: string[];
  /** applied: settings that changed but take effect only after a restart */
  restartNeeded?: string[];
  /** failed: why (a ConfigError lists every problem with its line) */
  error?: Error;
}

/** How long scriptcode.yaml must stay quiet before it is read (editors write in steps). */
export const CONFIG_RELOAD_DEBOUNCE_MS = 150;

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
  /** ids of the configured services */
  serviceIds(): string[];
  /** a step-by-step connection check of one service (DNS, policy, TCP, TLS, token, healthPath); undefined for an unknown id */
  checkService(id: string, options?: ConnectionCheckOptions): Promise<ServiceCheckResult | undefined>;
  /** invocations running or waiting right now */
  readonly inFlight: number;
  /** 1 at start, +1 for each reload of scriptcode.yaml that was applied */
  readonly configGeneration: number;
  /** reads scriptcode.yaml again and applies it when valid (done by itself on a change while watching) */
  reloadConfig(): Promise<ConfigReloadResult>;
  close(): Promise<void>;
}

/** Settings read once at start: a change is reported as needing a restart. */
const RESTART_ONLY: readonly (readonly ['pool' | 'cache', string])[] = [
  ['pool', 'maxIsolates'], ['pool', 'maxQueue'], ['pool', 'asyncInvocationsPerIsolate'], ['pool', 'spareIsolates'], ['pool', 'idleSeconds'],
  ['cache', 'watch'],
];

/** One configuration in force: what invocations that start under it use, to their end. */
class Generation {
  readonly scope: ConfigScope;
  private active = 0;
  private retired = false;
  private closing: Promise<void> | undefined;
  private markClosed!: () => void;
  /** resolves once its gateways are closed */
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    readonly number: number,
    readonly config: AppConfig,
    readonly bindings: readonly LoadedBinding[],
    readonly renderer: SensitiveRenderer,
  ) {
    this.scope = {
      generation: number,
      gateways: new Map(bindings.map((b) => [b.definition.path, b.gateway])),
      limits: config.limits,
    };
  }

  gateway(path: string): Gateway | undefined {
    return this.scope.gateways.get(path);
  }

  enter(): void {
    this.active++;
  }

  leave(): void {
    if (--this.active === 0 && this.retired) void this.close();
  }

  /** No new invocation starts under it; closed when the last running one is done (the promise resolves then). */
  retire(): Promise<void> {
    this.retired = true;
    if (this.active === 0) void this.close();
    return this.closed;
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled(this.bindings.map((b) => b.gateway.close?.())).then(() => this.markClosed());
    return this.closing;
  }
}

type BindingBase = Omit<BindingEnvironment, 'config' | 'sensitive' | 'previous' | 'options'> & {
  bindingOptions: Readonly<Record<string, unknown>>;
};

/** Every binding's gateway for `config`; what was made is closed again when one fails. */
async function createBindings(
  definitions: readonly BindingDefinition[],
  base: BindingBase,
  config: AppConfig,
  renderer: SensitiveRenderer,
  previous?: Generation,
): Promise<LoadedBinding[]> {
  const bindings: LoadedBinding[] = [];
  try {
    for (const definition of definitions) {
      const before = previous?.bindings.find((b) => b.definition === definition)?.gateway;
      const { bindingOptions, ...env } = base;
      const options = bindingOptions[definition.path];
      bindings.push({ definition, gateway: await definition.createGateway({ ...env, config, sensitive: renderer, previous: before, options }) });
    }
  } catch (err) {
    await Promise.allSettled(bindings.map((b) => b.gateway.close?.()));
    throw err;
  }
  return bindings;
}

function warnIfPlain(logger: RuntimeLogger, config: AppConfig): void {
  if (config.logging.sensitive === 'plain') {
    logger.warn('logging.sensitive is "plain": personal data from scripts is written to the log as is. Use it for local development only.');
  }
}

/** The log of a runtime not given a logger: see RuntimeOptions.logger. */
function defaultLogger(options: RuntimeOptions, config: AppConfig): RuntimeLogger {
  if (options.logDestination !== undefined) return createRuntimeLogger({ level: config.logging.level, destination: options.logDestination });
  const level = options.config?.logging?.level;
  if (level !== undefined) return createRuntimeLogger({ level, destination: 2 });
  // silent, and writing nowhere even if its level is raised later
  return createRuntimeLogger({ level: 'silent', destination: { write: () => {} } });
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const definitions = [...builtinBindings, ...(options.bindings ?? [])];
  const app = await Application.load(options.app, { watch: options.watch, configOverrides: options.config, env: options.env, deferSecrets: options.deferSecrets, bindings: definitions, loadedConfig: options.loadedConfig });
  let bindings: LoadedBinding[] = [];
  let sandbox: Sandbox | undefined;
  try {
    const config = app.config;
    const logger = options.logger ?? defaultLogger(options, config);
    warnIfPlain(logger, config);
    const renderer = createSensitiveRenderer(config.logging.sensitive, config.logging.hashKey);
    const rest = options.transport ? { [restV1.path]: { transport: options.transport, ...(options.bindingOptions?.[restV1.path] as object | undefined) } } : {};
    const base: BindingBase = { logger, appDir: app.dir, observer: options.observer, bindingOptions: { ...options.bindingOptions, ...rest } };
    bindings = await createBindings(definitions, base, config, renderer);
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
    const runtime = new ScriptRuntime(app, logger, ready, new Generation(1, config, bindings, renderer), { definitions, budgets: [...new Set(definitions.flatMap((d) => (d.budget ? [d.budget] : [])))], base, observer: options.observer, onConfigReload: options.onConfigReload });
    app.onChange(() => ready.invalidate());
    app.onConfigChange(() => runtime.scheduleReload());
    await ready.warm(
      (Object.keys(KIND_FOLDERS) as ScriptKind[])
        .filter((kind) => app.list(kind).length > 0)
        .map((kind) => resolveLimits(kind, [], config.limits[kind]).memoryMb),
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

interface ReloadDeps {
  definitions: readonly BindingDefinition[];
  /** the call budgets of the bindings, each once */
  budgets: readonly CallBudget[];
  base: BindingBase;
  observer: RuntimeObserver | undefined;
  onConfigReload: RuntimeOptions['onConfigReload'];
}

class ScriptRuntime implements Runtime {
  private closed = false;
  private readonly running = new Set<Promise<unknown>>();
  private readonly observer: RuntimeObserver | undefined;
  /** generations not yet closed: the current one and retired ones with invocations still running */
  private readonly generations = new Set<Generation>();
  private reloadTimer: NodeJS.Timeout | undefined;
  private reloads: Promise<unknown> = Promise.resolve();

  constructor(
    readonly app: Application,
    readonly logger: RuntimeLogger,
    private readonly sandbox: Sandbox,
    private current: Generation,
    private readonly deps: ReloadDeps,
  ) {
    this.observer = deps.observer;
    this.generations.add(current);
  }

  get inFlight(): number {
    return this.running.size;
  }

  get configGeneration(): number {
    return this.current.number;
  }

  private rest(): RestGateway | undefined {
    return this.current.gateway(restV1.path) as RestGateway | undefined;
  }

  services(): unknown[] {
    return (this.rest()?.describe?.() as unknown[] | undefined) ?? [];
  }

  serviceIds(): string[] {
    return this.rest()?.serviceIds?.() ?? [];
  }

  async checkService(id: string, options?: ConnectionCheckOptions): Promise<ServiceCheckResult | undefined> {
    const service = this.rest()?.serviceConfig?.(id);
    return service ? checkServiceConnection(service, options) : undefined;
  }

  /** A change of scriptcode.yaml was seen: read it once the file has been quiet for a moment. */
  scheduleReload(): void {
    if (this.closed) return;
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      void this.reloadConfig();
    }, CONFIG_RELOAD_DEBOUNCE_MS);
    this.reloadTimer.unref();
  }

  /** One reload at a time, in order; never rejects. */
  reloadConfig(): Promise<ConfigReloadResult> {
    const run = this.reloads.then(() => this.reload());
    this.reloads = run.catch(() => undefined);
    return run;
  }

  private async reload(): Promise<ConfigReloadResult> {
    const previous = this.current;
    if (this.closed) return { outcome: 'unchanged', generation: previous.number };
    let next: Generation;
    let restartNeeded: string[];
    try {
      const config = await this.app.readConfig();
      // compared in memory, secrets included: a rotated ${file:} secret is a change
      if (JSON.stringify(config) === JSON.stringify(previous.config)) {
        this.logger.debug({ generation: previous.number }, 'scriptcode.yaml changed on disk but reads as the configuration in force: nothing to apply');
        return { outcome: 'unchanged', generation: previous.number };
      }
      restartNeeded = [...(this.deps.onConfigReload?.(config, previous.config) ?? [])];
      for (const [section, key] of RESTART_ONLY) {
        const before = (previous.config[section] as Record<string, unknown> | undefined)?.[key];
        const after = (config[section] as Record<string, unknown> | undefined)?.[key];
        if (JSON.stringify(before) !== JSON.stringify(after)) restartNeeded.push(`${section}.${key}`);
      }
      const renderer = createSensitiveRenderer(config.logging.sensitive, config.logging.hashKey);
      const bindings = await createBindings(this.deps.definitions, this.deps.base, config, renderer, previous);
      next = new Generation(previous.number + 1, config, bindings, renderer);
    } catch (err) {
      return this.reloadFailed(previous, err);
    }
    if (this.closed) {
      await next.close();
      return { outcome: 'unchanged', generation: previous.number };
    }

    // the switch: invocations from here on start under `next`
    const config = next.config;
    const changed = Object.keys({ ...previous.config, ...config })
      .filter((key) => JSON.stringify(previous.config[key]) !== JSON.stringify(config[key]));
    this.app.applyConfig(config);
    // the announcement below is written at the more verbose of the two levels: a quieter level applies after it
    const levels = this.logger.levels.values;
    const quieter = (levels[config.logging.level] ?? Infinity) > (levels[this.logger.level] ?? Infinity);
    if (!quieter) this.logger.level = config.logging.level;
    this.current = next;
    this.generations.add(next);
    void previous.retire().then(() => this.generations.delete(previous));

    if (config.logging.sensitive !== previous.config.logging.sensitive) warnIfPlain(this.logger, config);
    this.logger.info({ generation: next.number, changed, ...(restartNeeded.length > 0 && { restartNeeded }) },
      `scriptcode.yaml reloaded: generation ${next.number} applies to new invocations (changed: ${changed.join(', ') || 'nothing'}); running invocations finish on generation ${previous.number}`);
    if (restartNeeded.length > 0) {
      this.logger.warn({ generation: next.number, restartNeeded },
        `these settings changed in scriptcode.yaml but take effect only after a restart: ${restartNeeded.join(', ')}`);
    }
    if (quieter) this.logger.level = config.logging.level;
    notify(this.observer, 'configReloaded', { generation: next.number, outcome: 'applied', changed });
    return { outcome: 'applied', generation: next.number, changed, ...(restartNeeded.length > 0 && { restartNeeded }) };
  }

  private reloadFailed(previous: Generation, err: unknown): ConfigReloadResult {
    const error = err instanceof Error ? err : new Error(String(err));
    if (err instanceof ConfigError) {
      // the loader's message lists every problem with its key path and line; it never quotes a value
      this.logger.error({ generation: previous.number, file: err.file, problems: err.issues },
        `scriptcode.yaml changed but cannot be used; generation ${previous.number} stays in force. ${err.message}`);
    } else {
      this.logger.error({ generation: previous.number, err }, `scriptcode.yaml changed but applying it failed; generation ${previous.number} stays in force`);
    }
    notify(this.observer, 'configReloaded', { generation: previous.number, outcome: 'failed', problems: err instanceof ConfigError ? err.issues.length : 1 });
    return { outcome: 'failed', generation: previous.number, error };
  }


  runScript(name: string, request: ScriptRequest = {}): Promise<ScriptAnswer> {
    return this.track(this.invoke(scriptService, name, request, traceModeOf(request)));
  }

  validate(name: string, request: ValidateRequest = {}): Promise<ValidateAnswer> {
    return this.track(this.invoke(validationScript, name, request, traceModeOf(request)));
  }

  executeTask(name: string, request: TaskRequest = {}): Promise<TaskAnswer> {
    return this.track(this.invoke(scriptTask, name, request, traceModeOf(request)));
  }

  format(name: string, request: FormatRequest): Promise<FormatAnswer> {
    return this.track(this.invoke(formatter, name, request, traceModeOf(request)));
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    const forget = () => this.running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  private async invoke<Req, Ans>(handler: KindHandler<Req, Ans>, name: string, request: Req, trace: TraceMode): Promise<Ans> {
    if (this.closed) throw new RuntimeClosedError();
    // start to end on the configuration in force now, whatever a reload does meanwhile
    const generation = this.current;
    generation.enter();
    try {
      return await this.invokeUnder(generation, handler, name, request, trace);
    } finally {
      generation.leave();
    }
  }

  private async invokeUnder<Req, Ans>(generation: Generation, handler: KindHandler<Req, Ans>, name: string, request: Req, trace: TraceMode): Promise<Ans> {
    const { config, renderer } = generation;
    const kind = handler.kind;
    const script = await this.app.get(kind, name);
    if (!script) throw new ScriptNotFoundError(kind, name, KIND_FOLDERS[kind]);
    const payload = handler.preparePayload(request);
    const limits = resolveLimits(kind, this.deps.budgets, config.limits[kind], script.metadata.limits);
    const id = randomUUID();
    const log = new InvocationLog(this.logger, { invocationId: id, script: name, kind }, renderer, config.logging.maxLinesPerInvocation);
    const invocation = new Invocation(id, kind, name, limits, log, trace);
    invocation.scope = generation.scope;

    const outcome = await this.sandbox.run({ filename: script.relativePath, source: script.source, hash: script.hash, kind, payload, invocation });
    invocation.end();
    log.finish();
    // the first limit reached is the one reported, whatever happened after it
    const final = outcome.type === 'isolateReset' ? outcome : invocation.limitExceeded ? { type: 'limit' as const, code: invocation.limitExceeded } : outcome;
    const durationMs = Math.round(invocation.elapsedMs() * 1000) / 1000;
    const result = final.type === 'value' ? 'ok' : final.type === 'limit' ? 'limit' : 'error';
    const reason = final.type === 'limit' ? final.code : final.type === 'scriptError' ? final.error.name : final.type === 'isolateReset' ? 'ISOLATE_RESET' : undefined;
    log.event('info', { outcome: reason ? `${result}:${reason}` : result, durationMs, ...invocation.callCounts }, 'invocation finished', false);
    notify(this.observer, 'invocationFinished', { kind, script: name, outcome: result, reason, durationMs, calls: { ...invocation.callCounts } });

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
    clearTimeout(this.reloadTimer);
    await this.reloads;
    await Promise.allSettled([...this.running]);
    await this.sandbox.close();
    await Promise.allSettled([...this.generations].map((g) => g.close()));
    await this.app.close();
  }
}
