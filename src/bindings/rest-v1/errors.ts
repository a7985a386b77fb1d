// The six script-visible error kinds of SPEC §4.3, built on the host as data
// (BindingCallError) and turned into real error classes inside the isolate.
import { BindingCallError } from '../binding.js';

export type RestErrorName =
  | 'RestResponseError' | 'RestTimeoutError' | 'RestConnectionError'
  | 'RestRequestError' | 'RestPolicyError' | 'RestProtocolError';

export function restError(name: RestErrorName, serviceId: string | null, code: string, message: string, extra: Record<string, unknown> = {}): BindingCallError {
  return new BindingCallError({ name, serviceId, code, message, ...extra });
}

/** The call itself is wrong: fix the script. */
export function requestError(serviceId: string | null, message: string, code = 'INVALID_REQUEST'): BindingCallError {
  return restError('RestRequestError', serviceId, code, message);
}
