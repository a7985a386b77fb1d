// Nothing a script can reach carries data to another invocation (security
// review, findings 1 and 2). Each invocation walks every object it can reach —
// from globalThis, from what its kind hands it (context, task, formatter
// input, api, a REST error), and from the results of calling every function,
// constructor, method, getter and iterator it finds, three calls deep — and
// leaves a mark on each object it can change. The next invocations, of other
// kinds too, on the same contexts, look for marks: a mark found is an object
// shared between invocations and writable. And every prototype reached must
// be frozen, so a new hidden intrinsic in a future V8 fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startServer } from '../server/helpers.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';

const DISCOVER = String.raw`
function discover(roots, label, dontCall) {
  var MARK = '__reachableObjectsMark';
  var seen = new Set();
  var queue = [];
  var marksFound = [];
  var unfrozenPrototypes = [];
  var marked = 0;
  var mine = label + ' ' + Math.random();
  var calls = 0;
  var argSets = [[], [''], ['a b'], [1], ['en', {}], [{}], [[1, 2]]];
  var skip = new Set([api, Logger, console]);
  var noCall = new Set(dontCall || []);
  // the methods of a prototype are tried once, on the first object made by a call that has it
  var explored = new Set();
  function isObj(v) { return (typeof v === 'object' && v !== null) || typeof v === 'function'; }
  function add(v, path, depth, called) {
    if (!isObj(v) || seen.has(v) || skip.has(v)) return;
    seen.add(v);
    // a rejected promise nobody handles fails the invocation (isolated-vm throws it at the end of the
    // call): handle each one met, e.g. what Array.fromAsync (V8 12+) answers to a bad argument
    if (v instanceof Promise) attempt(function () { Promise.prototype.then.call(v, undefined, function () {}); });
    queue.push({ o: v, path: path, depth: depth, called: called });
  }
  function attempt(fn) { try { return fn(); } catch (e) { return e; } }
  for (var i = 0; i < roots.length; i++) add(roots[i][1], roots[i][0], 0, true);
  while (queue.length) {
    var item = queue.shift();
    var o = item.o;
    var own = attempt(function () { return Object.getOwnPropertyDescriptor(o, MARK); });
    if (own && typeof own.value === 'string' && own.value !== mine) marksFound.push(item.path + ' (left by ' + String(own.value) + ')');
    var proto = Object.getPrototypeOf(o);
    if (isObj(proto) && !Object.isFrozen(proto) && proto !== globalThis && !seen.has(proto)) unfrozenPrototypes.push(item.path + '.__proto__');
    if (!Object.isFrozen(o) && o !== globalThis) {
      if (!(attempt(function () { Object.defineProperty(o, MARK, { value: mine, configurable: true }); }) instanceof Error)) marked++;
    }
    add(proto, item.path + '.__proto__', item.depth, false);
    var keys = Reflect.ownKeys(o);
    for (var k = 0; k < keys.length; k++) {
      var d = Object.getOwnPropertyDescriptor(o, keys[k]);
      if (!d || keys[k] === MARK) continue;
      var name = item.path + '.' + String(keys[k]);
      if ('value' in d) add(d.value, name, item.depth, false);
      else { add(d.get, name + '<get>', item.depth, false); add(d.set, name + '<set>', item.depth, false); }
    }
    if (item.depth >= 4) continue;
    // what calling it gives: as a function and a constructor
    if (typeof o === 'function' && !noCall.has(o)) {
      for (var a = 0; a < argSets.length; a++) {
        calls++;
        add(attempt(function () { return Reflect.apply(o, undefined, argSets[a]); }), item.path + '()', item.depth + 1, true);
        add(attempt(function () { return Reflect.construct(o, argSets[a]); }), 'new ' + item.path + '()', item.depth + 1, true);
      }
    }
    // what an object made by a call answers: every getter and method of its chain, on it
    if (item.called) {
      for (var p = o; p !== null && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
        if (explored.has(p)) continue;
        explored.add(p);
        var pkeys = Reflect.ownKeys(p);
        for (var j = 0; j < pkeys.length; j++) {
          var key = pkeys[j];
          if (key === 'constructor' || key === MARK) continue;
          var value = attempt(function () { return o[key]; });
          add(value, item.path + '[' + String(key) + ']', item.depth + 1, true);
          if (typeof value !== 'function' || skip.has(value) || noCall.has(value)) continue;
          for (var b = 0; b < argSets.length; b++) {
            calls++;
            add(attempt(function () { return Reflect.apply(value, o, argSets[b]); }), item.path + '.' + String(key) + '()', item.depth + 1, true);
          }
        }
      }
    }
  }
  return { visited: seen.size, calls: calls, marked: marked, marksFound: marksFound, unfrozenPrototypes: unfrozenPrototypes };
}
// a sloppy-mode script's top level can reach the function that wraps it
var wrapper = arguments.callee;
function restError(serviceId) {
  try { api.rest.v1.get(serviceId, { path: 'missing' }); } catch (e) { return e; }
  return null;
}
`;

