// GET /api/services: what an operator needs to see of each configured service
// — base URL, kind of authorization, circuit and token state — built field by
// field from the runtime's summary (which holds no secret either), so nothing
// new the summary may gain later can slip into the answer.
import type { CircuitEvent } from '../runtime/observer.js';

export interface ServiceView {
  id: string;
  url: string;
  auth: string;
  circuit: { state: CircuitEvent['state'] } | null;
  token: { cached: boolean; expiresInMs: number | null; fetching?: boolean; lastError?: string } | null;
  timeouts?: { connectTimeout: number; readTimeout: number };
  retry?: { attempts: number };
  healthPath?: string;
}

type Raw = Record<string, unknown>;

const CIRCUIT_STATES = new Set(['closed', 'open', 'half-open']);

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The URL without user name or password (service URLs cannot have them; this is a second line of defence). */
function safeUrl(url: unknown): string {
  if (typeof url !== 'string') return '';
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1');
}

function circuitOf(raw: Raw, observed: CircuitEvent['state'] | undefined): ServiceView['circuit'] {
  const live = isObject(raw.circuit) ? raw.circuit.state : (raw.circuit ?? raw.circuitState);
  if (typeof live === 'string' && CIRCUIT_STATES.has(live)) return { state: live as CircuitEvent['state'] };
  if (observed) return { state: observed };
  return raw.circuitBreaker ? { state: 'closed' } : null;
}

function tokenOf(raw: Raw): ServiceView['token'] {
  if (raw.auth !== 'oauth2') return null;
  const token = isObject(raw.token) ? raw.token : undefined;
  if (!token) return { cached: false, expiresInMs: null };
  let expiresInMs: number | null = null;
  if (typeof token.expiresInMs === 'number') expiresInMs = token.expiresInMs;
  else if (typeof token.expiresAt === 'number') expiresInMs = token.expiresAt - Date.now();
  else if (typeof token.expiresAt === 'string' && !Number.isNaN(Date.parse(token.expiresAt))) expiresInMs = Date.parse(token.expiresAt) - Date.now();
  if (expiresInMs !== null) expiresInMs = Math.max(0, Math.round(expiresInMs));
  return {
    cached: token.cached === true || (token.cached === undefined && expiresInMs !== null && expiresInMs > 0),
    expiresInMs,
    ...(typeof token.fetching === 'boolean' && { fetching: token.fetching }),
    // an error code such as invalid_client or CONNECT_TIMEOUT, never a message
    ...(typeof token.lastError === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(token.lastError) && { lastError: token.lastError }),
  };
}

export function serviceViews(summaries: readonly unknown[], circuits: ReadonlyMap<string, CircuitEvent['state']>): ServiceView[] {
  return summaries.filter(isObject).map((raw) => {
    const id = String(raw.id);
    const view: ServiceView = {
      id,
      url: safeUrl(raw.url),
      auth: typeof raw.auth === 'string' ? raw.auth : isObject(raw.auth) ? String(raw.auth.type) : 'none',
      circuit: circuitOf(raw, circuits.get(id)),
      token: tokenOf(raw),
    };
    if (isObject(raw.timeouts)) view.timeouts = raw.timeouts as ServiceView['timeouts'];
    if (isObject(raw.retry)) view.retry = { attempts: Number(raw.retry.attempts) };
    if (typeof raw.healthPath === 'string') view.healthPath = raw.healthPath;
    return view;
  });
}
