// Graceful shutdown for `scriptcode serve`: the first SIGTERM or SIGINT stops
// accepting, lets in-flight invocations finish (bounded by
// server.shutdownTimeoutMs) and exits 0, or 1 when it had to cut requests
// short; a second signal exits at once. An invocation still running when time
// is up cannot be left behind by a normal exit — isolated-vm crashes the
// process when it exits while an isolate runs — so the process is then killed
// (SIGKILL) after logging why.
import type { ScriptCodeServer } from './server.js';

export interface ShutdownOptions {
  signals?: readonly NodeJS.Signals[];
  /** default process.exit */
  exit?: (code: number) => void;
}

/** Installs the signal handlers; returns a function that removes them. */
export function exitOnSignals(server: ScriptCodeServer, options: ShutdownOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exitWith = options.exit ?? ((code: number) => process.exit(code));
  const exit = (code: number) => {
    const inFlight = server.runtime?.inFlight ?? 0;
    if (code !== 0 && inFlight > 0 && !options.exit) {
      server.logger.error({ inFlight }, 'invocations still running after the shutdown timeout; killing the process');
      process.kill(process.pid, 'SIGKILL');
    }
    exitWith(code);
  };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      server.logger.warn({ signal }, 'second signal: exiting without waiting for in-flight requests');
      exit(1);
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
