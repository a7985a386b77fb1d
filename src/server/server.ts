// The ScriptCode server (SPEC §6): Fastify over one Runtime. createServer()
// checks the configuration (a bad `server:` section or an unauthenticated
// non-loopback address fails here, before any socket is opened); listen()
// binds the port — /health/live answers at once — then loads the application,
// warms the pool and turns /health/ready green; close() drains.
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ApplicationNotFoundError } from '../app/errors.js';
import { CONFIG_FILE, loadConfig, type ConfigOverrides } from '../app/load-config.js';
import { builtinBindings } from '../bindings/registry.js';
import type { AppConfig } from '../app/types.js';
import { createRuntimeLogger, type RuntimeLogger, type RuntimeLoggerOptions } from '../logging/logger.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime/runtime.js';
import { QueueFullError } from '../sandbox/errors.js';
import { bearerAuth } from './auth.js';
import { clusterMetrics, isClusterWorker, joinCluster } from './cluster.js';
import { isLoopbackHost, parseServerConfig, type ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { clientErrorHandler, errorBody, errorHandler, notFoundHandler, sendUnavailable } from './errors.js';
import { acceptJsonOnly, methodNotAllowed } from './http-conventions.js';
import { ServerMetrics } from './metrics.js';
import { RouteTable } from './route-table.js';
import { registerConsolePage } from './console/page.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerConsoleSourceRoutes } from './routes/console-sources.js';
import { registerConsoleToolRoutes } from './routes/console-tools.js';
import { registerInvokeRoutes } from './routes/invoke.js';
import { registerOperationRoutes } from './routes/operations.js';

export interface ServerOptions {
  /** the application folder */
  app: string;
  /** laid over scriptcode.yaml, key by key, `server:` included (CLI flags, tests) */
  config?: ConfigOverrides;
  /** the log for the server and the runtime; by default JSON lines on stdout at logging.level */
  logger?: RuntimeLogger;
  logDestination?: RuntimeLoggerOptions['destination'];
  /** reload changed scripts while serving (default: cache.watch of the configuration) */
  watch?: boolean;
  /** extra `api.*` bindings and what each binding is given (RuntimeOptions) */
  bindings?: RuntimeOptions['bindings'];
  bindingOptions?: RuntimeOptions['bindingOptions'];
  /** scriptcode.yaml as the caller already read it (with `config` as overrides and `bindings`): read once, not again here or by the runtime */
  loadedConfig?: AppConfig;
}

export interface CloseResult {
  /** every in-flight request finished within server.shutdownTimeoutMs */
  drained: boolean;
}

export interface ScriptCodeServer {
  readonly config: ServerConfig;
  readonly logger: RuntimeLogger;
  readonly fastify: FastifyInstance;
  /** once loaded */
  readonly runtime: Runtime | undefined;
  /** `http://127.0.0.1:8080` once listening */
  readonly url: string | undefined;
  readonly address: AddressInfo | undefined;
  /** binds the port, loads the application and warms the pool; resolves with the URL when ready */
  listen(): Promise<string>;
  /** stops accepting, finishes in-flight requests (bounded by shutdownTimeoutMs unless given), closes the runtime */
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

const delay = (ms: number) => new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), ms).unref());

