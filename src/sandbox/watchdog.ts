// One ticker for the whole sandbox, instead of timers per invocation: it ends
// invocations past their wall-clock deadline (their host calls are aborted,
// their callers answered), and asks long-running turns for a heap sample.
import type { ScriptRun } from './script-run.js';

const TICK_MS = 10;

/** A turn of isolate code that is running now. */
export interface RunningTurn {
  /** called on each tick while the turn runs */
  check(now: number): void;
}

export class Watchdog {
  private readonly runs = new Set<ScriptRun>();
  private readonly turns = new Set<RunningTurn>();
  private timer?: NodeJS.Timeout;

  addRun(run: ScriptRun): void {
    this.runs.add(run);
    this.start();
  }

  deleteRun(run: ScriptRun): void {
    this.runs.delete(run);
  }

  addTurn(turn: RunningTurn): void {
    this.turns.add(turn);
    this.start();
  }

  deleteTurn(turn: RunningTurn): void {
    this.turns.delete(turn);
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    const now = Date.now();
    for (const run of this.runs) {
      if (now >= run.invocation.deadline) {
        this.runs.delete(run);
        run.invocation.end('WALL_CLOCK_LIMIT');
      }
    }
    for (const turn of this.turns) turn.check(now);
    // stopped here, not when the last run leaves: one invocation after another
    // would otherwise start and stop the timer each time
    if (this.runs.size === 0 && this.turns.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.runs.clear();
    this.turns.clear();
  }
}
