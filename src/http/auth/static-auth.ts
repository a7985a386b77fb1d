// Credentials that do not change between calls (SPEC §4.4 `auth`): added by
// the host to each request, after the script's headers, so that a script can
// neither see nor replace them.
import type { AuthConfig } from '../../services/types.js';

export interface Credentials {
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** Names of query parameters the auth adds (a script may not set them). */
export function authQueryNames(auth: AuthConfig): string[] {
  return auth.type === 'apiKey' && auth.in === 'query' ? [auth.name] : [];
}

export function staticCredentials(auth: AuthConfig): Credentials {
  switch (auth.type) {
    case 'none':
    case 'oauth2':
      return { headers: {}, query: {} };
    case 'basic': {
      const encoded = 'encodedCredentials' in auth
        ? auth.encodedCredentials
        : Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      return { headers: { authorization: `Basic ${encoded}` }, query: {} };
    }
    case 'bearer':
      return { headers: { authorization: `Bearer ${auth.token}` }, query: {} };
    case 'apiKey':
      return auth.in === 'header'
        ? { headers: { [auth.name.toLowerCase()]: auth.value }, query: {} }
        : { headers: {}, query: { [auth.name]: auth.value } };
  }
}
