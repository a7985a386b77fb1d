// A service's circuit breaker across every process sharing a Redis
// (shared-state.ts): a circuit one process opens is open on all within a
// second, and when it is time to probe, one process probes for all.
//
// Each process keeps its own CircuitBreaker (the fast path, and what it falls
// back on while Redis is away) and mirrors it into one key: 'open' (expiring
// after resetAfterMs) when it opens, 'closed' when a probe closes it. Before a
// call, a process reads that key at most once a second and follows it; in
// half-open, the probe goes out from whichever process sets the probe key
// first (SET NX, expiring after the call's read timeout), the others keep
// failing fast until the outcome is published.
import type { SharedState } from '../shared-state.js';
import type { CircuitBreaker, CircuitState } from './circuit-breaker.js';

const SYNC_EVERY_MS = 1_000;
const CLOSED_KEPT_MS = 60_000;

export class SharedCircuit {
  private readonly key: string;
  private readonly probeKey: string;
  private lastSync = 0;
  /** set while the breaker follows the shared state: its change is not published back */
  private following = false;

  constructor(private readonly breaker: CircuitBreaker, private readonly state: SharedState, serviceId: string, private readonly resetAfterMs: number) {
    this.key = state.key(`circuit:${serviceId}`);
    this.probeKey = state.key(`circuit-probe:${serviceId}`);
  }

  /** The local breaker changed by itself (its own failures, or a probe's outcome): the others follow. */
  changed(state: CircuitState): void {
    if (this.following || state === 'half-open') return;
    // a probe's outcome is known: the next probe may go out from any process
    void this.state.run((redis) => redis.multi()
      .set(this.key, state, 'PX', state === 'open' ? this.resetAfterMs : CLOSED_KEPT_MS)
      .del(this.probeKey)
      .exec());
  }

  /** May a call go out now? `probeMs`: how long a probe may take (its read timeout). */
  async tryAcquire(probeMs: number): Promise<boolean> {
    await this.sync();
    if (this.breaker.current() === 'half-open') {
      const won = await this.state.run((redis) => redis.set(this.probeKey, '1', 'PX', Math.max(1, Math.ceil(probeMs)), 'NX'));
      // null: another process probes; undefined: Redis is away, this process decides alone
      if (won === null) return false;
    }
    return this.breaker.tryAcquire();
  }

  private async sync(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSync < SYNC_EVERY_MS) return;
    this.lastSync = now;
    const seen = await this.state.valueWithTtl(this.key);
    if (!seen) return;
    this.following = true;
    try {
      const local = this.breaker.current();
      if (seen.value === 'open' && seen.ttl > 0 && local === 'closed') this.breaker.openFor(seen.ttl);
      else if (seen.value === 'closed' && local !== 'closed') this.breaker.closeFromElsewhere();
    } finally {
      this.following = false;
    }
  }
}
