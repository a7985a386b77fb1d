// `scriptcode serve` (SPEC §6): the HTTP API over one application folder.
// Flags win over the `server:` section of scriptcode.yaml. JSON log lines go
// to stdout; one human line on stderr says where the server listens. The
// server (Fastify and the runtime) is loaded when the command runs.
import { Option, type Command } from 'commander';
import type { ConfigOverrides } from '../../app/load-config.js';
import type { LogLevel } from '../../app/types.js';
import { LOG_LEVELS } from '../output.js';
import { UsageError } from '../read-json-option.js';

interface ServeOptions {
  app: string;
  host?: string;
  port?: string;
  logLevel?: LogLevel;
  watch?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .addHelpText('after', '\nExamples:\n  $ scriptcode serve\n  $ scriptcode serve --app ./my-app --port 8080\n')
    .description('serve the HTTP API (run scripts, validators, tasks, formatters; health, metrics, OpenAPI)')
    .option('--app <dir>', 'the application folder', '.')
    .option('--host <address>', 'address to listen on (default: server.host, 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free port (default: server.port, 8080)')
    .addOption(new Option('--log-level <level>', 'log level (default: logging.level)').choices(LOG_LEVELS))
    .option('--no-watch', 'do not reload changed scripts while serving')
    .action(async (options: ServeOptions) => {
      if (options.port !== undefined && !/^\d{1,5}$/.test(options.port)) throw new UsageError(`--port must be a number from 0 to 65535, got '${options.port}'`);
      const { createServer, exitOnSignals } = await import('../../server/index.js');
      const server: Record<string, unknown> = {};
      if (options.host !== undefined) server.host = options.host;
      if (options.port !== undefined) server.port = Number(options.port);
      const config: ConfigOverrides = {
        ...(Object.keys(server).length > 0 && { server }),
        ...(options.logLevel && { logging: { level: options.logLevel } }),
      };
      const instance = await createServer({ app: options.app, config, watch: options.watch === false ? false : undefined });
      exitOnSignals(instance);
      try {
        const url = await instance.listen();
        process.stderr.write(`scriptcode serve: listening on ${url} (application ${options.app}); SIGTERM or Ctrl-C stops it\n`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          throw new UsageError(`cannot listen on ${instance.config.host}:${instance.config.port} (${code}); choose another --port or --host`);
        }
        throw err;
      }
    });
}
