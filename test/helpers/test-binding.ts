// A binding used only by tests: it exercises the host↔script bridge the way
// api.rest.v1 does (sync-looking calls, errors as data, the REST-call budget).
import { setTimeout as sleep } from 'node:timers/promises';
import { BindingCallError, type BindingDefinition } from '../../src/index.js';
import { restCallBudget } from '../../src/bindings/rest-v1/budget.js';

export interface TestBindingProbe {
  /** how many sleep calls were still running when their invocation ended */
  abortedSleeps: number;
  received: unknown[];
}

export function testBinding(probe: TestBindingProbe = { abortedSleeps: 0, received: [] }): BindingDefinition {
  return {
    path: 'test.v1',
    // shares api.rest.v1's budget, as a binding may
    budget: restCallBudget,
    isolateSource: `function ({ call }) {
      class TestError extends Error {}
      Object.defineProperty(TestError.prototype, 'name', { value: 'TestError' });
      return {
        api: Object.freeze({
          sleep: (ms) => call('sleep', [ms]),
          echo: (value) => call('echo', [value]),
          fail: (message) => call('fail', [message]),
          TestError,
        }),
        makeError: (info) => {
          if (info.name !== 'TestError') return undefined;
          const e = new TestError(info.message);
          e.code = info.code;
          return e;
        },
      };
    }`,
    createGateway: () => ({ methods: {
      sleep: async ([ms], invocation) => {
        try {
          await sleep(Number(ms), undefined, { signal: invocation.signal });
        } catch (err) {
          probe.abortedSleeps++;
          throw err;
        }
        return 'slept';
      },
      echo: ([value], invocation) => {
        probe.received.push(value);
        invocation.calls.push({ method: 'echo' });
        return value;
      },
      fail: ([message]) => {
        throw new BindingCallError({ name: 'TestError', message: String(message), code: 'TEST_FAILURE' });
      },
    } }),
  };
}
