// The per-service state that outlives calls: circuit breaker, bulkhead, rate
// limit and response cache — each present only when the service's settings
// ask for it; shared with the other processes where state.redis is set.
import { notify, type RuntimeObserver } from '../runtime/observer.js';
import type { ServiceConfig } from '../services/types.js';
import { Bulkhead } from './resilience/bulkhead.js';
import { CircuitBreaker } from './resilience/circuit-breaker.js';
import { RateLimiter } from './resilience/rate-limiter.js';
import { SharedCircuit } from './resilience/shared-circuit.js';
import { SharedRateLimiter } from './resilience/shared-rate-limiter.js';
import { ResponseCache } from './response-cache.js';
import type { SharedState } from './shared-state.js';

export class ServiceGuards {
  readonly breaker?: CircuitBreaker;
  /** the breaker shared with the other processes, when `state.redis` is set */
  readonly circuit?: SharedCircuit;
  readonly bulkhead?: Bulkhead;
  readonly rateLimiter?: RateLimiter | SharedRateLimiter;
  readonly cache?: ResponseCache;

  /** `shared`: the application's Redis, when `state.redis` is set */
  constructor(service: ServiceConfig, observer: RuntimeObserver | undefined, shared?: SharedState) {
    if (service.circuitBreaker) {
      const config = service.circuitBreaker;
      this.breaker = new CircuitBreaker(config, (state) => {
        notify(observer, 'circuitChanged', { serviceId: service.id, state });
        this.circuit?.changed(state);
      });
      if (shared) this.circuit = new SharedCircuit(this.breaker, shared, service.id, config.resetAfterMs);
    }
    if (service.maxConcurrent) this.bulkhead = new Bulkhead(service.maxConcurrent);
    if (service.rateLimit) this.rateLimiter = shared ? new SharedRateLimiter(service.rateLimit, service.id, shared) : new RateLimiter(service.rateLimit);
    if (service.cache) this.cache = new ResponseCache(service.cache, shared && { state: shared, serviceId: service.id });
  }
}
