// The isolates of one memory size and one mode. An invocation reserves a slot
// on an isolate (sync mode: the whole isolate; async mode: one of its
// `capacity` contexts) or waits in a bounded queue. Spare isolates are made
// ahead of demand, idle ones beyond the warm minimum are retired, and a dead
// one (memory limit) is forgotten and replaced on demand.
import { QueueFullError, RuntimeClosedError } from './errors.js';
import type { IsolateHost } from './isolate-host.js';

export interface IsolatePoolOptions {
  maxIsolates: number;
  maxQueue: number;
  /** invocations one isolate serves at once */
  capacity: number;
  /** isolates kept ready beyond those in use */
  spareIsolates: number;
  /** an isolate idle this long is disposed (down to `spareIsolates`) */
  idleMs: number;
  create(pool: IsolatePool): Promise<IsolateHost>;
}

interface Waiter {
  resolve: (host: IsolateHost) => void;
  reject: (err: Error) => void;
}

export interface PoolStats {
  size: number;
  busy: number;
  idle: number;
  queued: number;
  /** invocations running on the pool's isolates */
  invocations: number;
}

export class IsolatePool {
  private readonly hosts = new Set<IsolateHost>();
  private readonly waiters: Waiter[] = [];
  private creating = 0;
  private closed = false;
  private drained?: () => void;
  private readonly retireTimer: NodeJS.Timeout;

  constructor(private readonly options: IsolatePoolOptions) {
    this.retireTimer = setInterval(() => this.retireIdle(), Math.max(1_000, options.idleMs / 2));
    this.retireTimer.unref();
  }

  get stats(): PoolStats {
    let busy = 0;
    let invocations = 0;
    for (const host of this.hosts) {
      if (host.active > 0) busy++;
      invocations += host.active;
    }
    return { size: this.hosts.size, busy, idle: this.hosts.size - busy, queued: this.waiters.length, invocations };
  }

  /** Creates isolates ahead of the first invocations. */
  async warm(count: number): Promise<void> {
    const wanted = Math.min(count, this.options.maxIsolates) - this.hosts.size - this.creating;
    await Promise.all(Array.from({ length: Math.max(0, wanted) }, () => this.createOne()));
  }

  /** Reserves a slot on an isolate; give it back through the isolate (its run's context coming free). */
  acquire(): Promise<IsolateHost> {
    if (this.closed) return Promise.reject(new RuntimeClosedError());
    const host = this.pick();
    if (host) {
      this.reserve(host);
      return Promise.resolve(host);
    }
    const canGrow = this.hosts.size + this.creating < this.options.maxIsolates;
    if (!canGrow && this.waiters.length >= this.options.maxQueue) return Promise.reject(new QueueFullError(this.options.maxQueue));
    const waiting = new Promise<IsolateHost>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.growForWaiters();
    return waiting;
  }

  /** Creates isolates until those on their way can take everyone waiting (or the maximum is reached). */
  private growForWaiters(): void {
    while (!this.closed && this.waiters.length > this.creating * this.options.capacity && this.hosts.size + this.creating < this.options.maxIsolates) {
      this.createOne().then((host) => this.slotFree(host), (err: Error) => this.waiters.shift()?.reject(err));
    }
  }

  /** The least busy isolate with a free slot: spreads async invocations over isolate threads. */
  private pick(): IsolateHost | undefined {
    let best: IsolateHost | undefined;
    for (const host of this.hosts) {
      if (host.isDead || host.active >= host.capacity) continue;
      if (host.active === 0) return host;
      if (!best || host.active < best.active) best = host;
    }
    return best;
  }

  private reserve(host: IsolateHost): void {
    host.active++;
    this.growAhead();
  }

  /** Keeps spare capacity ready so a burst does not wait for isolates to be created. */
  private growAhead(): void {
    if (this.closed || this.creating > 0) return;
    let freeSlots = 0;
    for (const host of this.hosts) freeSlots += host.capacity - host.active;
    const wanted = this.options.capacity === 1 ? this.options.spareIsolates : Math.ceil(this.options.capacity / 4);
    if (freeSlots >= wanted || this.hosts.size >= this.options.maxIsolates) return;
    this.createOne().then((host) => {
      this.slotFree(host);
      this.growAhead();
    }, () => {});
  }

  /** Called by an isolate when one of its slots comes free. */
  slotFree(host: IsolateHost): void {
    if (this.closed) {
      if (host.active === 0) this.drop(host);
      return;
    }
    while (host.active < host.capacity && !host.isDead) {
      const waiter = this.waiters.shift();
      if (!waiter) return;
      host.active++;
      waiter.resolve(host);
    }
  }

  /** Called by an isolate that died: its invocations have been told; later ones get a fresh isolate. */
  dead(host: IsolateHost): void {
    this.hosts.delete(host);
    this.checkDrained();
    this.growForWaiters();
  }

  private async createOne(): Promise<IsolateHost> {
    this.creating++;
    try {
      const host = await this.options.create(this);
      this.hosts.add(host);
      return host;
    } finally {
      this.creating--;
    }
  }

  private retireIdle(): void {
    const cutoff = Date.now() - this.options.idleMs;
    let keep = this.options.spareIsolates;
    for (const host of this.hosts) {
      if (host.active > 0) continue;
      if (keep > 0 || host.idleSince > cutoff) {
        keep--;
        continue;
      }
      this.drop(host);
    }
  }

  private drop(host: IsolateHost): void {
    this.hosts.delete(host);
    host.dispose();
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.closed && this.hosts.size === 0) this.drained?.();
  }

  /** Refuses new invocations, lets running ones finish, then disposes every isolate. */
  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.retireTimer);
    for (const w of this.waiters.splice(0)) w.reject(new RuntimeClosedError());
    for (const host of [...this.hosts]) if (host.active === 0) this.drop(host);
    if (this.hosts.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.drained = resolve));
  }
}
