// At most `maxConcurrent` calls in flight to one service (SPEC §4.4): a slow
// partner then ties up only its own share of the runtime. A call waits for a
// slot at most `waitMs` (its connect timeout, capped by the script's budget).
export class BulkheadFullError extends Error {}

export class Bulkhead {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly maxConcurrent: number) {}

  get inFlight(): number {
    return this.active;
  }

  async acquire(waitMs: number, signal: AbortSignal): Promise<() => void> {
    if (this.active < this.maxConcurrent) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        cleanup();
        resolve();
      };
      const fail = () => {
        cleanup();
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new BulkheadFullError(`all ${this.maxConcurrent} slots stayed busy for ${waitMs} ms`));
      };
      const timer = setTimeout(fail, waitMs);
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', fail);
      };
      signal.addEventListener('abort', fail, { once: true });
      this.waiting.push(grant);
    });
    this.active++;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}
