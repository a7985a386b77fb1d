// The credentials of each attempt for the credentials interceptor: static
// ones (basic, bearer, API key) encoded once per service, OAuth2 access tokens
// from the token cache (shared with the other processes with state.redis).
import type { ServiceConfig } from '../../services/types.js';
import type { AttemptCredentials, Authorizer } from '../interceptors/credentials.js';
import type { OAuth2Tokens } from './oauth2.js';
import type { SharedTokens } from './shared-tokens.js';
import { staticCredentials, type Credentials } from './static-auth.js';

const NO_CREDENTIALS: AttemptCredentials = Object.freeze({});

export class CredentialAuthorizer implements Authorizer {
  /** static credentials do not change: encoded once per service, not per attempt */
  private readonly credentials = new WeakMap<ServiceConfig, AttemptCredentials>();

  /** `shared`: tokens shared with the other processes (state.redis) */
  constructor(private readonly tokens: OAuth2Tokens, private readonly shared?: SharedTokens) {}

  authorize(service: ServiceConfig, remainingMs: number, signal: AbortSignal): AttemptCredentials | Promise<AttemptCredentials> {
    if (service.auth.type === 'oauth2') {
      return this.tokens.token(service, { signal, timeoutMs: remainingMs, shared: this.shared }).then((token) => ({ headers: { authorization: `Bearer ${token}` }, credential: token }));
    }
    let credentials = this.credentials.get(service);
    if (!credentials) {
      credentials = attemptCredentials(staticCredentials(service.auth));
      this.credentials.set(service, credentials);
    }
    return credentials;
  }

  /** After a 401: the token may have been revoked or rotated early. */
  refresh(service: ServiceConfig, credential: string): boolean {
    if (service.auth.type !== 'oauth2') return false;
    this.tokens.invalidate(service, credential, this.shared);
    return true;
  }
}

/** Static credentials as an attempt takes them: nothing at all when there are none, so nothing is copied. */
function attemptCredentials(credentials: Credentials): AttemptCredentials {
  const headers = Object.keys(credentials.headers).length > 0 ? credentials.headers : undefined;
  const query = Object.keys(credentials.query).length > 0 ? credentials.query : undefined;
  return headers || query ? { headers, query } : NO_CREDENTIALS;
}
