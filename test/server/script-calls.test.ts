// context.callService / context.validate through the HTTP API (SPEC §3.1,
// §6): nested rows, REST calls to a real partner counted in the caller's
// budget, the trace and logs of the called scripts, a failure as a 422 — on
// a server whose pool has one isolate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer as HttpServer } from '../helpers/servers.js';
import { startServer, type ServerUnderTest } from './helpers.js';

let partner: HttpServer;
let t: ServerUnderTest;
const paths: string[] = [];

beforeAll(async () => {
  partner = await startHttpServer((req, res) => {
    paths.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ name: 'Jan', segment: 'gold' }));
  });
  t = await startServer({
    'scriptcode.yaml': `services:\n  crm: { url: '${partner.url}', allowInsecureHttp: true, network: { allowPrivate: true } }\n`,
    'scripts/customer.js': `function callService(context) {
      var pesel = context.getFirstParameter('pesel');
      Logger.info('customer {}', pesel);
      var r = api.rest.v1.get('crm', { path: 'customers/{pesel}', pathParams: { pesel: pesel } });
      return [{ name: r.body.name, segment: r.body.segment }];
    }`,
    'validators/pesel.js': `function callService(context) {
      return context.getFirstParameter('pesel', '').length === 11 ? [] : [{ key: 'pesel.length' }];
    }`,
    'validators/pesel.yaml': 'messages:\n  pesel.length: PESEL must have 11 digits\n',
    'scripts/offer.js': `function callService(context) {
      var pesel = context.getFirstParameter('pesel');
      var errors = context.validate('pesel', { pesel: pesel });
      if (!errors.isEmpty()) return [{ offer: null, reason: errors.get(0).get('message') }];
      var customer = context.callService('customer', { pesel: pesel }).get(0);
      api.rest.v1.get('crm', { path: 'offers' });
      return [{ offer: customer.get('segment') + ' card for ' + customer.get('name') }];
    }`,
    'scripts/offerAsync.js': `async function callService(context) {
      var rows = await context.callService('customer', { pesel: context.getFirstParameter('pesel') });
      return [{ offer: rows.get(0).get('segment') }];
    }`,
    'scripts/tight.js': "function callService(context) { api.rest.v1.get('crm'); return context.callService('customer', { pesel: '1' }); }",
    'scripts/tight.yaml': 'limits: { restCalls: 1 }\n',
    'scripts/missing.js': "function callService(context) {\n  return context.callService('custommer', {});\n}",
  }, { config: { pool: { maxIsolates: 1, spareIsolates: 0 } } });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await partner?.close();
});

describe('context.callService over HTTP', () => {
  it('answers with the rows, the logs of the called script and its REST calls in the trace', async () => {
    const r = await t.post('/api/scripts/offer/run', { input: { pesel: '44051401458' }, trace: true });
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body.output).toEqual([{ offer: 'gold card for Jan' }]);
    expect(body.logs).toEqual([{ time: expect.any(String), level: 'info', message: 'customer *****', script: 'scripts/customer' }]);
    expect(body.trace.calls.map((c: any) => c.call ? `${c.call} ${c.target} ${c.outcome} restCalls=${c.restCalls}` : `${c.script ?? 'offer'}: ${c.method} ${c.url} ${c.status}`)).toEqual([
      'context.validate validators/pesel ok restCalls=0',
      'context.callService scripts/customer ok restCalls=1',
      `scripts/customer: GET ${partner.url}/customers/{pesel} 200`,
      `offer: GET ${partner.url}/offers 200`,
    ]);
    expect(paths.slice(-2)).toEqual(['/customers/44051401458', '/offers']);

    const invalid = await t.post('/api/scripts/offer/run', { input: { pesel: '1' } });
    expect(invalid.json().output).toEqual([{ offer: null, reason: 'PESEL must have 11 digits' }]);
    expect((await t.post('/api/scripts/offerAsync/run', { input: { pesel: '2' } })).json().output).toEqual([{ offer: 'gold' }]);
  });

  it("the called script's REST call over the caller's budget is a 422 REST_CALL_LIMIT", async () => {
    const r = await t.post('/api/scripts/tight/run', {});
    expect(r.status).toBe(422);
    expect(r.json().error).toMatchObject({ name: 'LimitExceededError', code: 'REST_CALL_LIMIT' });
  });

  it('an uncaught ScriptCallError is a 422 with its code, the message naming the script, and the line of the call', async () => {
    const r = await t.post('/api/scripts/missing/run', {});
    expect(r.status).toBe(422);
    expect(r.json().error).toMatchObject({ name: 'ScriptCallError', code: 'SCRIPT_NOT_FOUND', line: 2 });
    expect(r.json().error.message).toContain("there is no scriptService named 'custommer' — did you mean 'customer'?");
  });
});
