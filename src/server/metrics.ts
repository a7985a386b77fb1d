// GET /metrics in the Prometheus text format (prom-client). The runtime's
// observer feeds invocation, REST, token and circuit events; pool gauges are
// read from runtime.stats() when scraped. Labels are bounded: script names come
// from the application, REST statuses are classes (2xx), HTTP routes are
// templates, and no label ever carries input, a URL or a secret.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Runtime } from '../runtime/runtime.js';
import type { PoolStats } from '../sandbox/isolate-pool.js';
import type { CircuitEvent, RuntimeObserver } from '../runtime/observer.js';

const CIRCUIT_VALUE: Record<CircuitEvent['state'], number> = { closed: 0, 'half-open': 1, open: 2 };

function statusClass(status: number | undefined): string {
  return status === undefined ? 'error' : `${Math.floor(status / 100)}xx`;
}

export class ServerMetrics {
  readonly registry = new Registry();
  /** last circuit state seen per service (GET /api/services falls back on it) */
  readonly circuits = new Map<string, CircuitEvent['state']>();
  readonly observer: RuntimeObserver;

  private readonly invocations: Counter<'kind' | 'script' | 'outcome'>;
  private readonly invocationSeconds: Histogram<'kind' | 'script' | 'outcome'>;
  private readonly limits: Counter<'kind' | 'script' | 'limit'>;
  private readonly restCalls: Counter<'service' | 'method' | 'status_class'>;
  private readonly restFailures: Counter<'service' | 'code'>;
  private readonly restSeconds: Histogram<'service' | 'method'>;
  private readonly circuitChanges: Counter<'service' | 'state'>;
  private readonly tokens: Counter<'service' | 'outcome'>;
  private readonly httpRequests: Counter<'method' | 'route' | 'status_class'>;
  private readonly httpSeconds: Histogram<'method' | 'route'>;
  private readonly rejected: Counter<'reason'>;
  private readonly configReloadFailures: Counter;
  private readonly stateBackendUp: Gauge<'backend'>;

