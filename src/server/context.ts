// What the routes share: the server's phase, the runtime once it is loaded,
// the metrics and the route table.
import type { Runtime } from '../runtime/runtime.js';
import type { ServerConfig } from './config.js';
import { ServiceUnavailableError } from './errors.js';
import type { ServerMetrics } from './metrics.js';
import type { RouteTable } from './route-table.js';

/** starting: listening, application loading; ready: serving; stopping: draining after close()/SIGTERM; failed: could not load */
export type Phase = 'starting' | 'ready' | 'stopping' | 'failed';

export interface ServerContext {
  phase: Phase;
  runtime: Runtime | undefined;
  readonly config: ServerConfig;
  readonly metrics: ServerMetrics;
  readonly routes: RouteTable;
}

/** The runtime, or a 503 while the server is starting or stopping. */
export function runtimeOf(ctx: ServerContext): Runtime {
  if (ctx.phase === 'ready' && ctx.runtime) return ctx.runtime;
  if (ctx.phase === 'stopping') throw new ServiceUnavailableError('the server is shutting down; send the request to another instance or retry', 'STOPPING');
  throw new ServiceUnavailableError('the server is still loading the application; retry shortly', 'STARTING');
}
