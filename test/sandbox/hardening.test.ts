// The sandbox probes of SPEC §5: no Node, no code from strings, no
// WebAssembly, no way from any reachable object back to the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { testBinding } from '../helpers/test-binding.js';
import { rejection } from '../helpers/expect.js';

let t: TestRuntime;

// Each probe runs inside the script; it returns 'blocked' when the attempt
// failed the way it should, or a description of what leaked.
const probes: Record<string, string> = {
  process: 'typeof process === "undefined" ? "blocked" : "process is reachable"',
  require: 'typeof require === "undefined" ? "blocked" : "require is reachable"',
  module: 'typeof module === "undefined" && typeof exports === "undefined" ? "blocked" : "module is reachable"',
  globalNode: 'typeof global === "undefined" && typeof Buffer === "undefined" ? "blocked" : "Node globals reachable"',
  timers: 'typeof setTimeout === "undefined" && typeof setInterval === "undefined" && typeof setImmediate === "undefined" ? "blocked" : "timers reachable"',
  fetch: 'typeof fetch === "undefined" && typeof XMLHttpRequest === "undefined" ? "blocked" : "network reachable"',
  eval: 'typeof eval === "undefined" ? "blocked" : String(eval("1+1"))',
  indirectEval: 'try { return String((0, globalThis["ev" + "al"])("1+1")); } catch (e) { return "blocked"; }',
  Function: 'try { return String(new Function("return 1")()); } catch (e) { return e instanceof EvalError ? "blocked" : "other " + e; }',
  FunctionCall: 'try { return String(Function("return 1")()); } catch (e) { return e instanceof EvalError ? "blocked" : "other " + e; }',
  functionCtorChain: 'try { return String((function () {}).constructor("return 1")()); } catch (e) { return "blocked"; }',
  asyncCtor: 'try { return String((async function () {}).constructor("return 1")); } catch (e) { return "blocked"; }',
  generatorCtor: 'try { return String((function* () {}).constructor("return 1")); } catch (e) { return "blocked"; }',
  asyncGeneratorCtor: 'try { return String((async function* () {}).constructor("return 1")); } catch (e) { return "blocked"; }',
  reflectConstruct: 'try { return String(Reflect.construct(Function, ["return 1"])()); } catch (e) { return "blocked"; }',
  fromApi: 'try { return String(api.constructor.constructor("return this")()); } catch (e) { return "blocked"; }',
  fromApiMethod: 'try { return String(api.test.v1.echo.constructor("return this")()); } catch (e) { return "blocked"; }',
  fromLogger: 'try { return String(Logger.info.constructor("return process")()); } catch (e) { return "blocked"; }',
  fromContext: 'try { return String(ctx.getFirstParameter.constructor("return process")()); } catch (e) { return "blocked"; }',
  fromContextProto: 'try { return String(Object.getPrototypeOf(ctx).constructor.constructor("return process")()); } catch (e) { return "blocked"; }',
  fromInputList: 'try { return String(ctx.getParameters("a").get.constructor("return process")()); } catch (e) { return "blocked"; }',
  fromHostError: 'try { api.test.v1.fail("x"); return "no error"; } catch (err) { try { return String(err.constructor.constructor("return process")()); } catch (e) { return "blocked"; } }',
  fromPromise: 'try { return String(Promise.resolve().then.constructor("return 1")()); } catch (e) { return "blocked"; }',
  fromArgumentsCallee: '(function () { "use strict"; try { return arguments.callee; } catch (e) { return "blocked"; } })()',
  WebAssembly: 'typeof WebAssembly === "undefined" ? "blocked" : "WebAssembly present"',
  SharedArrayBuffer: 'typeof SharedArrayBuffer === "undefined" && typeof Atomics === "undefined" ? "blocked" : "shared memory present"',
  hostReferences: 'Object.getOwnPropertyNames(globalThis).some((k) => k.startsWith("__sc")) ? "host ref on global" : "blocked"',
  prepareStackTrace: '(() => { try { Error.prepareStackTrace = (e, s) => s; } catch (e) {} const s = new Error("x").stack; return typeof s === "string" ? "blocked" : "call sites exposed"; })()',
  objectProtoPollution: '(() => { try { Object.prototype.polluted = 1; } catch (e) {} return ({}).polluted === undefined ? "blocked" : "polluted"; })()',
  arrayProtoPatch: '(() => { try { Array.prototype.push = function () { return 42; }; } catch (e) {} return [].push(1) === 1 ? "blocked" : "patched"; })()',
  jsonPatch: '(() => { try { JSON.parse = () => 1; } catch (e) {} try { JSON = { parse: () => 1 }; } catch (e) {} return JSON.parse("2") === 2 ? "blocked" : "patched"; })()',
  protoSetterOnBuiltin: '(() => { try { Object.setPrototypeOf(Array.prototype, { x: 1 }); } catch (e) {} return [].x === undefined ? "blocked" : "patched"; })()',
  // V8 12+ (Node 22, 24): every error's `stack` is an accessor pair shared by all errors; a data property on Node 20
  errorStackAccessor: '(() => { const d = Object.getOwnPropertyDescriptor(new Error("x"), "stack"); if ("value" in d) return "blocked"; try { d.get.leak = 1; d.set.leak = 1; } catch (e) {} return Object.isFrozen(d.get) && Object.isFrozen(d.set) && d.get.leak === undefined ? "blocked" : "stack accessor writable"; })()',
};

