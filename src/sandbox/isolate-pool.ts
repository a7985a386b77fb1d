// The isolates of one memory size and one mode. An invocation reserves a slot
// on an isolate (sync mode: the whole isolate; async mode: one of its
// `capacity` contexts) or waits in a bounded queue. Spare isolates are made
// ahead of demand, idle ones beyond the warm minimum are retired (and the
// idle contexts of those kept: IsolateHost.releaseIdleContexts), and a dead
// one (memory limit) is forgotten and replaced on demand.
//
// Nested runs (a script calling another with context.callService or
// context.validate) never wait for a slot. Their caller holds one — in sync
// mode an isolate whose thread is blocked until the nested run answers — so a
// nested run queued behind other invocations could wait for isolates held by
// callers that wait for it: with pool.maxIsolates: 1, for its own caller's.
// (Running it in the caller's isolate is impossible in sync mode: that
// isolate's thread is the one blocked in the call.) So:
//  * the invocations of the queue hold at most maxIsolates isolates' worth of
//    slots, whatever nested runs hold: maxIsolates bounds them as before;
//  * a nested run takes any free slot, else an isolate made for it beyond
//    maxIsolates (at most `nestedOverflow` more), else it is refused at once
//    with PoolExhaustedError, which its caller can catch;
//  * beyond maxIsolates, one idle isolate is kept for the next nested run
//    (so a chain of two scripts on a one-isolate pool makes no isolate per
//    call); others are disposed as soon as they are idle.
import { PoolExhaustedError, QueueFullError, RuntimeClosedError } from './errors.js';
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
  /** isolates nested calls may add beyond maxIsolates */
  nestedOverflow: number;
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
  /** contexts the isolates hold, in use or ready (each ~0.3 MB of isolate heap) */
  contexts: number;
}

export class IsolatePool {
  private readonly hosts = new Set<IsolateHost>();
  private readonly waiters: Waiter[] = [];
  private creating = 0;
  /** of `creating`: isolates made for a nested run, which serve no waiter */
  private creatingNested = 0;
  private closed = false;
  private drained?: () => void;
  private readonly retireTimer: NodeJS.Timeout;

  constructor(private readonly options: IsolatePoolOptions) {
    this.retireTimer = setInterval(() => this.retireIdle(), Math.max(1_000, options.idleMs / 2));
    this.retireTimer.unref();
  }

  /** Slots held by the queue's invocations, and the isolates nested runs fill (or are being made for them). */
  private usage(): { topLevel: number; nestedIsolates: number } {
    let topLevel = 0;
    let nested = 0;
    for (const host of this.hosts) {
      topLevel += host.active - host.nestedActive;
      nested += host.nestedActive;
    }
    return { topLevel, nestedIsolates: Math.floor(nested / this.options.capacity) + this.creatingNested };
  }

  /** Whether the queue's invocations may have another slot: maxIsolates' worth, nested runs aside. */
  private topLevelRoom(topLevel: number): boolean {
    return topLevel < this.options.maxIsolates * this.options.capacity;
  }

  /** Isolates the pool may have for the queue's invocations: maxIsolates, plus those nested runs fill. */
  private sizeLimit(): number {
    return this.options.maxIsolates + this.usage().nestedIsolates;
  }

  get stats(): PoolStats {
    let busy = 0;
    let invocations = 0;
    let contexts = 0;
    for (const host of this.hosts) {
      if (host.active > 0) busy++;
      invocations += host.active;
      contexts += host.contexts;
    }
    return { size: this.hosts.size, busy, idle: this.hosts.size - busy, queued: this.waiters.length, invocations, contexts };
  }

  /** Creates isolates ahead of the first invocations. */
  async warm(count: number): Promise<void> {
    const wanted = Math.min(count, this.options.maxIsolates) - this.hosts.size - this.creating;
    await Promise.all(Array.from({ length: Math.max(0, wanted) }, () => this.createOne()));
  }

  /**
   * Reserves a slot on an isolate; give it back through the isolate (its run's
   * context coming free). A `nested` run (see the top of this file) never waits.
   */
  acquire(nested = false): Promise<IsolateHost> {
    if (this.closed) return Promise.reject(new RuntimeClosedError());
    if (nested) {
      const free = this.pick();
      if (free) {
        free.nestedActive++;
        this.reserve(free);
        return Promise.resolve(free);
      }
      if (this.hosts.size + this.creating < this.options.maxIsolates + this.options.nestedOverflow) return this.createReserved();
      return Promise.reject(new PoolExhaustedError(this.options.maxIsolates, this.options.nestedOverflow));
    }
    const host = this.topLevelRoom(this.usage().topLevel) ? this.pick() : undefined;
    if (host) {
      this.reserve(host);
      return Promise.resolve(host);
    }
    const canGrow = this.hosts.size + this.creating < this.sizeLimit();
    if (!canGrow && this.waiters.length >= this.options.maxQueue) return Promise.reject(new QueueFullError(this.options.maxQueue));
    const waiting = new Promise<IsolateHost>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.growForWaiters();
    return waiting;
  }

  /** Creates isolates until those on their way can take everyone waiting (or the maximum is reached). */
  private growForWaiters(): void {
    while (!this.closed && this.waiters.length > (this.creating - this.creatingNested) * this.options.capacity && this.hosts.size + this.creating < this.sizeLimit()) {
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
    if (freeSlots >= wanted || this.hosts.size >= this.sizeLimit()) return;
    this.createOne().then((host) => {
      this.slotFree(host);
      this.growAhead();
    }, () => {});
  }

  /** Called by an isolate when one of its slots comes free (or a new isolate is ready). */
  slotFree(host: IsolateHost): void {
    if (this.closed) {
      if (host.active === 0) this.drop(host);
      return;
    }
    let topLevel = this.waiters.length > 0 ? this.usage().topLevel : 0;
    while (host.active < host.capacity && !host.isDead && this.topLevelRoom(topLevel)) {
      const waiter = this.waiters.shift();
      if (!waiter) break;
      host.active++;
      topLevel++;
      waiter.resolve(host);
    }
    if (host.active === 0) this.trimBeyondMax(host);
  }

  /** An idle isolate beyond maxIsolates (made for a nested run) goes, unless it is the one kept for the next. */
  private trimBeyondMax(host: IsolateHost): void {
    if (this.hosts.size <= this.sizeLimit() + 1) return;
    this.drop(host);
  }

  /** Called by an isolate that died: its invocations have been told; later ones get a fresh isolate. */
  dead(host: IsolateHost): void {
    this.hosts.delete(host);
    this.checkDrained();
    this.growForWaiters();
  }

  /** An isolate made for one nested run, its slot taken before anyone else can see it. */
  private async createReserved(): Promise<IsolateHost> {
    this.creating++;
    this.creatingNested++;
    try {
      const host = await this.options.create(this);
      host.active++;
      host.nestedActive++;
      this.hosts.add(host);
      return host;
    } finally {
      this.creating--;
      this.creatingNested--;
    }
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
      if (host.active > 0 || keep > 0 || host.idleSince > cutoff) {
        if (host.active === 0) keep--;
        host.releaseIdleContexts(cutoff);
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
