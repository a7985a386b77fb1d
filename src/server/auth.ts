// Bearer tokens for /api/* (SPEC §6). Tokens are kept as SHA-256 digests and
// compared in constant time, each against every configured token, so neither
// timing nor an early exit tells how close a guess was. The Authorization
// header is never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { errorBody } from './errors.js';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export const BEARER_CHALLENGE = 'Bearer realm="scriptcode"';

/** The hook that checks `Authorization: Bearer <token>`; undefined when no tokens are configured. */
export function bearerAuth(tokens: readonly string[]): onRequestHookHandler | undefined {
  if (tokens.length === 0) return undefined;
  const accepted = tokens.map(digest);
  const matches = (presented: string): boolean => {
    const d = digest(presented);
    let ok = false;
    for (const a of accepted) ok = timingSafeEqual(a, d) || ok;
    return ok;
  };
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header) : null;
    if (!match) {
      return reply
        .code(401)
        .header('www-authenticate', BEARER_CHALLENGE)
        .send(errorBody('Unauthorized', 'this API needs a bearer token: send the header Authorization: Bearer <token> (server.auth.tokens)', 'TOKEN_MISSING'));
    }
    if (!matches(match[1]!)) {
      return reply
        .code(401)
        .header('www-authenticate', `${BEARER_CHALLENGE}, error="invalid_token"`)
        .send(errorBody('Unauthorized', 'the bearer token is not one of server.auth.tokens', 'TOKEN_INVALID'));
    }
  };
}
