// Charges an isolate's CPU time to the turns that spent it. isolated-vm gives
// one clock per isolate (`cpuTime`), read on the main thread when a turn's end
// is seen; turns queued behind it may have run meanwhile. So a charge is the
// clock's advance since the previous one, capped at what the turn was allowed
// to run (its timeout). When the main thread sees ends late, the first turn
// seen absorbs the time of those that ran after it, and they are spared.
//
// One case is known exactly: a turn ended by its timeout ran its whole
// timeout (isolated-vm counts its JS time alone). What it was not charged,
// the turns charged just before it absorbed: they get it back, newest first,
// so a runaway's neighbours are not charged its loop.

/** Whoever a turn's CPU time is charged to (an invocation's run). */
export interface CpuAccount {
  addCpu(ns: bigint): void;
}

interface Charge {
  account: CpuAccount;
  ns: bigint;
}

export class CpuLedger {
  private last = 0n;
  private readonly recent: Charge[] = [];

  /** `size`: how many recent charges can be taken back (turns that can be queued at once) */
  constructor(private readonly size: number, start = 0n) {
    this.last = start;
  }

  /**
   * Charges the clock's advance since the last charge to `account` (nobody,
   * for `undefined`: isolate work that is no turn's), at most `maxNs`.
   * Answers the amount charged.
   */
  charge(account: CpuAccount | undefined, now: bigint, maxNs: bigint): bigint {
    const spent = now - this.last;
    this.last = now;
    if (!account) return 0n;
    const ns = spent < maxNs ? spent : maxNs;
    account.addCpu(ns);
    this.recent.push({ account, ns });
    if (this.recent.length > this.size) this.recent.shift();
    return ns;
  }

  /**
   * `account`'s turn was ended by its timeout, so it ran `ranNs`, of which it
   * was charged `chargedNs`: the rest is taken back from the turns charged
   * before it (newest first) and charged to it.
   */
  timedOut(account: CpuAccount, ranNs: bigint, chargedNs: bigint): void {
    let missing = ranNs - chargedNs;
    for (let i = this.recent.length - 1; i >= 0 && missing > 0n; i--) {
      const entry = this.recent[i]!;
      if (entry.account === account || entry.ns === 0n) continue;
      const back = entry.ns < missing ? entry.ns : missing;
      entry.account.addCpu(-back);
      entry.ns -= back;
      account.addCpu(back);
      missing -= back;
    }
  }
}