beforeAll(async () => {
  const body = Object.entries(probes)
    .map(([name, expr]) => `  try { out[${JSON.stringify(name)}] = (function () { ${expr.startsWith('try') ? expr : 'return ' + expr} })(); } catch (e) { out[${JSON.stringify(name)}] = "threw " + e; }`)
    .join('\n');
  t = await startRuntime({
    'scripts/probe.js': `function callService(ctx) {\n  var out = {};\n${body}\n  return [out];\n}`,
    'scripts/globals.js': 'function callService() { return [{ names: Object.getOwnPropertyNames(globalThis).sort() }]; }',
    'scripts/es5class.js': `
      function Animal(name) { this.name = name; }
      Animal.prototype.toString = function () { return 'Animal ' + this.name; };
      function Dog(name) { Animal.call(this, name); }
      Dog.prototype = Object.create(Animal.prototype);
      Dog.prototype.constructor = Dog;
      function MyError(m) { this.message = m; }
      MyError.prototype = Object.create(Error.prototype);
      MyError.prototype.name = 'MyError';
      function callService() {
        var d = new Dog('Rex');
        return [{ s: String(d), ctorOk: d.constructor === Dog, errName: new MyError('x').name, b64: btoa('Zażółć'.length + 'ab'), back: atob(btoa('hello')) }];
      }`,
  }, { bindings: [testBinding()] });
}, 60_000);

afterAll(() => t?.close());

describe('sandbox hardening', () => {
  it('every probe is blocked', async () => {
    const r = await t.runtime.runScript('probe', { input: { a: ['1'] } });
    const results = r.output[0] as Record<string, string>;
    const leaks = Object.entries(results).filter(([, v]) => v !== 'blocked');
    expect(leaks).toEqual([]);
    expect(Object.keys(results).sort()).toEqual(Object.keys(probes).sort());
  });

  it('the global object holds the ECMAScript built-ins and the documented globals only', async () => {
    const r = await t.runtime.runScript('globals');
    const names = (r.output[0] as { names: string[] }).names;
    for (const documented of ['api', 'Logger', 'nonsensitive', 'console', 'atob', 'btoa', 'JSON', 'Math', 'Promise', 'Intl']) {
      expect(names).toContain(documented);
    }
    for (const forbidden of ['eval', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'WeakRef', 'process', 'require']) {
      expect(names).not.toContain(forbidden);
    }
  });

  it('ES5-style classes and error subclasses still work with frozen built-ins', async () => {
    const r = await t.runtime.runScript('es5class');
    expect(r.output).toEqual([{ s: 'Animal Rex', ctorOk: true, errName: 'MyError', b64: btoa('6ab'), back: 'hello' }]);
  });

  it('a script cannot reach the pool: two applications never share an isolate', async () => {
    const other = await startRuntime({ 'scripts/globals.js': 'function callService() { return [{ a: typeof api.test }]; }' });
    try {
      const r = await other.runtime.runScript('globals');
      expect(r.output).toEqual([{ a: 'undefined' }]);
    } finally {
      await other.close();
    }
  });

  it('bad calls into the bridge are refused with a clear error', async () => {
    const t2 = await startRuntime({
      'scripts/badArgs.js': 'function callService() { const a = {}; a.self = a; return [api.test.v1.echo(a)]; }',
    }, { bindings: [testBinding()] });
    try {
      const err = await rejection(() => t2.runtime.runScript('badArgs'));
      expect(err.body.error.name).toBe('TypeError');
      expect(err.body.error.message).toContain('cannot be serialized to JSON');
    } finally {
      await t2.close();
    }
  });
});
