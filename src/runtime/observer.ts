// What the runtime reports as it works, for metrics and monitoring (the
// server's /metrics). Every hook is optional and must not throw; none receives
// personal data or a secret.
import type { ScriptKind } from '../app/types.js';

export interface InvocationEvent {
  kind: ScriptKind;
  script: string;
  outcome: 'ok' | 'error' | 'limit';
  /** the error's name for 'error', the limit code for 'limit' */
  reason?: string;
  durationMs: number;
  /** calls made per call budget of the bindings: `{ restCalls: 2 }` */
  calls: Readonly<Record<string, number>>;
}

export interface RestCallEvent {
  serviceId: string;
  method: string;
  /** the HTTP status, when the service answered */
  status?: number;
  /** the error code, when the call failed (READ_TIMEOUT, CIRCUIT_OPEN, HTTP_404, …) */
  errorCode?: string;
  durationMs: number;
  attempts: number;
}

export interface TokenEvent {
  serviceId: string;
  outcome: 'fetched' | 'failed';
}

export interface CircuitEvent {
  serviceId: string;
  state: 'closed' | 'open' | 'half-open';
}

/** scriptcode.yaml was reloaded (a new generation is in force) or a change was refused. */
export interface ConfigReloadEvent {
  /** the generation in force afterwards (unchanged when the reload failed) */
  generation: number;
  outcome: 'applied' | 'failed';
  /** applied: the top-level sections that changed (services, limits, logging, …) */
  changed?: string[];
  /** failed: how many problems the loader reported */
  problems?: number;
}

export interface RuntimeObserver {
  invocationFinished?(event: InvocationEvent): void;
  restCallFinished?(event: RestCallEvent): void;
  tokenRequested?(event: TokenEvent): void;
  circuitChanged?(event: CircuitEvent): void;
  configReloaded?(event: ConfigReloadEvent): void;
  /** the shared-state backend (Redis) answered again, or stopped answering */
  stateBackendChanged?(event: StateBackendEvent): void;
}

export interface StateBackendEvent {
  backend: 'redis';
  up: boolean;
}

/** Calls a hook, keeping a faulty observer from breaking an invocation. */
export function notify<K extends keyof RuntimeObserver>(observer: RuntimeObserver | undefined, hook: K, event: Parameters<NonNullable<RuntimeObserver[K]>>[0]): void {
  const fn = observer?.[hook] as ((e: typeof event) => void) | undefined;
  if (!fn) return;
  try {
    fn.call(observer, event);
  } catch {
    // observers are best effort
  }
}
