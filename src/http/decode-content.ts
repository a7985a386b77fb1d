// Compressed responses (gzip, deflate, br) are decoded before anything reads
// them, with the service's response-size cap applied to the decoded size too,
// so a small compressed body cannot inflate into gigabytes.
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { httpCallError } from './errors.js';
import type { HttpResponse } from './service-client.js';

export const ACCEPT_ENCODING = 'gzip, deflate, br';

export function decodeContent(response: HttpResponse, serviceId: string, url: URL, maxBytes: number): HttpResponse {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (!encoding || encoding === 'identity' || response.body.length === 0) return response;
  const options = { maxOutputLength: maxBytes };
  let body: Buffer;
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') body = gunzipSync(response.body, options);
    else if (encoding === 'deflate') body = inflateSync(response.body, options);
    else if (encoding === 'br') body = brotliDecompressSync(response.body, options);
    else return response;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw httpCallError('RESPONSE_TOO_LARGE', { serviceId, url, maxResponseBytes: maxBytes });
    }
    throw httpCallError('PROTOCOL_ERROR', { serviceId, url }, { detail: `the ${encoding} body cannot be decoded` });
  }
  const headers = { ...response.headers };
  delete headers['content-encoding'];
  delete headers['content-length'];
  return { ...response, headers, body };
}
