// followRedirects: same-origin redirects are followed (at most MAX_REDIRECTS),
// each as a new request with retries of its own; a redirect elsewhere, or one
// without a usable Location, stops the call. Without followRedirects the 3xx
// is the answer.
import { CallStoppedError, type Interceptor } from '../pipeline.js';
import { MAX_REDIRECTS, REDIRECT_STATUSES, nextRedirect } from '../resilience/redirects.js';

export function redirectsInterceptor(): Interceptor {
  return (next) => async (first, call) => {
    const { service } = call;
    const origin = new URL(service.url.replace(/\{[^{}]*\}/g, 'x')).origin;
    let request = first;
    for (let redirects = 0; ; redirects++) {
      const response = await next(request, call);
      if (!REDIRECT_STATUSES.has(response.status)) return response;
      const step = nextRedirect(request.url, request.method, response.status, response.headers.location, origin);
      if (step.type === 'crossOrigin') {
        throw new CallStoppedError('policy', 'CROSS_ORIGIN_REDIRECT',
          `service '${service.id}' redirected to ${step.location}, outside its origin ${origin}; only same-origin redirects are followed`);
      }
      if (step.type === 'invalid') {
        throw new CallStoppedError('protocol', 'INVALID_REDIRECT', `service '${service.id}' answered ${response.status} without a usable Location header`);
      }
      if (redirects + 1 > MAX_REDIRECTS) {
        throw new CallStoppedError('policy', 'TOO_MANY_REDIRECTS', `service '${service.id}' redirected more than ${MAX_REDIRECTS} times`);
      }
      const headers = { ...request.headers };
      if (step.dropBody) delete headers['content-type'];
      request = { ...request, method: step.method, url: step.url, headers, body: step.dropBody ? undefined : request.body, shownUrl: undefined };
    }
  };
}
