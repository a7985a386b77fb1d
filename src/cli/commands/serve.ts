// `scriptcode serve` (SPEC §6): the HTTP API over one application folder.
// Flags win over the `server:` section of scriptcode.yaml. JSON log lines go
// to stdout; one human line on stderr says where the server listens. The
// server (Fastify and the runtime) is loaded when the command runs. With more
// than one worker this process is the cluster's primary (server/cluster.ts)
// and each worker runs this same command line as a plain server.
import { Option, type Command } from 'commander';
import type { ConfigOverrides } from '../../app/load-config.js';
import type { AppConfig, LogLevel } from '../../app/types.js';
import { LOG_LEVELS } from '../output.js';
import { UsageError } from '../read-json-option.js';

interface ServeOptions {
  app: string;
  host?: string;
  port?: string;
  logLevel?: LogLevel;
  watch?: boolean;
  workers?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .addHelpText('after', '\nExamples:\n  $ scriptcode serve\n  $ scriptcode serve --app ./my-app --port 8080\n  $ scriptcode serve --workers auto\n')
    .description('serve the HTTP API (run scripts, validators, tasks, formatters; health, metrics, OpenAPI)')
    .option('--app <dir>', 'the application folder', '.')
    .option('--host <address>', 'address to listen on (default: server.host, 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free port (default: server.port, 8080)')
    .addOption(new Option('--log-level <level>', 'log level (default: logging.level)').choices(LOG_LEVELS))
    .option('--no-watch', 'do not reload changed scripts while serving')
    .option('--workers <n|auto>', 'server processes sharing the port, auto = one per core (default: server.workers, 1)')
    .action(async (options: ServeOptions) => {
      if (options.port !== undefined && !/^\d{1,5}$/.test(options.port)) throw new UsageError(`--port must be a number from 0 to 65535, got '${options.port}'`);
      if (options.workers !== undefined && !/^(auto|[1-9]\d{0,2})$/.test(options.workers)) throw new UsageError(`--workers must be a number from 1 to 999 or auto, got '${options.workers}'`);
      const server: Record<string, unknown> = {};
      if (options.host !== undefined) server.host = options.host;
      if (options.port !== undefined) server.port = Number(options.port);
      if (options.workers !== undefined) server.workers = options.workers === 'auto' ? 'auto' : Number(options.workers);
      const config: ConfigOverrides = {
        ...(Object.keys(server).length > 0 && { server }),
        ...(options.logLevel && { logging: { level: options.logLevel } }),
      };
      const cluster = await import('../../server/cluster.js');
      const primary = cluster.isClusterWorker() ? undefined : await startPrimary(options.app, config, cluster);
      if (primary === 'primary') return;
      const { createServer, exitOnSignals } = await import('../../server/index.js');
      // the configuration startPrimary read, so that it is read once
      const instance = await createServer({ app: options.app, config, watch: options.watch === false ? false : undefined, loadedConfig: primary });
      if (cluster.isClusterWorker()) {
        // the primary passes SIGTERM on; a Ctrl-C reaches every process of the group, and the primary's is the one that counts
        exitOnSignals(instance, { signals: ['SIGTERM'] });
        process.on('SIGINT', () => undefined);
      } else {
        exitOnSignals(instance);
      }
      try {
        const url = await instance.listen();
        if (!cluster.isClusterWorker()) {
          process.stderr.write(`scriptcode serve: listening on ${url} (application ${options.app}); SIGTERM or Ctrl-C stops it\n`);
          if (instance.config.console.enabled) process.stderr.write(`scriptcode serve: web console at ${url}/console\n`);
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          throw new UsageError(`cannot listen on ${instance.config.host}:${instance.config.port} (${code}); choose another --port or --host`);
        }
        throw err;
      }
    });
}

/**
 * With more than one worker: runs the cluster's primary and answers 'primary'; else (serve in this
 * process) the configuration it read, or undefined when there is no such folder.
 */
async function startPrimary(app: string, overrides: ConfigOverrides, cluster: typeof import('../../server/cluster.js')): Promise<'primary' | AppConfig | undefined> {
  const { resolve, join } = await import('node:path');
  const { CONFIG_FILE, loadConfig } = await import('../../app/load-config.js');
  const { parseServerConfig } = await import('../../server/config.js');
  const { createRuntimeLogger } = await import('../../logging/logger.js');
  const { existsSync } = await import('node:fs');
  const dir = resolve(app);
  // no such folder: the server's own start says so
  if (!existsSync(dir)) return undefined;
  const appConfig = await loadConfig(dir, { overrides });
  const workers = cluster.workerCount(parseServerConfig(appConfig.server, join(dir, CONFIG_FILE)).workers);
  if (workers <= 1) return appConfig;
  cluster.runPrimary({
    workers,
    logger: createRuntimeLogger({ level: appConfig.logging.level }),
    onListening: (url) => process.stderr.write(`scriptcode serve: listening on ${url} with ${workers} workers (application ${app}); SIGTERM or Ctrl-C stops them\n`),
    onExit: (code) => process.exit(code),
  });
  return 'primary';
}
