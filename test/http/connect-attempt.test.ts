// One connection attempt (connect-attempt.ts), on real loopback sockets: the
// callback is called once, whatever comes second is cleaned up, and a socket
// handed over is ended by its own error.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startConnectAttempt } from '../../src/http/connect-attempt.js';
import { startTcpServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.close();
  server = undefined;
});

async function socketToServer(): Promise<net.Socket> {
  server ??= await startTcpServer();
  const socket = net.connect(server.port, '127.0.0.1');
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

/** the callback's calls, and the failures told to onFailure */
function recorder() {
  const calls: Array<[Error | null, net.Socket | null]> = [];
  const failures: Error[] = [];
  const callback = (err: Error | null, sock: net.Socket | null) => calls.push([err, sock]);
  return { calls, failures, callback: callback as Parameters<typeof startConnectAttempt>[0], onFailure: (err: Error) => failures.push(err) };
}

describe('startConnectAttempt', () => {
  it('hands over the socket once; a second socket that arrives later is destroyed', async () => {
    const r = recorder();
    const attempt = startConnectAttempt(r.callback, { timeoutMs: 10_000, timeoutError: () => new Error('late'), onFailure: r.onFailure });
    const first = await socketToServer();
    const second = await socketToServer();
    attempt.finish(null, first);
    expect(attempt.settled).toBe(true);
    attempt.finish(null, second);
    expect(r.calls).toEqual([[null, first]]);
    expect(second.destroyed).toBe(true);
    expect(first.destroyed).toBe(false);
    expect(r.failures).toEqual([]);
  });

  it('fails with the timeout error when the timer fires first, tells onFailure, and destroys the socket that comes after', async () => {
    const r = recorder();
    const timeout = new Error('could not connect within 20 ms');
    const attempt = startConnectAttempt(r.callback, { timeoutMs: 20, timeoutError: () => timeout, onFailure: r.onFailure });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(r.calls).toEqual([[timeout, null]]);
    expect(r.failures).toEqual([timeout]);
    const late = await socketToServer();
    attempt.finish(null, late);
    expect(late.destroyed).toBe(true);
    expect(r.calls).toHaveLength(1);
  });

  it('an error settles it and stops the timer: the timeout error never follows', async () => {
    const r = recorder();
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const attempt = startConnectAttempt(r.callback, { timeoutMs: 20, timeoutError: () => new Error('timeout'), onFailure: r.onFailure });
    attempt.finish(refused);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(r.calls).toEqual([[refused, null]]);
    expect(r.failures).toEqual([refused]);
  });

  it('no error and no socket is a failure, not a socket of undefined', () => {
    const r = recorder();
    const attempt = startConnectAttempt(r.callback, { timeoutMs: 10_000, timeoutError: () => new Error('timeout'), onFailure: r.onFailure });
    attempt.finish(null, null);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]![0]!.message).toBe('the connection attempt ended without a socket');
    expect(r.calls[0]![1]).toBeNull();
  });

  it('a socket handed over is destroyed by its first error (a TLS alert after the handshake keeps its reason)', async () => {
    const r = recorder();
    const attempt = startConnectAttempt(r.callback, { timeoutMs: 10_000, timeoutError: () => new Error('timeout'), onFailure: r.onFailure });
    const socket = await socketToServer();
    attempt.finish(null, socket);
    // undici's own listener, registered after ours
    const seen: string[] = [];
    socket.on('error', () => seen.push(socket.destroyed ? 'destroyed' : 'open'));
    socket.emit('error', new Error('tlsv13 alert certificate required'));
    expect(seen).toEqual(['destroyed']);
  });
});
