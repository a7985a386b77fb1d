// Runs one interceptor (or a few) over the real network transport against a
// loopback server: a call's context with a recording trace, a request built
// from a path, and the server's view of what arrived.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compose, transportDispatch, type AttemptRecord, type CallContext, type Dispatch, type Interceptor, type OutgoingRequest } from '../../../src/http/pipeline.js';
import { NetworkTransport } from '../../../src/http/transport.js';
import type { ServiceConfig } from '../../../src/services/types.js';
import { startHttpServer } from '../../helpers/servers.js';
import { serviceConfig, track, trackServer } from '../support.js';

export interface Arrival {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface Partner {
  url: string;
  arrivals: Arrival[];
}

/** A loopback server answering each request with `answer` (the n-th request, from 1). */
export async function partner(answer: (req: Arrival, n: number, res: ServerResponse) => void | Promise<void>): Promise<Partner> {
  const arrivals: Arrival[] = [];
  const server = trackServer(await startHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const arrival = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() };
    arrivals.push(arrival);
    await answer(arrival, arrivals.length, res);
  }));
  return { url: server.url, arrivals };
}

export function reply(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}

export interface Harness {
  service: ServiceConfig;
  dispatch: Dispatch;
  /** attempts the trace recorded, per call made with `call()` */
  attempts: AttemptRecord[];
  /** a fresh call context: `budgetMs` from now, aborted by `signal` */
  context(budgetMs?: number, signal?: AbortSignal): CallContext;
  request(path: string, init?: Partial<OutgoingRequest>): OutgoingRequest;
  send(path: string, init?: Partial<OutgoingRequest>, budgetMs?: number): Promise<{ status: number; body: string; headers: Record<string, string> }>;
}

/** `interceptors` (outermost first) over the real transport to the service at `url`. */
export function harness(url: string, interceptors: (Interceptor | undefined)[], overrides: Partial<ServiceConfig> = {}): Harness {
  const service = serviceConfig({ url, ...overrides });
  const transport = track(new NetworkTransport());
  const dispatch = compose(transportDispatch(transport), ...interceptors);
  const attempts: AttemptRecord[] = [];
  const context = (budgetMs = 10_000, signal = new AbortController().signal): CallContext => ({
    service,
    budgetEnd: Date.now() + budgetMs,
    signal,
    trace: { attempt: (record) => attempts.push(record) },
    remaining: budgetMs,
    attemptStarted: performance.now(),
  });
  const request = (path: string, init: Partial<OutgoingRequest> = {}): OutgoingRequest => ({
    method: 'GET',
    url: new URL(path, url),
    headers: {},
    connectTimeout: 2_000,
    readTimeout: 5_000,
    ...init,
  });
  return {
    service,
    dispatch,
    attempts,
    context,
    request,
    async send(path, init, budgetMs) {
      const response = await dispatch(request(path, init), context(budgetMs));
      return { status: response.status, body: response.body.toString('utf8'), headers: response.headers };
    },
  };
}
