// The isolation floor: the least a sandboxed invocation that makes one REST
// call can cost with isolated-vm. An isolate with one context, reused for
// every call (no per-invocation context, limits, logging, policy or retry);
// the script calls a host Reference with `applySyncPromise`, which does
// `undici.request` and hands back the body text; the host enters the script
// with `apply` once per invocation. Whatever the product costs above this is
// its own per-invocation work.
//
// With `isolates` > 1 there is one such isolate per concurrent caller (a call
// blocks its isolate while it waits, so one isolate serializes callers).
//
// `createAsyncFloor` is the same least cost for async mode: one isolate and
// one context serve every caller at once; the script awaits a promise that the
// host settles by calling into the isolate, so each invocation crosses exactly
// as the product's async mode does (host → isolate to start, isolate → host to
// start the request, host → isolate with the answer, isolate → host with the
// result) and nothing else: no per-invocation context, limits or timeouts.
import ivm from '../src/sandbox/isolated-vm.js';
import { Agent, request } from 'undici';

export interface Floor {
  /** one invocation: GET `path` under the base URL; the script returns `[{ name }]` as JSON */
  call(path: string): Promise<string>;
  close(): Promise<void>;
}

interface Instance {
  isolate: ivm.Isolate;
  run: (path: string) => Promise<string>;
  release: () => void;
}

async function createInstance(fetchText: (path: string) => Promise<string>): Promise<Instance> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = await isolate.createContext();
  const host = new ivm.Reference(fetchText);
  await context.global.set('$fetchText', host);
  const script = (await context.eval(
    `(function (path) {
      var text = $fetchText.applySyncPromise(undefined, [path]);
      return JSON.stringify([{ name: JSON.parse(text).name }]);
    })`,
    { reference: true },
  )) as ivm.Reference<(path: string) => string>;
  return {
    isolate,
    run: (path) => script.apply(undefined, [path], { result: { copy: true } }) as Promise<string>,
    release: () => {
      script.release();
      host.release();
      context.release();
    },
  };
}

export async function createFloor(baseUrl: string, options: { connections: number; isolates?: number }): Promise<Floor> {
  const agent = new Agent({ keepAliveTimeout: 120_000, connections: options.connections });
  const fetchText = async (path: string) => {
    const r = await request(`${baseUrl}/${path}`, { dispatcher: agent });
    return r.body.text();
  };
  const instances = await Promise.all(Array.from({ length: options.isolates ?? 1 }, () => createInstance(fetchText)));
  if (instances.length === 1) {
    // isolated-vm queues concurrent `apply`s on the isolate itself: no pool needed
    const only = instances[0];
    return { call: only.run, close: () => closeAll([only], agent) };
  }
  const free = [...instances];
  const waiting: ((i: Instance) => void)[] = [];
  return {
    async call(path) {
      const instance = free.pop() ?? (await new Promise<Instance>((resolve) => waiting.push(resolve)));
      try {
        return await instance.run(path);
      } finally {
        const next = waiting.shift();
        if (next) next(instance);
        else free.push(instance);
      }
    },
    close: () => closeAll(instances, agent),
  };
}

async function closeAll(instances: Instance[], agent: Agent): Promise<void> {
  for (const i of instances) {
    i.release();
    i.isolate.dispose();
  }
  await agent.close();
}

export async function createAsyncFloor(baseUrl: string, options: { connections: number }): Promise<Floor> {
  const agent = new Agent({ keepAliveTimeout: 120_000, connections: options.connections });
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const waiting = new Map<number, { resolve: (answer: string) => void; reject: (err: Error) => void }>();
  const holder: { settle?: ivm.Reference<(seq: number, text: string) => void> } = {};
  const start = new ivm.Reference((seq: number, path: string) => {
    request(`${baseUrl}/${path}`, { dispatcher: agent })
      .then((r) => r.body.text())
      .then((text) => holder.settle!.apply(undefined, [seq, text]))
      .catch((err: Error) => waiting.get(seq)?.reject(err));
  });
  const done = new ivm.Reference((seq: number, answer: string) => {
    const w = waiting.get(seq);
    waiting.delete(seq);
    w?.resolve(answer);
  });
  context.global.setSync('$start', start);
  context.global.setSync('$done', done);
  const driver = (await context.eval(
    `(function () {
      const pending = new Map();
      const get = (seq, path) => new Promise((resolve) => { pending.set(seq, resolve); $start.applyIgnored(undefined, [seq, path]); });
      return {
        run(seq, path) {
          (async () => JSON.stringify([{ name: JSON.parse(await get(seq, path)).name }]))()
            .then((answer) => $done.applyIgnored(undefined, [seq, answer]));
        },
        settle(seq, text) { const r = pending.get(seq); pending.delete(seq); r(text); },
      };
    })()`,
    { reference: true },
  )) as ivm.Reference<Record<string, unknown>>;
  const run = driver.getSync('run', { reference: true }) as ivm.Reference<(seq: number, path: string) => void>;
  holder.settle = driver.getSync('settle', { reference: true }) as ivm.Reference<(seq: number, text: string) => void>;
  let seq = 0;
  return {
    call(path) {
      const id = ++seq;
      return new Promise<string>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        run.apply(undefined, [id, path]).catch(reject);
      });
    },
    async close() {
      run.release();
      holder.settle?.release();
      driver.release();
      start.release();
      done.release();
      context.release();
      isolate.dispose();
      await agent.close();
    },
  };
}
