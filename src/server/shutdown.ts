// Graceful shutdown for `scriptcode serve`: the first SIGTERM or SIGINT stops
// accepting, lets in-flight invocations finish (bounded by
// server.shutdownTimeoutMs) and exits 0, or 1 when it had to cut requests
// short; a second signal exits at once. An invocation still running when time
// is up cannot be left behind by a normal exit — isolated-vm crashes the
// process when it exits while an isolate runs — so the process is then killed
// (SIGKILL) after logging why.
//
// Once closed, the process ends by itself rather than by process.exit: an
// isolate is torn down on isolated-vm's own threads after dispose(), and
// exiting while that runs crashed the process (SIGSEGV: Node 24, 2 runs in
// 15 of SIGTERM with invocations in flight; 0 in 45 ending by itself).
// isolated-vm keeps the event loop alive until it is done, so the loop ending
// is the moment it is safe. Should anything else keep it alive, the process
// exits after FORCED_EXIT_MS anyway.
import type { ScriptCodeServer } from './server.js';

export interface ShutdownOptions {
  signals?: readonly NodeJS.Signals[];
  /** default: set process.exitCode and let the process end by itself (at most FORCED_EXIT_MS later) */
  exit?: (code: number) => void;
}

/** How long a closed server's process may take to end by itself before it is ended. */
export const FORCED_EXIT_MS = 5_000;

function endProcess(server: ScriptCodeServer, code: number): void {
  process.exitCode = code;
  // a cluster worker's channel to the primary would keep the loop alive
  if (process.connected) process.disconnect();
  setTimeout(() => {
    server.logger.warn({ afterMs: FORCED_EXIT_MS }, 'the process did not end by itself after shutdown (a handle left open): exiting');
    process.exit(code);
  }, FORCED_EXIT_MS).unref();
}

/** Installs the signal handlers; returns a function that removes them. */
export function exitOnSignals(server: ScriptCodeServer, options: ShutdownOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  /** `now`: a second signal, which does not wait for the process to end by itself */
  const exit = (code: number, now = false) => {
    if (options.exit) return options.exit(code);
    const inFlight = server.runtime?.inFlight ?? 0;
    if (code !== 0 && inFlight > 0) {
      server.logger.error({ inFlight }, 'invocations still running after the shutdown timeout; killing the process');
      process.kill(process.pid, 'SIGKILL');
    }
    if (now) process.exit(code);
    else endProcess(server, code);
  };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      server.logger.warn({ signal }, 'second signal: exiting without waiting for in-flight requests');
      exit(1, true);
      return;
    }
    stopping = true;
    server.logger.info({ signal }, 'signal received');
    server.close().then(
      ({ drained }) => exit(drained ? 0 : 1),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