export async function createServer(options: ServerOptions): Promise<ScriptCodeServer> {
  const dir = resolve(options.app);
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new ApplicationNotFoundError(dir, 'does not exist');
  if (!info.isDirectory()) throw new ApplicationNotFoundError(dir, 'is not a folder');
  const appConfig = options.loadedConfig ?? await loadConfig(dir, { overrides: options.config, bindings: options.bindings && [...builtinBindings, ...options.bindings] });
  const config = parseServerConfig(appConfig.server, join(dir, CONFIG_FILE));
  const logger = options.logger ?? createRuntimeLogger({ level: appConfig.logging.level, destination: options.logDestination });

  const fastify = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // one line per request, written by the onResponse hook below
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: false,
    // requests refused before routing (a broken URL, a parameter too long, an unparsable request) get the API's error body too
    frameworkErrors: (err, request, reply) => errorHandler(err, request, reply),
    clientErrorHandler,
    // `body.input.name must be string` / `body must NOT have additional properties ('inputs')`
    schemaErrorFormatter: (errors, dataVar) =>
      new Error(errors.map((e) => {
        const extra = e.keyword === 'additionalProperties' ? ` ('${String((e.params as { additionalProperty?: unknown }).additionalProperty)}')` : '';
        return `${dataVar}${e.instancePath.replace(/\//g, '.')} ${e.message ?? 'is invalid'}${extra}`;
      }).join('; ')),
    ajv: { customOptions: { allowUnionTypes: true, removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  const authenticate = bearerAuth(config.auth.tokens);
  const ctx: ServerContext = {
    phase: 'starting',
    runtime: undefined,
    config,
    metrics: new ServerMetrics(() => ctx.runtime),
    routes: new RouteTable({
      api: [
        // start-up and shutdown refusals first: a draining server does not check tokens
        async (_request: FastifyRequest, reply: FastifyReply) => {
          if (ctx.phase === 'ready') return;
          ctx.metrics.rejectedRequest(ctx.phase === 'stopping' ? 'stopping' : 'starting');
          return sendUnavailable(reply, ctx.phase === 'stopping'
            ? errorBody('ServiceUnavailable', 'the server is shutting down; send the request to another instance or retry', 'STOPPING')
            : errorBody('ServiceUnavailable', 'the server is still loading the application; retry shortly', 'STARTING'));
        },
        ...(authenticate ? [authenticate] : []),
      ],
    }),
  };

  fastify.setErrorHandler((err, request, reply) => {
    if (err instanceof QueueFullError) ctx.metrics.rejectedRequest('queue_full');
    return errorHandler(err as FastifyError, request, reply);
  });
  fastify.setNotFoundHandler((request, reply) => {
    const allowed = ctx.routes.allowed.of(request.url.split(/[?#]/, 1)[0]!);
    return allowed.length > 0 ? methodNotAllowed(request, reply, allowed) : notFoundHandler(request, reply);
  });
  acceptJsonOnly(fastify);
  fastify.addHook('onSend', async (_request, reply) => {
    // while draining, connections close after their answer so the server can stop
    if (ctx.phase === 'stopping') reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    // method, route and status only: never the body, the query or the headers
    request.log.info({ method: request.method, route, name: (request.params as { name?: string } | undefined)?.name, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 1000) / 1000 }, 'request');
  });
  registerInvokeRoutes(fastify, ctx);
  registerAdminRoutes(fastify, ctx);
  registerOperationRoutes(fastify, ctx);
  if (config.console.enabled) {
    registerConsolePage(fastify);
    registerConsoleSourceRoutes(fastify, ctx);
    registerConsoleToolRoutes(fastify, ctx);
  }

  let address: AddressInfo | undefined;
  let closing: Promise<CloseResult> | undefined;
  let starting: Promise<Runtime> | undefined;

  async function listen(): Promise<string> {
    await fastify.listen({ host: config.host, port: config.port, listenTextResolver: () => '' });
    address = fastify.server.address() as AddressInfo;
    const url = urlOf(address);
    logger.info({ url, app: dir, auth: authenticate ? 'bearer' : 'none' }, 'server listening; loading the application');
    if (isClusterWorker()) joinCluster(ctx.metrics.registry, url);
    if (!authenticate) {
      if (isLoopbackHost(config.host)) logger.info('no server.auth.tokens: /api/* is not authenticated (loopback only)');
      else logger.warn({ host: config.host }, 'server.auth.open is true: /api/* is served WITHOUT authentication on a non-loopback address');
    }
    starting = createRuntime({
      app: dir,
      // the runtime takes the same deep-partial overrides (it lays them over the file key by key)
      config: options.config as RuntimeOptions['config'],
      logger,
      watch: options.watch,
      bindings: options.bindings,
      bindingOptions: options.bindingOptions,
      // read above: the runtime does not read it again
      loadedConfig: appConfig,
      observer: ctx.metrics.observer,
      warmIsolates: config.warmIsolates,
      // a reloaded scriptcode.yaml: its server: section must still be valid; what changed in it needs a restart
      onConfigReload: (next) => {
        const reloaded = parseServerConfig(next.server, join(dir, CONFIG_FILE));
        return (Object.keys(reloaded) as (keyof ServerConfig)[])
          .filter((key) => JSON.stringify(reloaded[key]) !== JSON.stringify(config[key]))
          .map((key) => `server.${key}`);
      },
    });
    try {
      ctx.runtime = await starting;
    } catch (err) {
      if (!closing) {
        ctx.phase = 'failed';
        await fastify.close();
      }
      throw err;
    }
    // close() during start-up: drain() closes the runtime
    if (closing) throw new Error('the server was closed while it was starting');
    ctx.phase = 'ready';
    logger.info({ url, scripts: ctx.runtime!.app.list().length, services: ctx.runtime!.services().length }, 'server ready');
    return url;
  }

  async function drain(timeoutMs: number): Promise<CloseResult> {
    ctx.phase = 'stopping';
    const started = Date.now();
    logger.info({ inFlight: ctx.runtime?.inFlight ?? 0, timeoutMs }, 'shutting down: no new requests, finishing the ones in flight');
    const closed = fastify.close().catch((err: unknown) => logger.warn({ err }, 'closing the HTTP server failed'));
    let drained = (await Promise.race([closed.then(() => 'closed' as const), delay(timeoutMs)])) === 'closed';
    if (!drained) {
      logger.warn({ inFlight: ctx.runtime?.inFlight ?? 0, timeoutMs }, 'shutdown timeout: closing the connections still open');
      fastify.server.closeAllConnections();
      await closed;
    }
    // a runtime still loading is closed like a loaded one
    const runtime = ctx.runtime ?? (await starting?.catch(() => undefined));
    const left = Math.max(0, timeoutMs - (Date.now() - started));
    // invocations whose clients went away still finish (they are bounded by their wall-clock limit)
    if (runtime && (await Promise.race([runtime.close().then(() => 'closed' as const), delay(left)])) !== 'closed') drained = false;
    logger.info({ drained, durationMs: Date.now() - started }, 'server stopped');
    return { drained };
  }

  return {
    config,
    logger,
    fastify,
    get runtime() {
      return ctx.runtime;
    },
    get url() {
      return address ? urlOf(address) : undefined;
    },
    get address() {
      return address;
    },
    listen,
    close(closeOptions = {}) {
      closing ??= drain(closeOptions.timeoutMs ?? config.shutdownTimeoutMs);
      return closing;
    },
  };
}
