// `scriptcode serve` as a real process: SIGTERM while invocations are in
// flight lets them finish with 200, refuses new work, and exits 0.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { metric, spawnServe, type ServeProcess } from './helpers.js';

let app: TestApp | undefined;
let serve: ServeProcess | undefined;
afterEach(async () => {
  await serve?.kill();
  await app?.remove();
  serve = undefined;
  app = undefined;
});

const SLOW = 'function callService(context) { var end = Date.now() + 400; while (Date.now() < end) {} return [{ n: context.getFirstParameter("n") }]; }';


describe('graceful shutdown', () => {
  it('SIGTERM finishes the in-flight invocations, refuses new ones and exits 0', async () => {
    app = await makeApp({ 'scripts/slow.js': SLOW, 'scripts/quick.js': 'function callService() { return [{ ok: true }]; }' });
    serve = await spawnServe(['--app', app.dir, '--log-level', 'info']);
    const { url } = serve;
    await vi.waitUntil(() => fetch(`${url}/health/ready`).then((r) => r.status === 200, () => false), { timeout: 10_000, interval: 10 });

    const post = (name: string, n: number) =>
      fetch(`${url}/api/scripts/${name}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { n } }) });
    const inFlight = [1, 2, 3].map((n) => post('slow', n).then(async (r) => ({ status: r.status, body: await r.json() })));
    // all three are in flight before the signal
    await vi.waitUntil(
      () => fetch(`${url}/metrics`).then((r) => r.text()).then((text) => metric(text, 'scriptcode_invocations_in_flight') === 3),
      { timeout: 10_000, interval: 10 },
    );

    process.kill(serve.child.pid!, 'SIGTERM');
    await vi.waitUntil(() => serve!.stdout().includes('shutting down'), { timeout: 10_000, interval: 10 });
    // new work is refused: the listening socket is closed (or a 503 on a connection that was still open)
    const late = await post('quick', 9).then((r) => r.status, (e: Error) => (e.cause as { code?: string } | undefined)?.code ?? e.message);
    expect([503, 'ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(late);

    const answers = await Promise.all(inFlight);
    expect(answers).toEqual([1, 2, 3].map((n) => ({ status: 200, body: expect.objectContaining({ output: [{ n: String(n) }] }) })));
    expect(await serve.exited).toBe(0);

    const lines = serve.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'server stopped')).toMatchObject({ drained: true });
    expect(lines.filter((l) => l.msg === 'invocation finished' && l.script === 'slow')).toHaveLength(3);
  });

  it('gives up after server.shutdownTimeoutMs: closes the connections and ends the process', async () => {
    app = await makeApp({
      'scriptcode.yaml': 'server:\n  shutdownTimeoutMs: 300\nlimits:\n  scriptService: { cpuMs: 10000, wallMs: 20000 }\n',
      'scripts/endless.js': 'function callService() { var end = Date.now() + 5000; while (Date.now() < end) {} return []; }',
    });
    serve = await spawnServe(['--app', app.dir, '--log-level', 'info']);
    const { url } = serve;
    const request = fetch(`${url}/api/scripts/endless/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
      (r) => r.status,
      () => 'cut',
    );
    await vi.waitUntil(
      () => fetch(`${url}/metrics`).then((r) => r.text()).then((text) => metric(text, 'scriptcode_invocations_in_flight') === 1),
      { timeout: 10_000, interval: 10 },
    );
    const started = Date.now();
    process.kill(serve.child.pid!, 'SIGTERM');
    // the invocation still runs (5 s): the process cannot exit normally and is killed
    expect(await serve.exited).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await request).toBe('cut');
    expect(serve.stdout()).toContain('shutdown timeout: closing the connections still open');
    expect(serve.stdout()).toContain('invocations still running after the shutdown timeout; killing the process');
  });
});
