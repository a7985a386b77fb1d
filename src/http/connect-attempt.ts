// One connection attempt as undici's `connect` callback sees it: settled once,
// by the socket, an error or the connect timer, whichever comes first; a socket
// that arrives after that is destroyed, not leaked. The direct connector
// (connector.ts) and the proxied one (proxy.ts) each start one per connection.
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

export interface ConnectAttempt {
  /** the callback has been called: later results only have their socket destroyed */
  readonly settled: boolean;
  finish(err: Error | null, sock?: Socket | null): void;
}

export interface ConnectAttemptOptions {
  /** ms for the whole attempt (DNS, TCP, proxy, TLS) */
  timeoutMs: number;
  /** the error the attempt fails with when the timer fires */
  timeoutError(): Error;
  /** told of a failure before undici is: ends what the attempt has started (a socket, a CONNECT) */
  onFailure(err: Error): void;
}

export function startConnectAttempt(callback: buildConnector.Callback, options: ConnectAttemptOptions): ConnectAttempt {
  let settled = false;
  const finish = (err: Error | null, sock?: Socket | null) => {
    if (settled) {
      sock?.destroy();
      return;
    }
    settled = true;
    clearTimeout(timer);
    if (err || !sock) {
      const failure = err ?? new Error('the connection attempt ended without a socket');
      options.onFailure(failure);
      callback(failure, null);
      return;
    }
    // A fatal TLS alert after the handshake (TLS 1.3: a server refusing our
    // client certificate) is emitted as an error but leaves the socket open;
    // the peer's close would then reach undici as "other side closed" and
    // replace the TLS reason. Ending the socket at once keeps the reason.
    // (Registered before undici's listeners, so it runs first.)
    sock.on('error', () => sock.destroy());
    callback(null, sock);
  };
  const timer = setTimeout(() => finish(options.timeoutError()), options.timeoutMs);
  return {
    get settled() {
      return settled;
    },
    finish,
  };
}
