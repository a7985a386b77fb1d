// The request body follows the Content-Type header (SPEC §4.1): JSON by
// default, form-urlencoded and multipart built from an object, a string sent
// as it is.
import { FormData, Response } from 'undici';
import { requestError } from './errors.js';

export interface EncodedBody {
  body?: Buffer;
  contentType?: string;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function isFilePart(v: unknown): v is { filename: string; contentType?: string; base64: string } {
  return typeof v === 'object' && v !== null && typeof (v as { base64?: unknown }).base64 === 'string' && typeof (v as { filename?: unknown }).filename === 'string';
}

function formValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v) => v !== null && v !== undefined).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
}

async function multipart(serviceId: string, body: Record<string, unknown>): Promise<EncodedBody> {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue;
      if (isFilePart(item)) {
        if (!/^[A-Za-z0-9+/=\s]*$/.test(item.base64)) {
          throw requestError(serviceId, `api.rest.v1: multipart part ${name}: base64 is not valid base64`);
        }
        form.append(name, new Blob([Buffer.from(item.base64, 'base64')], { type: item.contentType ?? 'application/octet-stream' }), item.filename);
      } else {
        form.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item));
      }
    }
  }
  const encoded = new Response(form);
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') ?? undefined };
}

export async function encodeBody(serviceId: string, body: unknown, hasBody: boolean, contentType: string | undefined): Promise<EncodedBody> {
  if (!hasBody) return {};
  const type = mediaType(contentType);
  if (typeof body === 'string') return { body: Buffer.from(body, 'utf8'), contentType: contentType ?? 'text/plain; charset=utf-8' };
  if (type === '' || isJsonType(type)) {
    return { body: Buffer.from(JSON.stringify(body), 'utf8'), contentType: contentType ?? 'application/json' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw requestError(serviceId, `api.rest.v1: a ${type} body must be an object of field → value`);
  }
  if (type === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(body)) for (const v of formValues(value)) params.append(name, v);
    return { body: Buffer.from(params.toString(), 'utf8'), contentType: contentType! };
  }
  if (type === 'multipart/form-data') return multipart(serviceId, body as Record<string, unknown>);
  throw requestError(serviceId, `api.rest.v1: the body is an object but Content-Type is ${type}; send a string for that type, or use application/json, application/x-www-form-urlencoded or multipart/form-data`);
}
