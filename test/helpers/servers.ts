// Real servers on 127.0.0.1 (port 0 = any free port) for tests of the HTTP
// layer and above. Every server counts the TCP connections it accepted
// (`connections`) — tests use it to prove keep-alive reuse, and that a
// refused address saw no connection at all.
//
// close() destroys the sockets still open (keep-alive ones included), so a
// test ends at once; call it in afterEach/afterAll for everything you start.
//
//   const server = await startHttpServer((req, res) => res.end('ok'));
//   ... fetch `${server.url}/path` ...
//   await server.close();
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface TestServer {
  /** `http://127.0.0.1:PORT` / `https://127.0.0.1:PORT` (no trailing slash); `tcp://...` for raw servers */
  url: string;
  port: number;
  /** TCP connections accepted so far */
  readonly connections: number;
  /** the underlying server, for anything not covered here */
  server: net.Server;
  /** stops listening and destroys every open socket; safe to call twice */
  close(): Promise<void>;
}

export type Handler = http.RequestListener;

export interface HttpsServerOptions {
  cert: string;
  key: string;
  /** CA(s) the server trusts for client certificates */
  ca?: string | string[];
  /** require a client certificate signed by `ca` (mutual TLS); the handshake fails without one */
  requestClientCert?: boolean;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** e.g. 'TLSv1.2' to test a client that insists on TLSv1.3 */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/** Listens on 127.0.0.1:0 and tracks connections, for any server (a proxy, say) not made by the functions below. */
export async function listen(server: net.Server, scheme: string): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  server.on('connection', (socket: net.Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client that vanishes mid-test must not crash the test process.
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as net.AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** A plain HTTP/1.1 server. */
export function startHttpServer(handler: Handler): Promise<TestServer> {
  return listen(http.createServer(handler), 'http');
}

/** An HTTPS server with the given certificate (see certs.ts), optionally requiring client certificates. */
export function startHttpsServer(handler: Handler, options: HttpsServerOptions): Promise<TestServer> {
  const server = https.createServer(
    {
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      requestCert: options.requestClientCert ?? false,
      rejectUnauthorized: options.requestClientCert ?? false,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
    },
    handler,
  );
  // Failed handshakes are what several tests are about; they are not server errors.
  server.on('tlsClientError', () => {});
  return listen(server, 'https');
}

/**
 * A raw TCP server: `onSocket` gets every accepted socket and may do nothing
 * (a peer that never answers — e.g. a TLS handshake that never completes),
 * write garbage, or `resetAndDestroy()` it.
 */
export function startTcpServer(onSocket: (socket: net.Socket) => void = () => {}): Promise<TestServer> {
  return listen(net.createServer(onSocket), 'tcp');
}

/** A loopback port nobody listens on (bound, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
