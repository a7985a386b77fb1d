// Errors of the OAuth 2.0 client credentials exchange (SPEC §4.4 `auth: oauth2`).
//
// What an error may carry: the service id, the token URL as origin + path
// (never its query string), the HTTP status, the OAuth `error` code when it is
// a plain code (RFC 6749 §5.2 names like `invalid_client`), and a fixed
// description from oauth4webapi. Never the client secret, a token, the
// response body or `error_description` (a server may echo what it was sent),
// and no `cause` (oauth4webapi's causes hold the parsed body, tokens included).
import { safeUrl } from '../errors.js';

export type OAuth2ErrorCode = 'TOKEN_REQUEST_FAILED' | 'TOKEN_RESPONSE_INVALID';

/** Everything an OAuth2Error says, without the service it is reported for. */
export interface OAuth2Failure {
  code: OAuth2ErrorCode;
  /** the token URL, origin + path only */
  tokenUrl: string;
  status?: number;
  /** the OAuth `error` code from the response body or WWW-Authenticate challenge, when it is a plain code */
  oauthError?: string;
  /** a fixed, value-free description of what was wrong with the response */
  detail?: string;
}

export class OAuth2Error extends Error {
  override readonly name = 'OAuth2Error';
  readonly code: OAuth2ErrorCode;
  /** the HTTP status of the token endpoint's answer, when it answered */
  readonly status?: number;
  readonly serviceId: string;
  /** the OAuth `error` code (`invalid_client`, `invalid_scope`, …), when the endpoint sent one */
  readonly oauthError?: string;
  /** origin + path of the token endpoint */
  readonly tokenUrl?: string;

  constructor(serviceId: string, failure: OAuth2Failure) {
    super(describe(serviceId, failure));
    this.serviceId = serviceId;
    this.code = failure.code;
    if (failure.status !== undefined) this.status = failure.status;
    if (failure.oauthError !== undefined) this.oauthError = failure.oauthError;
    this.tokenUrl = failure.tokenUrl;
    // Kept for re-issuing the same error to another waiter (see oauth2.ts); not enumerable, holds no secret.
    Object.defineProperty(this, 'failure', { value: failure, enumerable: false });
  }

  /** The same error reported for another service (another caller of a shared token request). */
  forService(serviceId: string): OAuth2Error {
    return new OAuth2Error(serviceId, (this as unknown as { failure: OAuth2Failure }).failure);
  }
}

/** RFC 6749 error codes are short ASCII words; anything else is not repeated. */
const PLAIN_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function plainOAuthErrorCode(value: unknown, secrets: readonly string[]): string | undefined {
  if (typeof value !== 'string' || !PLAIN_CODE.test(value)) return undefined;
  if (secrets.some((s) => s.length >= 4 && value.includes(s))) return undefined;
  return value;
}

/** Replaces every occurrence of a secret (defence in depth for text that should hold none). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

function advice(failure: OAuth2Failure): string {
  if (failure.code === 'TOKEN_RESPONSE_INVALID') {
    return 'Check that auth.tokenUrl is the OAuth 2.0 token endpoint and that it issues Bearer tokens for the client credentials grant.';
  }
  switch (failure.oauthError) {
    case 'invalid_client':
      return 'Check auth.clientId, auth.clientSecret and auth.clientAuth (basic or post) for the service.';
    case 'unauthorized_client':
    case 'unsupported_grant_type':
      return 'The client is not allowed to use the client credentials grant; check its registration at the authorization server.';
    case 'invalid_scope':
      return 'Check auth.scope for the service.';
    case 'invalid_target':
      return 'Check auth.audience for the service.';
    default:
      break;
  }
  const status = failure.status ?? 0;
  if (status === 401 || status === 403) return 'Check auth.clientId, auth.clientSecret and auth.clientAuth (basic or post) for the service.';
  if (status >= 300 && status < 400) return 'Redirects are not followed for token requests; set auth.tokenUrl to the final token endpoint URL.';
  if (status >= 500) return 'The authorization server failed; try again later.';
  if (status === 404 || status === 405) return 'Check auth.tokenUrl for the service.';
  return 'Check the auth settings of the service and the authorization server.';
}

function describe(serviceId: string, failure: OAuth2Failure): string {
  const parts: string[] = [];
  if (failure.status !== undefined) parts.push(`HTTP ${failure.status}`);
  if (failure.oauthError !== undefined) parts.push(`error "${failure.oauthError}"`);
  const answer = parts.length ? ` (${parts.join(', ')})` : '';
  const url = safeUrl(failure.tokenUrl);
  const what =
    failure.code === 'TOKEN_REQUEST_FAILED'
      ? `the token request to ${url} failed${answer}`
      : `the token endpoint ${url} answered${answer} without a usable access token${failure.detail ? `: ${failure.detail}` : ''}`;
  return `service "${serviceId}": ${what}. ${advice(failure)}`;
}
