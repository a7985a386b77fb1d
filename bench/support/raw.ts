// The raw baseline: what a plain Node process does for the same partner call
// (undici.request, body parsed, the same small answer built). Its Agent has
// at least as many connections as callers, so the pool is never the limit.
import { Agent, request } from 'undici';

export interface RawClient {
  get(path: string): Promise<{ name: string }[]>;
  close(): Promise<void>;
}

export function rawClient(baseUrl: string, connections: number): RawClient {
  const agent = new Agent({ keepAliveTimeout: 120_000, connections: Math.max(connections, 1) });
  return {
    async get(path) {
      const r = await request(`${baseUrl}/${path}`, { dispatcher: agent, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      if (r.statusCode !== 200) throw new Error(`partner answered ${r.statusCode}`);
      const body = (await r.body.json()) as { name: string };
      return [{ name: body.name }];
    },
    close: () => agent.close(),
  };
}
