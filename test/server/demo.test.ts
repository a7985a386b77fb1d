// The demo of `npm start`: examples/demo served over HTTP, calling the demo
// partner (examples/partner) with its API key. (The OAuth2 path of the demo
// is exercised by `npm start` itself.)
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error the partner is plain JavaScript without type declarations
import { startPartner } from '../../examples/partner/server.mjs';
import { createServer, type ScriptCodeServer } from '../../src/server/index.js';
import { createRuntimeLogger } from '../../src/logging/logger.js';
import { MemoryLog } from '../helpers/app.js';

const demo = fileURLToPath(new URL('../../examples/demo', import.meta.url));
type Partner = { url: string; stats: Record<string, number>; close(): Promise<void> };

let partner: Partner;
let server: ScriptCodeServer;
const log = new MemoryLog();

async function serveDemo(overrides: Record<string, unknown>): Promise<ScriptCodeServer> {
  const s = await createServer({
    app: demo,
    watch: false,
    config: { server: { port: 0 }, services: { partner: { url: `${partner.url}/api`, ...overrides } } } as never,
    logger: createRuntimeLogger({ level: 'info', destination: log }),
  });
  await s.listen();
  return s;
}

const post = (s: ScriptCodeServer, path: string, body: unknown) =>
  fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  partner = (await startPartner({ port: 0 })) as Partner;
  server = await serveDemo({});
});
afterAll(async () => {
  await server?.close();
  await partner?.close();
});

describe('the demo application', () => {
  it('runs the script that calls the partner service with its API key', async () => {
    const r = await post(server, '/api/scripts/customer/run', { input: { pesel: '44051401458' }, trace: true });
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body.output).toEqual([{ customerId: 'C-1001', name: 'Jan Kowalski', segment: 'gold' }]);
    expect(body.trace.calls[0]).toMatchObject({ serviceId: 'partner', method: 'GET', status: 200 });
    expect(body.logs[0].message).toBe('customer ***** found, segment gold');
    expect(partner.stats.customers).toBeGreaterThan(0);
    const unknown = await post(server, '/api/scripts/customer/run', { input: { pesel: '00000000000' } });
    expect((await unknown.json()).output).toEqual([]);
  });

  it('keeps the greeting, validator, task and formatter working', async () => {
    expect((await (await post(server, '/api/scripts/greeting/run', { input: { name: 'Ada' } })).json()).output).toEqual([{ greeting: 'Hello, Ada!', letters: 3 }]);
    expect(await (await post(server, '/api/validators/pesel/validate', { input: { pesel: '44051401458' } })).json()).toMatchObject({ valid: true, errors: [] });
    expect(await (await post(server, '/api/tasks/openCase/execute', { variables: { amount: 5000 }, processInstanceId: 'p-1' })).json()).toMatchObject({ outcome: 'complete', variables: { caseId: 'CASE-p-1' } });
    expect(await (await post(server, '/api/formatters/iban/format', { textToFormat: 'pl61109010140000071219812874', cursorPosition: 4 })).json()).toMatchObject({ formattedText: 'PL61 1090 1014 0000 0712 1981 2874' });
  });

  it('lists both partner services without their secrets', async () => {
    const text = await (await fetch(`${server.url}/api/services`)).text();
    const { services } = JSON.parse(text);
    expect(services.map((s: { id: string; auth: string }) => [s.id, s.auth])).toEqual([['partner', 'apiKey'], ['partnerCases', 'oauth2']]);
    expect(text).not.toContain('demo-partner-key');
    expect(text).not.toContain('demo-client-secret');
    expect(log.text).not.toContain('demo-partner-key');
  });

  it('a wrong API key is refused by the partner: the script fails with the 401 it got (422)', async () => {
    const wrong = await serveDemo({ auth: { type: 'apiKey', in: 'header', name: 'x-api-key', value: 'not-the-key' } });
    try {
      const r = await post(wrong, '/api/scripts/customer/run', { input: { pesel: '44051401458' } });
      expect(r.status).toBe(422);
      expect((await r.json()).error).toMatchObject({ name: 'RestResponseError', status: { code: 401 } });
    } finally {
      await wrong.close();
    }
  });
});
