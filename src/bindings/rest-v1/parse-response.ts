// The response as scripts see it (SPEC §4.2): body parsed by content type.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { HttpResponse } from '../../http/index.js';
import { jsonTextTooDeep, MAX_NESTING_DEPTH } from '../../sandbox/limits.js';

export interface ScriptResponse {
  status: { code: number; message: string };
  headers: Record<string, string>;
  body: unknown;
  bodyEncoding?: 'base64';
}

export class BodyParseError extends Error {}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });

function mediaType(contentType: string | undefined): { type: string; charset: string } {
  const text = contentType ?? '';
  // the common case, `application/json` with no parameters
  if (!text.includes(';')) return { type: text.trim().toLowerCase(), charset: 'utf-8' };
  const [type, ...params] = text.split(';');
  const charset = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('charset='))?.slice(8).replace(/"/g, '') ?? 'utf-8';
  return { type: type.trim().toLowerCase(), charset };
}

// A TextDecoder keeps no state between decode() calls without { stream: true },
// so one per charset label serves every response. Labels come from partners:
// the cache is bounded.
const decoders = new Map<string, TextDecoder>([['utf-8', new TextDecoder('utf-8')]]);
const MAX_DECODERS = 32;

function decoderFor(charset: string): TextDecoder {
  let decoder = decoders.get(charset);
  if (!decoder) {
    try {
      decoder = new TextDecoder(charset);
    } catch {
      return decoders.get('utf-8')!;
    }
    if (decoders.size < MAX_DECODERS) decoders.set(charset, decoder);
  }
  return decoder;
}

function decodeText(body: Buffer, charset: string): string {
  return decoderFor(charset).decode(body);
}

export function isXmlType(type: string): boolean {
  return type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml');
}

export function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** Parses by content type; `strict` (2xx) turns a body that does not parse into BodyParseError. */
export function parseBody(response: HttpResponse): { body: unknown; bodyEncoding?: 'base64' } {
  if (response.body.length === 0) return { body: null };
  const { type, charset } = mediaType(response.headers['content-type']);
  if (isJsonType(type)) {
    const text = decodeText(response.body, charset);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new BodyParseError(`the body is not valid JSON (${(err as Error).message})`);
    }
    // what reaches the sandbox nests at most as deep as what leaves it
    if (text.length > 2 * MAX_NESTING_DEPTH && jsonTextTooDeep(text, MAX_NESTING_DEPTH)) {
      throw new BodyParseError(`the body is nested more than ${MAX_NESTING_DEPTH} levels deep, more than a script may receive`);
    }
    return { body };
  }
  if (isXmlType(type)) {
    const text = decodeText(response.body, charset);
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw new BodyParseError(`the body is not valid XML (${valid.err.msg}, line ${valid.err.line})`);
    return { body: xml.parse(text) };
  }
  if (type.startsWith('text/')) return { body: decodeText(response.body, charset) };
  return { body: response.body.toString('base64'), bodyEncoding: 'base64' };
}

/** The raw text of an error response, for RestResponseError.body. */
export function rawText(response: HttpResponse): string {
  return decodeText(response.body, mediaType(response.headers['content-type']).charset);
}