const limits = 'limits: { cpuMs: 60000, wallMs: 120000, memoryMb: 256 }\n';

let t: TestRuntime;
let partner: TestServer;

beforeAll(async () => {
  partner = await startHttpServer((_req, res) => { res.statusCode = 404; res.end('{"error":"no"}'); });
  t = await startRuntime({
    'scriptcode.yaml': `services:\n  partner: { url: '${partner.url}', allowInsecureHttp: true, network: { allowPrivate: true }, retry: { attempts: 1 } }\n`,
    'scripts/walker.js': `${DISCOVER}
      function callService(context) {
        return [discover([['globalThis', globalThis], ['wrapper', wrapper], ['context', context], ['api', api], ['Logger', Logger], ['console', console],
          ['restError', restError('partner')], ['parameters', context.getParameters('p')], ['value', context.getValue('f')]], 'scriptService', [wrapper])];
      }`,
    'scripts/walker.yaml': limits,
    'scripts/asyncWalker.js': `${DISCOVER}
      async function callService(context) {
        var err = null;
        try { await api.rest.v1.get('partner', { path: 'missing' }); } catch (e) { err = e; }
        return [discover([['globalThis', globalThis], ['context', context], ['api', api], ['restError', err]], 'async scriptService')];
      }`,
    'scripts/asyncWalker.yaml': limits,
    'validators/walker.js': `${DISCOVER}
      function callService(context) {
        var r = discover([['globalThis', globalThis], ['context', context], ['api', api]], 'validator');
        return r.marksFound.concat(r.unfrozenPrototypes).map(function (p) { return { key: 'found', parameters: [p] }; });
      }`,
    'validators/walker.yaml': limits,
    'tasks/walker.js': `${DISCOVER}
      function callService(context, task) {
        context.complete({ report: discover([['globalThis', globalThis], ['context', context], ['task', task], ['variables', task.getAllVariables()]], 'task',
          [context.complete, context.handleFailure, context.handleBpmnError]) });
      }`,
    'tasks/walker.yaml': limits,
    'formatters/walker.js': `${DISCOVER}
      function formatText(input) {
        var r = discover([['globalThis', globalThis], ['input', input]], 'formatter');
        return { formattedText: JSON.stringify(r.marksFound.concat(r.unfrozenPrototypes)) };
      }`,
    'formatters/walker.yaml': 'limits: { cpuMs: 60000, wallMs: 120000, memoryMb: 256 }\n',
  }, { config: { pool: { maxIsolates: 1, maxQueue: 100 } } as never });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await partner?.close();
});

interface Report { visited: number; calls: number; marked: number; marksFound: string[]; unfrozenPrototypes: string[] }

