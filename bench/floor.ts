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
