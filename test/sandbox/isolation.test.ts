// Nothing carries over from one invocation to the next (SPEC §5), proven by
// running the same scripts twice in one process on a single reused isolate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';

let t: TestRuntime;

const leaky = `
var topLevelVar = (typeof topLevelVar === 'number') ? topLevelVar + 1 : 1;
let topLevelLet = 1;
globalThis.assigned = (globalThis.assigned || 0) + 1;
implicitGlobal = (typeof implicitGlobal === 'undefined') ? 1 : implicitGlobal + 1;
try { Array.prototype.extra = 'leaked'; } catch (e) {}
try { String.prototype.shout = function () { return 'leaked'; }; } catch (e) {}
try { Object.defineProperty(globalThis, 'sticky', { value: 'leaked', configurable: false }); } catch (e) {}
try { Math.random = function () { return 4; }; } catch (e) {}
function callService(ctx) {
  var previous = {
    topLevelVar: topLevelVar,
    assigned: globalThis.assigned,
    implicitGlobal: implicitGlobal,
    extra: [].extra === undefined ? null : [].extra,
    shout: typeof ''.shout,
    sticky: typeof sticky === 'undefined' ? null : 'seen',
    random: Math.random() === 4 ? 'patched' : 'ok',
    regexpLastMatch: typeof RegExp.$1 === 'undefined' ? null : RegExp.$1,
    fnProp: callService.mark === undefined ? null : callService.mark,
  };
  callService.mark = 'leaked';
  /(\\d{11})/.exec('pesel 44051401458');
  return [previous];
}
`;

beforeAll(async () => {
  t = await startRuntime({
    'scripts/leaky.js': leaky,
    'scripts/reader.js': 'function callService() { return [{ assigned: typeof assigned, implicitGlobal: typeof implicitGlobal, sticky: typeof sticky, topLevelVar: typeof topLevelVar }]; }',
    'scripts/promiseLeft.js': `
      function callService(ctx) {
        var secret = ctx.getFirstParameter('secret');
        Promise.resolve().then(function () { globalThis.late = secret; });
        new Promise(function (resolve) { globalThis.resolver = resolve; }).then(function () { globalThis.late2 = secret; });
        return [{ late: typeof late === 'undefined' ? null : late, late2: typeof late2 === 'undefined' ? null : late2 }];
      }`,
  }, { config: { pool: { maxIsolates: 1, maxQueue: 100 } } as never });
}, 60_000);

afterAll(() => t?.close());

describe('no state carries over between invocations', () => {
  it('the same script run twice sees a fresh world each time', async () => {
    const first = await t.runtime.runScript('leaky');
    const second = await t.runtime.runScript('leaky');
    const fresh = { topLevelVar: 1, assigned: 1, implicitGlobal: 1, extra: null, shout: 'undefined', sticky: 'seen', random: 'ok', regexpLastMatch: null, fnProp: null };
    expect(first.output).toEqual([fresh]);
    expect(second.output).toEqual([fresh]);
    expect(t.runtime.stats().pools['64MB'].size).toBe(1);
  });

  it('another script on the same isolate sees nothing the first one left', async () => {
    await t.runtime.runScript('leaky');
    const r = await t.runtime.runScript('reader');
    expect(r.output).toEqual([{ assigned: 'undefined', implicitGlobal: 'undefined', sticky: 'undefined', topLevelVar: 'undefined' }]);
  });

  it('leftover promises cannot hand data to the next invocation', async () => {
    await t.runtime.runScript('promiseLeft', { input: { secret: 'first-secret' } });
    const r = await t.runtime.runScript('promiseLeft', { input: { secret: 'second' } });
    expect(r.output).toEqual([{ late: null, late2: null }]);
  });
});
