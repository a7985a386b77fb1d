// GET /console: the web console's page and its assets (built by
// scripts/build.mjs into dist/console/, shipped in the package). The page
// itself needs no token — it holds nothing but code; it asks the user for one
// when /api/* answers 401 and sends it as a header (docs/console.md).
// Every answer here carries a strict Content-Security-Policy.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../errors.js';

/** dist/console/ of the package: the same folder from src/server/console/ (tests) and dist/server/console/ (installed). */
export const CONSOLE_ASSETS = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

/**
 * Only what the console needs, all from this origin:
 * - script-src 'self': the bundle; no inline script, no eval.
 * - style-src 'self' 'unsafe-inline': Monaco positions and themes its DOM with
 *   style attributes and <style> elements it creates at run time; without
 *   'unsafe-inline' the editor does not render. Styles cannot run code.
 * - worker-src 'self': Monaco's editor worker and its TypeScript worker, files of the bundle.
 * - font-src 'self': Monaco's icon font (codicon.ttf).
 * - connect-src 'self': /api/* only.
 * - img-src 'self' data:: the page's icon, and the wavy underlines of problem markers, which
 *   Monaco's theme draws as data: SVG images it generates at run time (images cannot run code).
 * Nothing else: no objects, no frames (frame-ancestors 'none' against
 * clickjacking), no <base>, no form posts.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function registerConsolePage(app: FastifyInstance): void {
  app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply) => {
      reply.headers(SECURITY_HEADERS);
    });
    let page: string | undefined;
    const index = async (_request: unknown, reply: import('fastify').FastifyReply) => {
      page ??= await readFile(join(CONSOLE_ASSETS, 'index.html'), 'utf8').catch(() => undefined);
      if (page === undefined) {
        return reply.code(404).send(errorBody('NotFound', 'the console is not built: run `npm run build` in the scriptcode package (dist/console/ is missing)', 'CONSOLE_NOT_BUILT'));
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
    };
    scope.get('/console', index);
    scope.get('/console/', index);
    await scope.register(fastifyStatic, {
      root: join(CONSOLE_ASSETS, 'assets'),
      prefix: '/console/assets/',
      decorateReply: false,
      index: false,
      // file names carry a content hash
      immutable: true,
      maxAge: '365d',
    });
  });
}
