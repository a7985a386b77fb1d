// cpu-ledger.ts: how an isolate's one CPU clock is split between the turns
// that ran on it, when the main thread sees their ends late.
import { describe, expect, it } from 'vitest';
import { CpuLedger, type CpuAccount } from '../../src/sandbox/cpu-ledger.js';

const ms = (n: number) => BigInt(Math.round(n * 1e6));

class Account implements CpuAccount {
  ns = 0n;
  addCpu(ns: bigint): void {
    this.ns += ns;
  }
  get ms(): number {
    return Number(this.ns) / 1e6;
  }
}

describe('CpuLedger', () => {
  it('charges each turn the clock since the previous charge, at most its timeout; isolate work of no turn is nobody\'s', () => {
    const ledger = new CpuLedger(8);
    const a = new Account();
    const b = new Account();
    ledger.charge(undefined, ms(5), ms(0)); // a context made: nobody's
    expect(ledger.charge(a, ms(7), ms(1000))).toBe(ms(2));
    expect(ledger.charge(b, ms(100), ms(50))).toBe(ms(50)); // capped at its timeout
    expect([a.ms, b.ms]).toEqual([2, 50]);
  });

  it('a runaway ended by its timeout takes back what the turns seen just before it absorbed', () => {
    const ledger = new CpuLedger(8);
    const early = new Account();
    const innocent = new Account();
    const runaway = new Account();
    ledger.charge(early, ms(1), ms(1000));
    // the main thread saw the innocent turn's end late: the runaway had run 100 ms meanwhile
    ledger.charge(innocent, ms(101.5), ms(1000));
    expect(innocent.ms).toBe(100.5);
    // the runaway's 100 ms timeout fired; by the time its end is seen it is charged only the rest
    const charged = ledger.charge(runaway, ms(101.5), ms(100));
    expect(charged).toBe(0n);
    ledger.timedOut(runaway, ms(100), charged);
    expect([early.ms, innocent.ms, runaway.ms]).toEqual([1, 0.5, 100]);
  });

  it('takes back newest first, never more than was charged, and only from other turns', () => {
    const ledger = new CpuLedger(8);
    const a = new Account();
    const b = new Account();
    const r = new Account();
    ledger.charge(a, ms(30), ms(1000));
    ledger.charge(r, ms(31), ms(1000)); // an earlier turn of the runaway's own invocation
    ledger.charge(b, ms(50), ms(1000));
    const charged = ledger.charge(r, ms(50), ms(60));
    ledger.timedOut(r, ms(60), charged);
    // 60 ms missing: 19 from b (all it had), then 30 from a (the runaway's own entry is skipped); 11 stay missing
    expect([a.ms, b.ms, r.ms]).toEqual([0, 0, 50]);
  });

  it('remembers only as many charges as turns can be queued at once', () => {
    const ledger = new CpuLedger(2);
    const old = new Account();
    const mid = new Account();
    const last = new Account();
    const r = new Account();
    ledger.charge(old, ms(10), ms(1000));
    ledger.charge(mid, ms(20), ms(1000));
    ledger.charge(last, ms(30), ms(1000));
    const charged = ledger.charge(r, ms(30), ms(100)); // now the last two: last, r
    ledger.timedOut(r, ms(100), charged);
    expect([old.ms, mid.ms, last.ms, r.ms]).toEqual([10, 10, 0, 10]);
  });
});
