// OAuth2 services in offline tests. The runtime fetches access tokens itself
// (src/http/auth/oauth2.ts, its own HTTP client, not the Transport), so for
// `scriptcode test` each OAuth2 service's tokenUrl is pointed at this stub on
// 127.0.0.1, which hands out a fixed token: no request leaves the machine and
// no client secret is needed. The service's own calls still go to the offline
// transport; the loopback and plain-http allowances below only concern it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deepMerge, type ConfigOverrides } from '../app/load-config.js';
import type { AppConfig } from '../app/types.js';
import { resolveServices } from '../services/resolve-services.js';

export const OFFLINE_TOKEN = 'scriptcode-offline-token';

export interface OfflineTokens {
  overrides: ConfigOverrides;
  close(): Promise<void>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** undefined when no service of `services:` (or serviceDefaults) uses OAuth2. */
export async function startOfflineTokens(config: AppConfig): Promise<OfflineTokens | undefined> {
  const resolved = resolveServices(config);
  const own = isRecord(config.services) ? config.services : {};
  const oauth = [...resolved.values()].filter((s) => s.auth.type === 'oauth2' && isRecord(own[s.id]));
  if (oauth.length === 0) return undefined;

  const server: Server = createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify({ access_token: OFFLINE_TOKEN, token_type: 'Bearer', expires_in: 3600 }));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;

  let overrides: Record<string, unknown> = {};
  for (const service of oauth) {
    const ownAuth = isRecord(own[service.id]) && isRecord((own[service.id] as Record<string, unknown>).auth);
    const auth = ownAuth ? { services: { [service.id]: { auth: { tokenUrl } } } } : { serviceDefaults: { auth: { tokenUrl } } };
    const allow = { services: { [service.id]: { allowInsecureHttp: true, network: { allowPrivate: true } } } };
    overrides = deepMerge(deepMerge(overrides, auth), allow) as Record<string, unknown>;
  }
  return {
    overrides: overrides as ConfigOverrides,
    close: () => new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }),
  };
}
