// A circuit breaker per service (SPEC §4.4 `circuitBreaker`): after
// `failureThreshold` failures in a row the service is failed fast for
// `resetAfterMs`; then one probe call is let through (half-open): success
// closes the circuit, failure opens it again.
import type { CircuitBreakerConfig } from '../../services/types.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly config: CircuitBreakerConfig,
    private readonly onChange: (state: CircuitState) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** The state as callers see it now (an open circuit past its wait is half-open). */
  current(): CircuitState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.config.resetAfterMs) return 'half-open';
    return this.state;
  }

  /** ms until an open circuit lets a probe through */
  retryInMs(): number {
    return this.state === 'open' ? Math.max(0, this.config.resetAfterMs - (this.now() - this.openedAt)) : 0;
  }

  /** May a call go out now? In half-open only one probe at a time may. */
  tryAcquire(): boolean {
    const state = this.current();
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.probing) return false;
    this.probing = true;
    this.set('half-open');
    return true;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    if (this.state !== 'closed') this.set('closed');
  }

  failure(): void {
    this.probing = false;
    if (this.state === 'half-open') {
      this.open();
      return;
    }
    this.failures++;
    if (this.state === 'closed' && this.failures >= this.config.failureThreshold) this.open();
  }

  /** A call that went out but whose outcome says nothing about the service's health (4xx, cancelled). */
  neutral(): void {
    if (this.probing) {
      this.probing = false;
      this.success();
    }
  }

  /** Another process opened the service's circuit: fail fast for `ms`, then one probe (shared-circuit.ts). */
  openFor(ms: number): void {
    this.openedAt = this.now() - Math.max(0, this.config.resetAfterMs - ms);
    this.failures = 0;
    this.probing = false;
    this.set('open');
  }

  /** Another process's probe succeeded: the service answers again. */
  closeFromElsewhere(): void {
    if (this.probing) return;
    this.failures = 0;
    if (this.state !== 'closed') this.set('closed');
  }

  private open(): void {
    this.openedAt = this.now();
    this.failures = 0;
    this.set('open');
  }

  private set(state: CircuitState): void {
    if (this.state === state) return;
    this.state = state;
    this.onChange(state);
  }
}

/** Outcomes that count against a service's health: no answer, or a server-side error. */
export function isServiceFailure(outcome: { status?: number; errorKind?: string }): boolean {
  if (outcome.status !== undefined) return outcome.status >= 500 || outcome.status === 429;
  return outcome.errorKind === 'timeout' || outcome.errorKind === 'connection';
}
