// Test certificates made with the `openssl` command line, once per process.
//
//   caCert            a test CA ("ScriptCode Test CA")
//   serverCert/Key    signed by the CA, valid for DNS:localhost, IP:127.0.0.1, IP:::1
//   clientCert/Key    signed by the CA, for mutual TLS (extendedKeyUsage clientAuth)
//   clientPfxBase64   the client cert + key (+ CA) as PKCS#12, base64, encrypted
//                     with TEST_PFX_PASSPHRASE ('scriptcode-test')
//   otherCaCert       an unrelated CA that signed nothing we use: trusting it must not help
//
// All PEM values are strings, ready for ServiceConfig.tls and https.createServer.
// Keys are EC P-256 (fast to make) and unencrypted. Files live in `dir` until
// cleanup(); the strings stay usable after it. The result is cached per
// process; cleanup() drops the cache, so the next call makes new ones.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The password of `clientPfxBase64` (use it as ServiceConfig.tls.passphrase). */
export const TEST_PFX_PASSPHRASE = 'scriptcode-test';

export interface TestCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  clientPfxBase64: string;
  clientPfxPassphrase: string;
  otherCaCert: string;
  /** the temp folder holding the files (ca.crt, server.crt, server.key, client.crt, client.key, client.p12, other-ca.crt) */
  dir: string;
  cleanup(): Promise<void>;
}

let cached: Promise<TestCertificates> | undefined;

export function createTestCertificates(): Promise<TestCertificates> {
  cached ??= generate().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || String(err)}`);
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string, cn: string): Promise<void> {
  await openssl(dir, [
    'req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '30',
    '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

async function makeLeaf(dir: string, name: string, cn: string, extensions: string): Promise<void> {
  await openssl(dir, ['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '30', '-sha256', '-extfile', `${name}.ext`,
  ]);
}

async function generate(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'scriptcode-certs-'));
  // If a test forgets cleanup(), do not leave keys behind.
  const onExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', onExit);
  try {
    await makeCa(dir, 'ca', 'ScriptCode Test CA');
    await makeCa(dir, 'other-ca', 'Unrelated Test CA');
    await makeLeaf(dir, 'server', 'localhost', [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      '',
    ].join('\n'));
    await makeLeaf(dir, 'client', 'scriptcode-test-client', [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=clientAuth',
      '',
    ].join('\n'));
    await openssl(dir, [
      'pkcs12', '-export', '-in', 'client.crt', '-inkey', 'client.key', '-certfile', 'ca.crt',
      '-out', 'client.p12', '-passout', `pass:${TEST_PFX_PASSPHRASE}`,
    ]);
  } catch (err) {
    onExit();
    process.removeListener('exit', onExit);
    throw err;
  }

  const text = (file: string) => readFile(join(dir, file), 'utf8');
  return {
    caCert: await text('ca.crt'),
    serverCert: await text('server.crt'),
    serverKey: await text('server.key'),
    clientCert: await text('client.crt'),
    clientKey: await text('client.key'),
    clientPfxBase64: (await readFile(join(dir, 'client.p12'))).toString('base64'),
    clientPfxPassphrase: TEST_PFX_PASSPHRASE,
    otherCaCert: await text('other-ca.crt'),
    dir,
    async cleanup() {
      cached = undefined;
      process.removeListener('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
