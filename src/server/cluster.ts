// `scriptcode serve --workers N` (server.workers): N server processes on one
// port through node:cluster. Processes, not threads: isolated-vm crashed when
// isolates were spread over worker_threads. The primary runs no server and no
// script; it starts the workers, replaces one that dies (logged, and slower
// when they keep dying at start), passes SIGTERM/SIGINT on to all and waits for
// each to drain, and answers the workers' /metrics with the sum over all of
// them (prom-client's AggregatorRegistry).
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { RuntimeLogger } from '../logging/logger.js';

const METRICS_REQUEST = 'scriptcode:metrics';
const METRICS_ANSWER = 'scriptcode:metrics-answer';
const LISTENING = 'scriptcode:listening';
/**
 * a worker that dies before it listens, or sooner than this after it started,
 * is a crash loop: the next one waits. Not listening is what counts first: on a
 * loaded machine a worker that cannot bind its port may take longer than this to
 * find out, and counting only time would restart it for ever.
 */
const HEALTHY_AFTER_MS = 5_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** workers that died at start, none having listened yet: the primary stops */
const GIVE_UP_AFTER_FAILED_STARTS = 3;

export type WorkersSetting = number | 'auto';

/** `auto`: one worker per core the process may use. */
export function workerCount(setting: WorkersSetting): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

export interface PrimaryOptions {
  workers: number;
  logger: RuntimeLogger;
  /** once every worker listens: the URL they share */
  onListening(url: string): void;
  /** the primary is done (all workers gone after a signal): exit with this code */
  onExit(code: number): void;
}

/** Failed starts in a row once a worker has died: one more, or none when it had listened and run a while. */
export function failedStartsAfter(failedStarts: number, listened: boolean, ranMs: number): number {
  return !listened || ranMs < HEALTHY_AFTER_MS ? failedStarts + 1 : 0;
}

/** How long the replacement of a dead worker waits: at once after a healthy run, then 0.5 s doubling to 30 s. */
export function restartDelayMs(failedStarts: number): number {
  return failedStarts === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** (failedStarts - 1));
}

/** Runs the primary: forks the workers (which run this same command line) and looks after them. */
export function runPrimary(options: PrimaryOptions): void {
  const { logger } = options;
  const aggregator = new AggregatorRegistry();
  const started = new Map<number, number>();
  const listening = new Set<number>();
  let stopping = false;
  let failedStopping = false;
  let failedStarts = 0;
  let announced = false;

  const fork = () => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
    worker.on('message', (message: unknown) => onMessage(worker, message));
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker started');
  };

  const onMessage = (worker: Worker, message: unknown) => {
    const m = message as { type?: string; id?: number; url?: string };
    if (m?.type === LISTENING && typeof m.url === 'string') {
      listening.add(worker.id);
      if (!announced && listening.size >= options.workers) {
        announced = true;
        options.onListening(m.url);
      }
    } else if (m?.type === METRICS_REQUEST) {
      aggregator.clusterMetrics().then(
        (text) => worker.send({ type: METRICS_ANSWER, id: m.id, text, contentType: aggregator.contentType }),
        (err: Error) => worker.send({ type: METRICS_ANSWER, id: m.id, error: err.message }),
      );
    }
  };

  cluster.on('exit', (worker, code, signal) => {
    const ranMs = Date.now() - (started.get(worker.id) ?? Date.now());
    const listened = listening.has(worker.id);
    started.delete(worker.id);
    listening.delete(worker.id);
    if (stopping) {
      logger.info({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker stopped');
      if (code !== 0) failedStopping = true;
      if (Object.keys(cluster.workers ?? {}).length === 0) options.onExit(failedStopping ? 1 : 0);
      return;
    }
    failedStarts = failedStartsAfter(failedStarts, listened, ranMs);
    if (!announced && failedStarts >= GIVE_UP_AFTER_FAILED_STARTS) {
      // never listened: a port in use, a broken application — starting more would fail the same way (the worker said why on stderr)
      logger.error({ worker: worker.id, code, signal, failedStarts }, 'workers keep dying before they listen; giving up');
      failedStopping = true;
      stop('SIGTERM');
      return;
    }
    const delayMs = restartDelayMs(failedStarts);
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal, ranMs, listened, restartInMs: delayMs }, 'worker died; starting another');
    setTimeout(() => !stopping && fork(), delayMs);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: stopping the workers without waiting');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      return;
    }
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'signal received; draining every worker');
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) options.onExit(failedStopping ? 1 : 0);
    for (const worker of workers) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  for (let i = 0; i < options.workers; i++) fork();
}

/** In a worker: tells the primary it listens, and lets it collect this worker's metrics. */
export function joinCluster(registry: Registry, url: string): void {
  // constructing one is what makes prom-client answer the primary's requests in a worker
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  process.send?.({ type: LISTENING, url });
}

let nextRequest = 0;
const pending = new Map<number, { resolve(v: { contentType: string; text: string }): void; reject(err: Error): void }>();
let listeningForAnswers = false;

const METRICS_TIMEOUT_MS = 10_000;

/** In a worker: the metrics of every worker, summed by the primary. */
export function clusterMetrics(): Promise<{ contentType: string; text: string }> {
  if (!listeningForAnswers) {
    listeningForAnswers = true;
    process.on('message', (message: unknown) => {
      const m = message as { type?: string; id?: number; text?: string; contentType?: string; error?: string };
      if (m?.type !== METRICS_ANSWER || m.id === undefined) return;
      const waiting = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) waiting?.reject(new Error(`the primary could not collect the workers' metrics: ${m.error}`));
      else waiting?.resolve({ contentType: m.contentType!, text: m.text! });
    });
  }
  const id = ++nextRequest;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`the primary did not answer with the workers' metrics within ${METRICS_TIMEOUT_MS / 1000} s`));
    }, METRICS_TIMEOUT_MS);
    const settle = <T>(fn: (v: T) => void) => (v: T) => {
      clearTimeout(timer);
      fn(v);
    };
    pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
    process.send!({ type: METRICS_REQUEST, id });
  });
}
