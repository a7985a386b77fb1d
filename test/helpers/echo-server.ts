// An HTTP server that answers with what it received, parsed as the server saw
// it: method, path, query (repeated names kept), headers, raw body, and the
// fields of a urlencoded or multipart body (parsed by undici's real parser).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Request } from 'undici';
import { startHttpServer, type TestServer } from './servers.js';

export interface Received {
  method: string;
  path: string;
  rawUrl: string;
  query: Record<string, string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  form?: Record<string, unknown[]>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseForm(req: IncomingMessage, body: Buffer): Promise<Record<string, unknown[]> | undefined> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('multipart/form-data') && !type.startsWith('application/x-www-form-urlencoded')) return undefined;
  const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': type }, body }).formData();
  const out: Record<string, unknown[]> = {};
  for (const [name, value] of form.entries()) {
    const item = typeof value === 'string' ? value : { filename: value.name, type: value.type, text: Buffer.from(await value.arrayBuffer()).toString('utf8') };
    (out[name] ??= []).push(item);
  }
  return out;
}

export async function received(req: IncomingMessage): Promise<Received> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://x');
  const query: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
  return { method: req.method ?? '', path: url.pathname, rawUrl: req.url ?? '', query, headers: req.headers, body: body.toString('utf8'), form: await parseForm(req, body) };
}

export type Route = (req: IncomingMessage, res: ServerResponse, got: Received) => void | Promise<void>;

/** Records every request; routes by path prefix, default: echo as JSON. */
export async function startEchoServer(routes: Record<string, Route> = {}): Promise<TestServer & { requests: Received[] }> {
  const requests: Received[] = [];
  const server = await startHttpServer(async (req, res) => {
    const got = await received(req);
    requests.push(got);
    const route = Object.entries(routes).find(([prefix]) => got.path.startsWith(prefix));
    if (route) return route[1](req, res, got);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(got));
  });
  return Object.assign(server, { requests });
}
