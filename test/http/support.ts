// Shared by the test/http tests: a ServiceConfig with test-friendly defaults
// (loopback allowed, plain http allowed), and bookkeeping so every client and
// server a test starts is closed after it.
import { afterEach } from 'vitest';
import { ServiceClient, type HttpCallError, type HttpResponse } from '../../src/http/index.js';
import { SERVICE_DEFAULTS, type ServiceConfig } from '../../src/services/types.js';
import { rejection } from '../helpers/expect.js';
import type { TestServer } from '../helpers/servers.js';

type Overrides = Omit<Partial<ServiceConfig>, 'network' | 'tls' | 'timeouts'> & {
  network?: Partial<ServiceConfig['network']>;
  tls?: Partial<ServiceConfig['tls']>;
  timeouts?: Partial<ServiceConfig['timeouts']>;
};

export function serviceConfig(overrides: Overrides = {}): ServiceConfig {
  return {
    id: 'svc',
    url: 'https://example.invalid/',
    auth: { type: 'none' },
    retry: { ...SERVICE_DEFAULTS.retry },
    followRedirects: false,
    maxResponseBytes: SERVICE_DEFAULTS.maxResponseBytes,
    headers: {},
    queryParams: {},
    allowInsecureHttp: true,
    ...overrides,
    timeouts: { ...SERVICE_DEFAULTS.timeouts, ...overrides.timeouts },
    tls: { ...SERVICE_DEFAULTS.tls, ...overrides.tls },
    network: { allowPrivate: true, allowCidrs: [], ...overrides.network },
  };
}

const open: Array<{ close(): Promise<void> }> = [];

/** Registers a server or client to be closed after the current test. */
export function track<T extends { close(): Promise<void> }>(thing: T): T {
  open.push(thing);
  return thing;
}

export function client(overrides: Overrides = {}): ServiceClient {
  return track(new ServiceClient(serviceConfig(overrides)));
}

export function trackServer(server: TestServer): TestServer {
  return track(server);
}

afterEach(async () => {
  // Clients first (their sockets end cleanly), then servers.
  const things = open.splice(0).reverse();
  for (const thing of things) await thing.close();
});

export function get(c: ServiceClient, url: string, init: { signal?: AbortSignal; headers?: Record<string, string>; readTimeout?: number; connectTimeout?: number } = {}): Promise<HttpResponse> {
  return c.request({
    method: 'GET',
    url: new URL(url),
    headers: init.headers ?? {},
    signal: init.signal ?? new AbortController().signal,
    readTimeout: init.readTimeout,
    connectTimeout: init.connectTimeout,
  });
}

/** The HttpCallError a call rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<HttpCallError> {
  return (await rejection(promise)) as unknown as HttpCallError;
}
