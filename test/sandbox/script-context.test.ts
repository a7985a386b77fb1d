// Making a context never holds the main thread: isolated-vm's *Sync calls
// wait for the isolate, which may be running turns queued before them (in an
// async isolate, another invocation's; a runaway's, up to its CPU limit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ivm from '../../src/sandbox/isolated-vm.js';
import { createHostCalls } from '../../src/sandbox/bridge.js';
import { preludeSource } from '../../src/sandbox/prelude.js';
import { ScriptContext } from '../../src/sandbox/script-context.js';
import { createRuntimeLogger } from '../../src/logging/logger.js';

let isolate: ivm.Isolate;
let prelude: ivm.Script;
let busy: ivm.Reference<(ms: number) => number>;
const hooks = { calls: createHostCalls(new Map(), createRuntimeLogger({ level: 'silent' })), onLog: () => {} };

beforeAll(async () => {
  isolate = new ivm.Isolate({ memoryLimit: 64 });
  prelude = await isolate.compileScript(`(${preludeSource()})([])`, { filename: 'prelude.js' });
  const context = await isolate.createContext();
  busy = (await context.eval('(function (ms) { const end = Date.now() + ms; while (Date.now() < end); return ms; })', { reference: true })) as typeof busy;
});

afterAll(() => isolate.dispose());

describe('ScriptContext.create', () => {
  it('leaves the main thread free while the isolate runs turns queued after it began', async () => {
    // A runs; the context is queued behind A; B is queued behind the context's first step.
    const a = busy.apply(undefined, [600], { timeout: 5_000 });
    const made = ScriptContext.create(isolate, prelude, hooks);
    const b = busy.apply(undefined, [600], { timeout: 5_000 });
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 10);
    try {
      await a;
      const aDone = performance.now();
      await b;
      const bDone = performance.now();
      (await made).release();
      // blocked, the main thread would sit in a sync call for all of B's 600 ms: no tick in between
      expect(ticks.filter((t) => t > aDone && t < bDone).length).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });
});
