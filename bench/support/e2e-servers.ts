// The servers under test in the end-to-end scenarios, each in a child process
// of its own (the load generator stays in the bench process): the ScriptCode
// server as `scriptcode serve` runs it, and the plain Fastify + undici route
// that does the same partner GET, which is the baseline.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { announce, startChild, type Child } from './child.js';

export type E2eSpec =
  /** `POST /<route>`: GET `<base>/api/customers/<input.id>`, or (null) answer without a call */
  | { kind: 'baseline'; routes: Record<string, string | null> }
  /** `POST /api/scripts/<name>/run` over an application of these scripts and scriptcode.yaml */
  | { kind: 'scriptcode'; yaml: string; scripts: Record<string, string> };

const self = fileURLToPath(import.meta.url);

export function startE2eServer(spec: E2eSpec): Promise<Child<{ url: string }>> {
  return startChild<{ url: string }>(self, ['--e2e-server', JSON.stringify(spec)]);
}

/** the URL that runs `name` on a server started from `spec` */
export function e2eUrl(server: Child<{ url: string }>, spec: E2eSpec, name: string): string {
  return spec.kind === 'baseline' ? `${server.info.url}/${name}` : `${server.info.url}/api/scripts/${name}/run`;
}

async function baseline(routes: Record<string, string | null>): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { Agent, request } = await import('undici');
  // as many connections as autocannon opens: the agent is not the limit
  const agent = new Agent({ keepAliveTimeout: 120_000, connections: 256 });
  const app = Fastify({ logger: false });
  const idOf = (body: unknown) => (body as { input: { id: string } }).input.id;
  for (const [name, base] of Object.entries(routes)) {
    app.post(`/${name}`, async (req) => {
      if (base === null) return { output: [{ id: idOf(req.body) }] };
      const r = await request(`${base}/api/customers/${encodeURIComponent(idOf(req.body))}`, { dispatcher: agent, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      const body = (await r.body.json()) as { name: string };
      return { output: [{ name: body.name }] };
    });
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  announce({ url }, async () => {
    await app.close();
    await agent.close();
  });
}

async function scriptcode(yaml: string, scripts: Record<string, string>): Promise<void> {
  const { createServer } = await import('../../src/server/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'scriptcode-bench-e2e-'));
  mkdirSync(join(dir, 'scripts'));
  for (const [name, source] of Object.entries(scripts)) writeFileSync(join(dir, 'scripts', `${name}.js`), source);
  writeFileSync(join(dir, 'scriptcode.yaml'), ['logging: { level: warn }', 'cache: { watch: false }', yaml, ''].join('\n'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const server = await createServer({ app: dir, logDestination: 2 });
  // listen() resolves once the runtime is loaded and warm
  const url = await server.listen();
  // a process that exits with live isolates can hang in isolated-vm's teardown: close first
  announce({ url }, async () => {
    await server.close({ timeoutMs: 5_000 });
  });
}

if (process.argv[1] === self && process.argv[2] === '--e2e-server') {
  const spec = JSON.parse(process.argv[3]) as E2eSpec;
  if (spec.kind === 'baseline') await baseline(spec.routes);
  else await scriptcode(spec.yaml, spec.scripts);
}
