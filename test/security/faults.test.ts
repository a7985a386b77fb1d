// Issue 7 §4: upstreams that misbehave at the TCP/HTTP level. Each ends in a
// documented error within its timeout, and no socket is left open.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startTcpServer, type TestServer } from '../helpers/servers.js';

const READ_TIMEOUT = 300;

// What each fault server does with every connection.
const faults: Record<string, { serve: (socket: Socket) => void; expect: { name: string; code: string[] } }> = {
  // (reads the request, so that it notices when the client closes the connection)
  neverAnswers: { serve: (s) => s.resume(), expect: { name: 'RestTimeoutError', code: ['READ_TIMEOUT'] } },
  headersThenStall: {
    serve: (s) => s.once('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":')),
    expect: { name: 'RestTimeoutError', code: ['READ_TIMEOUT'] },
  },
  resetMidBody: {
    serve: (s) => s.once('data', () => { s.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":'); setTimeout(() => s.resetAndDestroy(), 20); }),
    expect: { name: 'RestConnectionError', code: ['CONNECTION_RESET'] },
  },
  invalidChunking: {
    serve: (s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nZZZ\r\n{"a":1}\r\n0\r\n\r\n')),
    expect: { name: 'RestProtocolError', code: ['PROTOCOL_ERROR'] },
  },
  contentLengthTooLong: {
    serve: (s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":1}')),
    // the peer closes before the promised length: reported as a cut connection
    expect: { name: 'RestConnectionError', code: ['CONNECTION_RESET'] },
  },
  contentLengthTooShort: {
    serve: (s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4\r\n\r\n{"a":1} trailing garbage')),
    expect: { name: 'RestProtocolError', code: ['INVALID_BODY'] },
  },
  slowDrip: {
    serve: (s) => s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
      const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write('1\r\nx\r\n')), 30);
      s.on('close', () => clearInterval(timer));
    }),
    expect: { name: 'RestTimeoutError', code: ['READ_TIMEOUT'] },
  },
  garbage: {
    serve: (s) => s.once('data', () => s.end('this is not HTTP at all\r\n\r\n')),
    expect: { name: 'RestProtocolError', code: ['PROTOCOL_ERROR'] },
  },
  closesAtOnce: {
    serve: (s) => s.once('data', () => s.destroy()),
    expect: { name: 'RestConnectionError', code: ['CONNECTION_RESET', 'SOCKET_ERROR'] },
  },
  hugeHeaders: {
    serve: (s) => s.once('data', () => s.end(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(200_000)}\r\ncontent-length: 2\r\n\r\n{}`)),
    expect: { name: 'RestProtocolError', code: ['PROTOCOL_ERROR'] },
  },
};

const servers: Record<string, TestServer> = {};
const open = new Set<Socket>();
/** every socket each fault server accepted, in order */
const accepted: Record<string, Socket[]> = {};
let t: TestRuntime;
let baselineSockets = 0;

const tcpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

beforeAll(async () => {
  baselineSockets = tcpSockets();
  for (const [name, fault] of Object.entries(faults)) {
    accepted[name] = [];
    servers[name] = await startTcpServer((socket) => {
      accepted[name].push(socket);
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
      fault.serve(socket);
    });
  }
  const services = Object.entries(servers)
    .map(([name, s]) => `  ${name}: { url: 'http://127.0.0.1:${s.port}', allowInsecureHttp: true, network: { allowPrivate: true }, timeouts: { connectTimeout: 1000, readTimeout: ${READ_TIMEOUT} } }`)
    .join('\n');
  t = await startRuntime({
    'scriptcode.yaml': `services:\n${services}\n`,
    'scripts/call.js': `function callService(context) {
      try { var r = api.rest.v1.get(context.getFirstParameter('service')); return [{ body: r.body }]; }
      catch (e) { return [{ name: e.name, code: e.code, message: e.message }]; }
    }`,
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await Promise.all(Object.values(servers).map((s) => s.close()));
});


describe('upstream faults', () => {
  it.each(Object.keys(faults))('%s: a documented error within its timeout, and the socket is closed', async (name) => {
    const started = Date.now();
    const r = await t.runtime.runScript('call', { input: { service: name } });
    const elapsed = Date.now() - started;
    const out = r.output[0] as { name: string; code: string; message: string };
    expect(out.name, JSON.stringify(out)).toBe(faults[name].expect.name);
    expect(faults[name].expect.code).toContain(out.code);
    expect(out.message).toMatch(/service/);
    expect(elapsed).toBeLessThan(READ_TIMEOUT + 1500);
    // The failed connection is closed. undici may open one fresh idle
    // keep-alive connection to the same origin right after an aborted request
    // (it is reused by the next call and closed with the runtime): at most one.
    expect(accepted[name].length).toBeGreaterThanOrEqual(1);
    const failed = accepted[name][0];
    await expect.poll(() => failed.destroyed || failed.closed, { timeout: 2_000, interval: 20 }).toBe(true);
    await expect.poll(() => accepted[name].filter((s) => open.has(s)).length <= 1, { timeout: 2_000, interval: 20 }).toBe(true);
  });

  it('no socket is left open once the runtime and the servers are closed', async () => {
    await t.close();
    await Promise.all(Object.values(servers).map((s) => s.close()));
    await expect.poll(() => tcpSockets() <= baselineSockets, { timeout: 2_000, interval: 20 }).toBe(true);
  });
});
