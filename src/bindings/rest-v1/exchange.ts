// One REST call over the service's pipeline (src/http/service-pipeline.ts:
// bulkhead, redirects, retry, circuit breaker, rate limit, credentials, the
// transport); what stops it on the way becomes the error the script sees.
import { HttpCallError, type HttpResponse } from '../../http/index.js';
import { OAuth2Error } from '../../http/auth/oauth2-errors.js';
import { CallStoppedError, type CallContext, type Dispatch, type OutgoingRequest } from '../../http/pipeline.js';
import type { ServiceConfig } from '../../services/types.js';
import type { BindingCallError } from '../binding.js';
import { restError } from './errors.js';

const ERROR_NAMES = { timeout: 'RestTimeoutError', connection: 'RestConnectionError', policy: 'RestPolicyError', protocol: 'RestProtocolError' } as const;

export function exchange(pipeline: Dispatch, call: CallContext, request: OutgoingRequest): Promise<HttpResponse> {
  return pipeline(request, call).catch((err: unknown) => {
    throw restErrorOf(call.service, err);
  });
}

/** The script's error for what stopped a call; anything else (a bug) is passed on as it is. */
function restErrorOf(service: ServiceConfig, err: unknown): BindingCallError | unknown {
  if (err instanceof CallStoppedError || err instanceof HttpCallError) return restError(ERROR_NAMES[err.kind], service.id, err.code, `api.rest.v1: ${err.message}`);
  // no token, no call: the service itself was not contacted
  if (err instanceof OAuth2Error) return restError('RestConnectionError', service.id, err.code, `api.rest.v1: ${err.message}`);
  return err;
}
