// The places in an isolate's queue. isolated-vm runs an isolate's calls one
// after the other; handing it several at once keeps its thread busy instead
// of waking it once per call (isolate-host.ts PIPELINE_DEPTH says by how
// much). Two kinds of work wait for a place: the turns of invocations that
// are running, and the making of a context for an invocation about to start
// (~5 ms of isolate CPU each, in ten calls). Turns go first, and making
// contexts holds at most `maxSetups` places: when a burst of invocations
// arrives at an empty pool, each starts its calls as soon as its context is
// made and finishes when its answers arrive, instead of waiting behind every
// context still to be made (1 000 async invocations from a cold runtime
// against a 500 ms partner, 2 cores: ~400 answers in the third second
// instead of ~40, and in the fourth ~480 instead of ~40).
export type PipelineWork = 'turn' | 'setup';

export class TurnPipeline {
  private inUse = 0;
  private setups = 0;
  private readonly turnsWaiting: (() => void)[] = [];
  private readonly setupsWaiting: (() => void)[] = [];

  constructor(private readonly depth: number, private readonly maxSetups: number) {}

  /** Resolves when `work` may hand a call to the isolate; `leave` gives the place back. */
  enter(work: PipelineWork): Promise<void> {
    if (this.mayStart(work)) {
      this.take(work);
      return Promise.resolve();
    }
    return new Promise((resolve) => (work === 'turn' ? this.turnsWaiting : this.setupsWaiting).push(resolve));
  }

  leave(work: PipelineWork): void {
    this.inUse--;
    if (work === 'setup') this.setups--;
    while (this.inUse < this.depth) {
      let next: (() => void) | undefined;
      if (this.turnsWaiting.length > 0) {
        next = this.turnsWaiting.shift();
        this.take('turn');
      } else if (this.setupsWaiting.length > 0 && this.setups < this.maxSetups) {
        next = this.setupsWaiting.shift();
        this.take('setup');
      } else return;
      next!();
    }
  }

  private mayStart(work: PipelineWork): boolean {
    if (this.inUse >= this.depth) return false;
    // a turn that arrives while others wait goes after them (the order of answers)
    if (work === 'turn') return this.turnsWaiting.length === 0;
    return this.setups < this.maxSetups && this.setupsWaiting.length === 0;
  }

  private take(work: PipelineWork): void {
    this.inUse++;
    if (work === 'setup') this.setups++;
  }
}
