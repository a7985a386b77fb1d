// `npm start`: the ScriptCode server on the demo application (examples/demo)
// next to the demo partner service (examples/partner), both on loopback, so it
// works without internet. Prints what to try, runs those requests itself as a
// smoke check and prints the answers. Then:
//   * interactive terminal, `--serve` or SCRIPTCODE_DEMO_SERVE=1: keeps serving until Ctrl-C;
//   * otherwise (CI): stops both and exits — 0 when every check passed, 1 if not.
// Options: --serve, --no-serve, --port N (server; default 8080 when serving,
// any free port otherwise). Server log (JSON lines): scriptcode-demo.log in the OS temp folder.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPartner } from '../examples/partner/server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const serve = flag('--no-serve') ? false : flag('--serve') || process.env.SCRIPTCODE_DEMO_SERVE === '1' || Boolean(process.stdin.isTTY && process.stdout.isTTY);
const port = option('--port') ?? process.env.PORT ?? (serve ? '8080' : '0');
const out = (text = '') => process.stdout.write(`${text}\n`);

if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('npm start: dist/ is missing; run `npm run build` first (npm ci does it).\n');
  process.exit(1);
}

let partner;
try {
  partner = await startPartner();
} catch (err) {
  process.stderr.write(`npm start: cannot start the demo partner on 127.0.0.1:8091 (${err.code ?? err.message}); is another demo running?\n`);
  process.exit(1);
}

const logFile = join(tmpdir(), 'scriptcode-demo.log');
const log = createWriteStream(logFile);
const server = spawn(process.execPath, ['--no-node-snapshot', join(root, 'bin', 'scriptcode.js'), 'serve', '--app', join(root, 'examples', 'demo'), '--port', port], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
});
server.stdout.pipe(log);
let stderr = '';
const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

async function stop(code) {
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
  const serverCode = await exited;
  await partner.close();
  log.end();
  process.exit(code || (serverCode === 0 ? 0 : 1));
}

const url = await new Promise((resolve) => {
  server.stderr.on('data', (chunk) => {
    stderr += chunk.toString();
    const match = /listening on (http:\/\/\S+)/.exec(stderr);
    if (match) resolve(match[1]);
  });
  exited.then(() => resolve(undefined));
});
if (!url) {
  process.stderr.write(`npm start: the server did not start:\n${stderr}`);
  await stop(1);
}

const examples = [
  { title: 'a script that calls the partner service (REST, API key)', path: '/api/scripts/customer/run', body: { input: { pesel: '44051401458' }, trace: true }, check: (s, b) => s === 200 && b.output?.[0]?.customerId === 'C-1001' },
  { title: 'a plain script', path: '/api/scripts/greeting/run', body: { input: { name: 'Ada' } }, check: (s, b) => s === 200 && b.output?.[0]?.greeting === 'Hello, Ada!' },
  { title: 'a validator', path: '/api/validators/pesel/validate', body: { input: { pesel: '44051401459' } }, check: (s, b) => s === 200 && b.valid === false },
  { title: 'a task', path: '/api/tasks/openCase/execute', body: { variables: { amount: 5000 }, processInstanceId: 'p-1' }, check: (s, b) => s === 200 && b.outcome === 'complete' },
  { title: 'a formatter', path: '/api/formatters/iban/format', body: { textToFormat: 'pl61109010140000071219812874', locale: 'pl-PL', cursorPosition: 4 }, check: (s, b) => s === 200 && typeof b.formattedText === 'string' },
  { title: 'a task that calls the partner with OAuth2', path: '/api/tasks/openPartnerCase/execute', body: { variables: { customerId: 'C-1001', amount: 5000 } }, check: (s, b) => s === 200 && b.outcome !== 'failure' },
];
const curl = (e) => `curl -s -X POST ${url}${e.path} -H 'content-type: application/json' -d '${JSON.stringify(e.body)}'`;

out();
out(`ScriptCode demo: server ${url} (application examples/demo), partner service ${partner.url}`);
out(`web console: ${url}/console  (open it in a browser: edit, run, trace, services, tests)`);
out(`server log (JSON lines): ${logFile}`);
out();
out('Try:');
for (const e of examples) {
  out(`  # ${e.title}`);
  out(`  ${curl(e)}`);
}
out(`  # what is loaded, the services (no secrets), metrics, the API description`);
out(`  curl -s ${url}/api/scripts; curl -s ${url}/api/services; curl -s ${url}/metrics; curl -s ${url}/openapi.json`);
out();
out('Running them now:');
let failed = 0;
for (const e of examples) {
  const response = await fetch(`${url}${e.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(e.body) });
  const body = await response.json();
  const ok = e.check(response.status, body);
  if (!ok && !e.optional) failed++;
  out(`  ${ok ? 'ok  ' : e.optional ? 'note' : 'FAIL'} ${response.status} POST ${e.path}`);
  out(`       ${JSON.stringify(body)}`);
  if (!ok && e.optional) out('       (OAuth2: see the outcome above; the partner counted ' + partner.stats.tokens + ' token request(s))');
}
const services = await (await fetch(`${url}/api/services`)).json();
const describe = (s) => [s.auth, s.circuit && `circuit ${s.circuit.state}`, s.token && (s.token.cached ? `token cached, expires in ${Math.round(s.token.expiresInMs / 1000)} s` : 'no token cached')].filter(Boolean).join(', ');
out(`  ok   GET /api/services → ${services.services.map((s) => `${s.id} (${describe(s)})`).join('; ')}`);
const page = await fetch(`${url}/console`);
const consoleOk = page.status === 200 && /script-src 'self'/.test(page.headers.get('content-security-policy') ?? '');
if (!consoleOk) failed++;
out(`  ${consoleOk ? 'ok  ' : 'FAIL'} ${page.status} GET /console → the web console${consoleOk ? `: ${url}/console` : ` (${(await page.text()).slice(0, 200)})`}`);
out();

if (failed > 0) {
  out(`${failed} demo request(s) failed; the server log is ${logFile}`);
  await stop(1);
}
if (!serve) {
  out('Smoke check passed. Not serving on (no terminal): run `npm start -- --serve` to keep the demo running.');
  await stop(0);
}
out('Serving; Ctrl-C stops the server and the partner.');
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(0));
await exited;
await stop(0);