  constructor(getRuntime: () => Runtime | undefined) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.invocations = new Counter({ name: 'scriptcode_invocations_total', help: 'Script invocations by kind, script and outcome (ok, error, limit)', labelNames: ['kind', 'script', 'outcome'], registers });
    this.invocationSeconds = new Histogram({
      name: 'scriptcode_invocation_duration_seconds', help: 'Duration of script invocations, queueing excluded', labelNames: ['kind', 'script', 'outcome'], registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    });
    this.limits = new Counter({ name: 'scriptcode_limit_exceeded_total', help: 'Invocations stopped by a limit (CPU_LIMIT, MEMORY_LIMIT, …)', labelNames: ['kind', 'script', 'limit'], registers });
    this.restCalls = new Counter({ name: 'scriptcode_rest_calls_total', help: 'api.rest.v1 calls by service, method and status class (error = no HTTP answer)', labelNames: ['service', 'method', 'status_class'], registers });
    this.restFailures = new Counter({ name: 'scriptcode_rest_call_failures_total', help: 'api.rest.v1 calls that got no HTTP answer, by error code (READ_TIMEOUT, CIRCUIT_OPEN, …)', labelNames: ['service', 'code'], registers });
    this.restSeconds = new Histogram({
      name: 'scriptcode_rest_call_duration_seconds', help: 'Duration of api.rest.v1 calls, retries included', labelNames: ['service', 'method'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    const circuits = this.circuits;
    new Gauge({
      name: 'scriptcode_circuit_state', help: 'Circuit breaker state per service with a breaker: 0 closed, 1 half-open, 2 open', labelNames: ['service'], registers,
      // the live state when the runtime reports it, else the last change observed
      collect() {
        for (const s of (getRuntime()?.services() ?? []) as { id?: unknown; circuit?: unknown }[]) {
          const state = typeof s.circuit === 'string' ? s.circuit : circuits.get(String(s.id));
          if (state && state in CIRCUIT_VALUE) this.set({ service: String(s.id) }, CIRCUIT_VALUE[state as CircuitEvent['state']]);
        }
      },
    });
    this.circuitChanges = new Counter({ name: 'scriptcode_circuit_transitions_total', help: 'Circuit breaker state changes per service and new state', labelNames: ['service', 'state'], registers });
    this.tokens = new Counter({ name: 'scriptcode_token_requests_total', help: 'OAuth2 token requests (refreshes) per service and outcome', labelNames: ['service', 'outcome'], registers });
    this.httpRequests = new Counter({ name: 'scriptcode_http_requests_total', help: 'HTTP requests by method, route template and status class', labelNames: ['method', 'route', 'status_class'], registers });
    this.httpSeconds = new Histogram({
      name: 'scriptcode_http_request_duration_seconds', help: 'HTTP request duration by method and route template', labelNames: ['method', 'route'], registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.rejected = new Counter({ name: 'scriptcode_rejected_requests_total', help: 'Requests answered 503: queue_full, starting, stopping', labelNames: ['reason'], registers });
    new Gauge({
      name: 'scriptcode_config_generation', help: 'Generation of the configuration in force: 1 at start, +1 for each reload of scriptcode.yaml applied (0 while loading)', registers,
      collect() { this.set(getRuntime()?.configGeneration ?? 0); },
    });
    this.stateBackendUp = new Gauge({ name: 'scriptcode_state_backend_up', help: 'The shared-state backend (state.redis) answers: 1, or 0 while each process goes on with its own state', labelNames: ['backend'], registers, aggregator: 'min' });
    this.configReloadFailures = new Counter({ name: 'scriptcode_config_reload_failures_total', help: 'Changes of scriptcode.yaml refused (invalid); the configuration in force stayed', registers });

    const pools = (read: (s: PoolStats) => number) =>
      function (this: Gauge<'pool'>) {
        this.reset();
        const stats = getRuntime()?.stats();
        for (const [pool, s] of Object.entries(stats?.pools ?? {})) this.set({ pool }, read(s));
      };
    new Gauge({ name: 'scriptcode_pool_isolates', help: 'Isolates per pool (memory size, and mode: "64MB", "64MB async")', labelNames: ['pool'], registers, collect: pools((s) => s.size) });
    new Gauge({ name: 'scriptcode_pool_busy', help: 'Isolates running an invocation', labelNames: ['pool'], registers, collect: pools((s) => s.busy) });
    new Gauge({ name: 'scriptcode_pool_invocations', help: 'Invocations running on the pool\'s isolates (many per isolate in async mode)', labelNames: ['pool'], registers, collect: pools((s) => s.invocations) });
    new Gauge({ name: 'scriptcode_pool_contexts', help: 'Contexts the pool\'s isolates hold, in use or ready (one per invocation running; ~0.3 MB each)', labelNames: ['pool'], registers, collect: pools((s) => s.contexts) });
    new Gauge({ name: 'scriptcode_queue_depth', help: 'Invocations waiting for an isolate', labelNames: ['pool'], registers, collect: pools((s) => s.queued) });
    new Gauge({
      name: 'scriptcode_invocations_in_flight', help: 'Invocations running or waiting', registers,
      collect() { this.set(getRuntime()?.inFlight ?? 0); },
    });
    new Gauge({
      name: 'scriptcode_compiled_scripts', help: 'Compiled scripts in the cache', registers,
      collect() { this.set(getRuntime()?.stats().compiledScripts ?? 0); },
    });

    this.observer = {
      invocationFinished: (e) => {
        const labels = { kind: e.kind, script: e.script, outcome: e.outcome };
        this.invocations.inc(labels);
        this.invocationSeconds.observe(labels, e.durationMs / 1000);
        if (e.outcome === 'limit' && e.reason) this.limits.inc({ kind: e.kind, script: e.script, limit: e.reason });
      },
      restCallFinished: (e) => {
        this.restCalls.inc({ service: e.serviceId, method: e.method, status_class: statusClass(e.status) });
        if (e.status === undefined && e.errorCode) this.restFailures.inc({ service: e.serviceId, code: e.errorCode });
        this.restSeconds.observe({ service: e.serviceId, method: e.method }, e.durationMs / 1000);
      },
      tokenRequested: (e) => this.tokens.inc({ service: e.serviceId, outcome: e.outcome }),
      circuitChanged: (e) => {
        this.circuits.set(e.serviceId, e.state);
        this.circuitChanges.inc({ service: e.serviceId, state: e.state });
      },
      configReloaded: (e) => {
        if (e.outcome === 'failed') this.configReloadFailures.inc();
      },
      stateBackendChanged: (e) => this.stateBackendUp.set({ backend: e.backend }, e.up ? 1 : 0),
    };
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status_class: statusClass(status) });
    this.httpSeconds.observe({ method, route }, seconds);
  }

  rejectedRequest(reason: 'queue_full' | 'starting' | 'stopping'): void {
    this.rejected.inc({ reason });
  }

  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
