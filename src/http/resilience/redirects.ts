// Redirects are off by default (a 3xx is the script's RestResponseError);
// with `followRedirects: true` up to MAX_REDIRECTS that stay on the service's
// origin are followed. The network policy still checks every connection.
export const MAX_REDIRECTS = 5;
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export type RedirectStep =
  | { type: 'follow'; url: URL; method: string; dropBody: boolean }
  | { type: 'crossOrigin'; location: string }
  | { type: 'invalid' };

/** Where a redirect leads and with which method (303, and 301/302 after POST, become GET as browsers do). */
export function nextRedirect(current: URL, method: string, status: number, location: string | undefined, origin: string): RedirectStep {
  if (!location) return { type: 'invalid' };
  let target: URL;
  try {
    target = new URL(location, current);
  } catch {
    return { type: 'invalid' };
  }
  if (target.origin !== origin) return { type: 'crossOrigin', location: `${target.origin}${target.pathname}` };
  const toGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
  return { type: 'follow', url: target, method: toGet && method !== 'HEAD' ? 'GET' : method, dropBody: toGet };
}
