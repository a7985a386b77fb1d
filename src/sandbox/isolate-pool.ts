// A bounded pool of isolates of one memory size. Invocations wait in a
// bounded queue when every isolate is busy; a damaged isolate is dropped and
// replaced on demand.
import { QueueFullError, RuntimeClosedError } from './errors.js';
import type { SandboxIsolate } from './sandbox-isolate.js';

export interface IsolatePoolOptions {
  maxIsolates: number;
  maxQueue: number;
  create: () => Promise<SandboxIsolate>;
}

interface Waiter {
  resolve: (isolate: SandboxIsolate) => void;
  reject: (err: Error) => void;
}

export class IsolatePool {
  private readonly idle: SandboxIsolate[] = [];
  private readonly waiters: Waiter[] = [];
  private total = 0;
  private busyCount = 0;
  private closed = false;

  constructor(private readonly options: IsolatePoolOptions) {}

  get stats(): { size: number; busy: number; idle: number; queued: number } {
    return { size: this.total, busy: this.busyCount, idle: this.idle.length, queued: this.waiters.length };
  }

  /** Creates isolates ahead of demand so the first invocations do not pay for them. */
  async warm(count: number): Promise<void> {
    const wanted = Math.min(count, this.options.maxIsolates) - this.total;
    const created = await Promise.all(Array.from({ length: Math.max(0, wanted) }, () => this.createOne()));
    for (const isolate of created) this.idle.push(isolate);
  }

  async acquire(): Promise<SandboxIsolate> {
    if (this.closed) throw new RuntimeClosedError();
    const isolate = this.idle.pop();
    if (isolate) {
      this.busyCount++;
      return isolate;
    }
    if (this.total < this.options.maxIsolates) {
      const created = await this.createOne();
      this.busyCount++;
      return created;
    }
    if (this.waiters.length >= this.options.maxQueue) throw new QueueFullError(this.options.maxQueue);
    return new Promise<SandboxIsolate>((resolve, reject) => {
      this.waiters.push({ resolve: (i) => { this.busyCount++; resolve(i); }, reject });
    });
  }

  /** Gives an isolate back; one that can no longer run is replaced for the next waiter. */
  release(isolate: SandboxIsolate): void {
    this.busyCount--;
    if (this.closed) {
      this.drop(isolate);
      return;
    }
    if (isolate.usable) {
      this.handOver(isolate);
      return;
    }
    isolate.ensureContext().then(
      () => (isolate.usable ? this.handOver(isolate) : this.replace(isolate)),
      () => this.replace(isolate),
    );
  }

  private handOver(isolate: SandboxIsolate): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(isolate);
    else this.idle.push(isolate);
  }

  private replace(broken: SandboxIsolate): void {
    this.drop(broken);
    if (this.waiters.length === 0 || this.closed) return;
    this.createOne().then(
      (fresh) => this.handOver(fresh),
      (err: Error) => this.waiters.shift()?.reject(err),
    );
  }

  private drop(isolate: SandboxIsolate): void {
    isolate.dispose();
    this.total--;
  }

  private async createOne(): Promise<SandboxIsolate> {
    this.total++;
    try {
      return await this.options.create();
    } catch (err) {
      this.total--;
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new RuntimeClosedError());
    for (const isolate of this.idle.splice(0)) this.drop(isolate);
  }
}