const runService = async (name: string) => (await t.runtime.runScript(name, { input: { p: ['1'] }, form: { f: { value: { a: [1] } } } })).output[0] as Report;
const runTask = async () => {
  const answer = await t.runtime.executeTask('walker', { variables: { v: { a: [1] } }, processInstanceId: 'p1' });
  expect(answer.outcome, answer.cause).toBe('complete');
  return answer.variables!.report as Report;
};
const runValidator = async () => (await t.runtime.validate('walker', { input: {}, form: {} })).errors.map((e) => e.message);

describe('every object a script can reach is frozen or its own', () => {
  it('a sync script finds no mark of an earlier invocation and no unfrozen prototype', async () => {
    const first = await runService('walker');
    expect(first.visited).toBeGreaterThan(2_000);
    expect(first.calls).toBeGreaterThan(5_000);
    expect(first.unfrozenPrototypes).toEqual([]);
    expect(first.marksFound).toEqual([]);
    const second = await runService('walker');
    expect(second.marksFound).toEqual([]);
    expect(second.unfrozenPrototypes).toEqual([]);
  });

  it('other kinds on the same context find no mark either', async () => {
    await runService('walker');
    const task = await runTask();
    expect(task.marksFound).toEqual([]);
    expect(task.unfrozenPrototypes).toEqual([]);
    expect(await runValidator()).toEqual([]);
    const again = await runTask();
    expect(again.marksFound).toEqual([]);
    const formatted = await t.runtime.format('walker', { textToFormat: 'a', locale: 'pl-PL' });
    expect(JSON.parse(formatted.formattedText)).toEqual([]);
  });

  it('an async script, whose contexts serve one invocation after another, finds none', async () => {
    const first = await runService('asyncWalker');
    expect(first.unfrozenPrototypes).toEqual([]);
    const second = await runService('asyncWalker');
    expect(second.marksFound).toEqual([]);
  });
});

describe("the review's case, through the HTTP server", () => {
  it("a hooked segment iterator cannot read a validator's input or change its answer", async () => {
    const server = await startServer({
      'scripts/hook.js': `function callService() {
        var results = [];
        var segments = new Intl.Segmenter('en', { granularity: 'word' }).segment('a');
        var iteratorProto = Object.getPrototypeOf(segments[Symbol.iterator]());
        var segmentsProto = Object.getPrototypeOf(segments);
        // sloppy mode: an assignment to a frozen object fails silently
        var next = iteratorProto.next;
        iteratorProto.next = function () { var r = next.call(this); segmentsProto.stolen.push(r.value && r.value.segment); return { done: true }; };
        results.push(iteratorProto.next === next ? 'next unchanged' : 'hooked next');
        segmentsProto.stolen = [];
        results.push(segmentsProto.stolen === undefined ? 'nothing stored' : 'stored on segments');
        return [{ results: results }];
      }`,
      'scripts/read.js': `function callService() {
        var seg = Object.getPrototypeOf(new Intl.Segmenter().segment('x'));
        return [{ stolen: seg.stolen === undefined ? null : seg.stolen }];
      }`,
      'validators/words.js': `function callService(context) {
        var words = Array.from(new Intl.Segmenter('pl', { granularity: 'word' }).segment(context.getFirstParameter('name') || ''))
          .filter(function (s) { return s.isWordLike; });
        return words.length === 2 ? [] : [{ key: 'name.words', parameters: [String(words.length)] }];
      }`,
    }, { config: { pool: { maxIsolates: 1 } } as never });
    try {
      const hook = (await server.post('/api/scripts/hook/run', {})).json();
      expect(hook.output[0].results).toEqual(['next unchanged', 'nothing stored']);
      const validated = (await server.post('/api/validators/words/validate', { input: { name: ['Jan Kowalski'] } })).json();
      expect(validated.valid).toBe(true);
      const read = (await server.post('/api/scripts/read/run', {})).json();
      expect(read.output).toEqual([{ stolen: null }]);
    } finally {
      await server.close();
    }
  });
});
