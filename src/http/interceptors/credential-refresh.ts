// A 401 to a call that carried a refreshable credential (an OAuth2 token that
// was revoked or rotated): the credential is dropped and the request sent once
// more with a fresh one. That extra try is traced but is not a retry.
import type { Interceptor } from '../pipeline.js';
import type { Authorizer } from './credentials.js';

export function credentialRefreshInterceptor(authorizer: Authorizer): Interceptor {
  return (next) => async (request, call) => {
    const response = await next(request, call);
    const credential = call.credential;
    if (response.status !== 401 || credential === undefined || !authorizer.refresh(call.service, credential)) return response;
    call.trace.attempt({ status: 401, durationMs: performance.now() - call.attemptStarted });
    return next(request, call);
  };
}
