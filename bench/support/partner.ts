// The loopback partner service, in a child process of its own so that its
// work does not compete with the main thread of the process under test.
// One server serves every delay: `/d/<ms>/…` answers the small JSON body
// after <ms> milliseconds (0 = at once). Keep-alive. It counts the requests
// it holds at once, which is how a scenario sees whether calls overlap.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { announce, startChild } from './child.js';

export const BODY = JSON.stringify({ id: 42, name: 'Ada Lovelace', segment: 'gold', tags: ['a', 'b', 'c'] });

export interface PartnerStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
}

export interface Partner {
  readonly pid: number;
  /** the server's own URL, for `partnerAt` in another process */
  readonly base: string;
  /** base URL of a partner that answers after `delayMs` */
  url(delayMs: number): string;
  stats(): Promise<PartnerStats>;
  /** starts a new measuring window for `maxInFlight` and `requests` */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const self = fileURLToPath(import.meta.url);

export async function startPartner(): Promise<Partner> {
  const child = await startChild<{ url: string }>(self, ['--partner']);
  return { ...partnerAt(child.info.url), pid: child.pid, stop: () => child.stop() };
}

/** the partner running at `base`, as seen from any process (it is not stopped from here) */
export function partnerAt(base: string): Omit<Partner, 'pid' | 'stop'> {
  return {
    base,
    url: (delayMs) => `${base}/d/${delayMs}`,
    stats: async () => (await (await fetch(`${base}/__stats`)).json()) as PartnerStats,
    reset: async () => {
      await (await fetch(`${base}/__reset`, { method: 'POST' })).arrayBuffer();
    },
  };
}

async function serve(): Promise<void> {
  const stats: PartnerStats = { requests: 0, inFlight: 0, maxInFlight: 0 };
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/__stats') return void res.end(JSON.stringify(stats));
    if (url === '/__reset') {
      stats.requests = 0;
      stats.maxInFlight = stats.inFlight;
      return void res.end('{}');
    }
    const delay = /^\/d\/(\d+)\//.exec(url);
    if (!delay) {
      res.statusCode = 404;
      return void res.end();
    }
    stats.requests++;
    if (++stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
    const answer = () => {
      stats.inFlight--;
      res.setHeader('content-type', 'application/json');
      res.end(BODY);
    };
    const ms = Number(delay[1]);
    if (ms > 0) setTimeout(answer, ms);
    else answer();
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  // 1 000 clients connect at once: the default backlog (511) would drop SYNs and add 1 s retries
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  announce({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

if (process.argv[1] === self && process.argv[2] === '--partner') await serve();
