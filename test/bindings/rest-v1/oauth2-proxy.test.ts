// OAuth2 token requests of a service with a proxy go through that proxy, as
// the service's own calls do (a corporate network lets nothing out directly):
// an https:// token endpoint through a CONNECT tunnel (TLS end to end, the
// service's tls.ca), an http:// one as a forward-proxy request with the
// proxy's credentials. A real proxy (the `proxy` package) that dials from
// 127.0.0.2, so a server that sees that peer was reached through it.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createProxy } from 'proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { createTestCertificates, type TestCertificates } from '../../helpers/certs.js';
import { listen, startHttpServer, startHttpsServer, type TestServer } from '../../helpers/servers.js';

const PROXY_SOURCE = '127.0.0.2';
const SECRET = 'proxy-client-secret-Qw3-never-shown';
const PROXY_CREDENTIALS = 'corp:proxy-pass-Zr9';

let certs: TestCertificates;
let proxy: TestServer;
const connects: string[] = [];
const forwards: string[] = [];
const servers: TestServer[] = [];
/** peer address of each request the identity providers and APIs received */
const peers: Record<string, string[]> = { idpTls: [], idpPlain: [], api: [] };
let t: TestRuntime;

function identityProvider(name: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    peers[name]!.push(req.socket.remoteAddress ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: `tok-${name}-ok`, token_type: 'Bearer', expires_in: 300 }));
  };
}

beforeAll(async () => {
  certs = await createTestCertificates();
  const server = createProxy(http.createServer());
  server.localAddress = PROXY_SOURCE;
  server.authenticate = (req) => req.headers['proxy-authorization'] === `Basic ${Buffer.from(PROXY_CREDENTIALS).toString('base64')}`;
  server.prependListener('connect', (req: IncomingMessage) => connects.push(req.url ?? ''));
  server.prependListener('request', (req: IncomingMessage) => forwards.push(req.url ?? ''));
  proxy = await listen(server, 'http');
  const idpTls = await startHttpsServer(identityProvider('idpTls'), { cert: certs.serverCert, key: certs.serverKey });
  const idpPlain = await startHttpServer(identityProvider('idpPlain'));
  const api = await startHttpsServer((req, res) => {
    peers.api!.push(req.socket.remoteAddress ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ auth: String(req.headers.authorization).startsWith('Bearer tok-') }));
  }, { cert: certs.serverCert, key: certs.serverKey });
  servers.push(idpTls, idpPlain, api);
  const proxyUrl = `http://${PROXY_CREDENTIALS}@127.0.0.1:${proxy.port}`;
  process.env.SC_PROXY_OAUTH_SECRET = SECRET;
  t = await startRuntime({
    'scriptcode.yaml': `serviceDefaults:
  network: { allowPrivate: true }
  tls: { ca: '\${file:${certs.dir}/ca.crt}' }
  proxy: '${proxyUrl}'
services:
  tunnelled:
    url: ${api.url}/api
    auth: { type: oauth2, tokenUrl: '${idpTls.url}/token', clientId: forms-runtime, clientSecret: '\${env:SC_PROXY_OAUTH_SECRET}' }
  forwarded:
    url: ${api.url}/api
    allowInsecureHttp: true
    auth: { type: oauth2, tokenUrl: '${idpPlain.url}/token', clientId: forms-runtime, clientSecret: '\${env:SC_PROXY_OAUTH_SECRET}' }
`,
    'scripts/call.js': "function callService(context) { return [api.rest.v1.get(context.getFirstParameter('service')).body]; }",
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  for (const s of servers) await s.close();
  await proxy?.close();
  await certs?.cleanup();
  delete process.env.SC_PROXY_OAUTH_SECRET;
});

describe('OAuth2 token requests through the service proxy', () => {
  it('an https:// token endpoint: CONNECT through the proxy, then the call with the token, both from the proxy', async () => {
    const answer = await t.runtime.runScript('call', { input: { service: 'tunnelled' } });
    expect(answer.output).toEqual([{ auth: true }]);
    const idpPort = servers[0]!.port;
    expect(connects).toContain(`127.0.0.1:${idpPort}`);
    expect(peers.idpTls).toEqual([PROXY_SOURCE]);
    expect(peers.api!.every((peer) => peer === PROXY_SOURCE)).toBe(true);
  });

  it('an http:// token endpoint: a forward-proxy request (absolute URL) with the proxy credentials', async () => {
    const answer = await t.runtime.runScript('call', { input: { service: 'forwarded' } });
    expect(answer.output).toEqual([{ auth: true }]);
    expect(forwards).toEqual([`${servers[1]!.url}/token`]);
    expect(peers.idpPlain).toEqual([PROXY_SOURCE]);
  });
});
