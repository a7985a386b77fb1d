// The console's file endpoints (docs/console.md): GET /api/console (settings),
// GET /api/sources/{kind}/{name} (a script's text and its version) and
// POST /api/sources/{kind}/{name} (save). A save names the version it was
// based on; a file changed on disk since then is a 409, never overwritten.
// Only files the application lists as scripts can be read or written, by kind
// and name (the name pattern keeps paths inside the kind folder).
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ScriptEntry } from '../../app/application.js';
import type { ScriptKind } from '../../app/types.js';
import type { Runtime } from '../../runtime/runtime.js';
import { consoleCanEdit } from '../config.js';
import * as C from '../console/schemas.js';
import { runtimeOf, type ServerContext } from '../context.js';
import { errorBody } from '../errors.js';
import * as S from '../schemas.js';
import { ERROR_RESPONSES } from './invoke.js';

type SourceRequest = FastifyRequest<{ Params: { kind: ScriptKind; name: string }; Body: { source: string; version: string } }>;

const { 400: badRequest, 401: unauthorized, 500: internal, 503: unavailable } = ERROR_RESPONSES;
const errors = { 401: unauthorized!, 500: internal!, 503: unavailable! };
const notFound = { description: 'no script of that kind and name', schema: S.ErrorBody };

export const versionOf = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function entryOf(runtime: Runtime, kind: ScriptKind, name: string): ScriptEntry | undefined {
  return runtime.app.list(kind).find((e) => e.name === name);
}

function missing(reply: FastifyReply, kind: string, name: string) {
  return reply.code(404).send(errorBody('NotFound', `there is no ${kind} named '${name}' (GET /api/scripts lists them)`, 'SCRIPT_NOT_FOUND'));
}

/** The file's bytes, or undefined when it went away since it was listed. */
async function readBytes(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function registerConsoleSourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const edit = consoleCanEdit(ctx.config);

  ctx.routes.add(app, {
    method: 'GET',
    url: '/api/console',
    operationId: 'consoleSettings',
    summary: 'What the web console may do here: save files or not (server.console.edit)',
    tag: 'console',
    api: true,
    responses: { 200: { description: 'the settings', schema: C.ConsoleSettings }, ...errors },
    handler: async () => ({ edit, app: basename(runtimeOf(ctx).app.dir) }),
  });

  ctx.routes.add(app, {
    method: 'GET',
    url: '/api/sources/:kind/:name',
    operationId: 'readSource',
    summary: 'The text of a script file and its version (SHA-256), to edit and save it back',
    tag: 'console',
    api: true,
    params: C.sourceParams,
    responses: { 200: { description: 'the file', schema: C.ScriptSourceAnswer }, 400: badRequest!, 404: notFound, ...errors },
    handler: async (request: SourceRequest, reply) => {
      const runtime = runtimeOf(ctx);
      const { kind, name } = request.params;
      const entry = entryOf(runtime, kind, name);
      const bytes = entry && await readBytes(join(runtime.app.dir, entry.relativePath));
      if (!entry || !bytes) return missing(reply, kind, name);
      return { kind, name, path: entry.relativePath, language: entry.relativePath.endsWith('.ts') ? 'ts' : 'js', source: bytes.toString('utf8'), version: versionOf(bytes) };
    },
  });

  ctx.routes.add(app, {
    method: 'POST',
    url: '/api/sources/:kind/:name',
    operationId: 'saveSource',
    summary: 'Save a script file (server.console.edit): the running server uses the new text from the next invocation; refused with 409 when the file changed since the version given',
    tag: 'console',
    api: true,
    params: C.sourceParams,
    body: C.SaveRequest,
    responses: {
      200: { description: 'saved', schema: C.SaveAnswer },
      400: badRequest!,
      403: { description: 'saving is off (EDIT_DISABLED: server.console.edit)', schema: S.ErrorBody },
      404: notFound,
      409: { description: 'the file changed on disk since the given version (SOURCE_CHANGED): reload it, or copy your text first', schema: S.ErrorBody },
      413: ERROR_RESPONSES[413]!,
      415: ERROR_RESPONSES[415]!,
      ...errors,
    },
    handler: async (request: SourceRequest, reply) => {
      const runtime = runtimeOf(ctx);
      if (!edit) {
        return reply.code(403).send(errorBody('Forbidden', 'saving files from the console is off on this server: set server.console.edit: true in scriptcode.yaml (it is on by default only on a loopback address)', 'EDIT_DISABLED'));
      }
      const { kind, name } = request.params;
      const entry = entryOf(runtime, kind, name);
      const path = entry && join(runtime.app.dir, entry.relativePath);
      const bytes = path && await readBytes(path);
      if (!entry || !path || !bytes) return missing(reply, kind, name);
      if (versionOf(bytes) !== request.body.version) {
        return reply.code(409).send(errorBody('Conflict', `${entry.relativePath} changed on disk since you opened it: reload it to see the change (copy your text first), then save again`, 'SOURCE_CHANGED'));
      }
      await writeFile(path, request.body.source, 'utf8');
      // at once, without waiting for the file watcher (or cache.ttlMs where there is none)
      runtime.invalidateCache();
      request.log.info({ kind, name, path: entry.relativePath }, 'script saved from the console');
      return { path: entry.relativePath, version: versionOf(request.body.source) };
    },
  });
}
