// An application with one script of each kind and the kinds of REST use the
// tools must handle: bearer, API key in the query, OAuth2 (secrets unset),
// path placeholders, repeated query names, JSON and binary answers, a .ts script.
import { makeApp, type TestApp } from '../helpers/app.js';

export const FIXTURE_CONFIG = `services:
  crm:
    url: https://crm.example.com/api/v2
    timeouts: { readTimeout: 5000 }
    auth: { type: bearer, token: "\${env:TOOLS_FIXTURE_CRM_TOKEN}" }
  geo:
    url: https://geo.example.com/v1/postcodes/{postcode}
    auth: { type: apiKey, in: query, name: key, value: "\${env:TOOLS_FIXTURE_GEO_KEY}" }
  idp:
    url: https://idp.example.com/api
    auth:
      type: oauth2
      tokenUrl: https://login.example.com/oauth2/token
      clientId: forms
      clientSecret: "\${env:TOOLS_FIXTURE_OAUTH_SECRET}"
  flaky:
    url: https://flaky.example.com
    retry: { attempts: 2 }
`;

export const FIXTURE_FILES: Record<string, string> = {
  'scriptcode.yaml': FIXTURE_CONFIG,
  'scripts/customer.js': `function callService(context) {
  var pesel = context.getFirstParameter('pesel');
  try {
    var r = api.rest.v1.get('crm', { path: 'customers', queryParams: { pesel: pesel } });
    Logger.info('found {}', r.body.name);
    return [{ name: r.body.name, segment: r.body.segment }];
  } catch (e) {
    if (e.status && e.status.code === 404) return [];
    throw e;
  }
}
`,
  'scripts/postcode.js': `function callService(context) {
  var r = api.rest.v1.get('geo', { pathParams: { postcode: context.getFirstParameter('code') }, queryParams: { fields: ['city', 'street'] } });
  return [{ city: r.body.city }];
}
`,
  'scripts/me.js': `function callService() {
  return [{ user: api.rest.v1.get('idp', { path: 'me' }).body.user }];
}
`,
  'scripts/file.js': `function callService() {
  var r = api.rest.v1.get('crm', { path: 'files/{id}', pathParams: { id: 'a b' } });
  return [{ encoding: r.bodyEncoding, body: r.body, type: r.headers['content-type'] }];
}
`,
  'scripts/note.js': `function callService(context) {
  var r = api.rest.v1.post('crm', { path: 'notes' }, { text: context.getFirstParameter('text'), tags: ['a', 'b'] }, { 'X-Request-Id': 'r-1' });
  context.setValue('noteId', r.body.id);
  return [{ id: r.body.id }];
}
`,
  'scripts/twice.js': `function callService() {
  var a = api.rest.v1.get('crm', { path: 'ping' });
  var b = api.rest.v1.get('crm', { path: 'ping' });
  return [{ a: a.body, b: b.body }];
}
`,
  'scripts/flaky.js': "function callService() { return [api.rest.v1.get('flaky', { path: 'status' }).body]; }\n",
  'scripts/catches.js': `function callService() {
  try {
    api.rest.v1.get('crm', { path: 'surprise' });
    return [{ caught: null }];
  } catch (e) {
    return [{ caught: e.name, code: e.code }];
  }
}
`,
  'scripts/billing.js': `function callService() {
  return [api.rest.v1.get('billing', { path: 'x' }).body];
}
`,
  'scripts/broken.js': `function callService(context) {
  return [{ a: 1 ];
}
`,
  'scripts/typed.ts': `interface Customer { name: string; segment: string }
function callService(context: ScriptCode.ScriptContext): ScriptCode.Row[] {
  const r = api.rest.v1.get<Customer>('crm', { path: 'customers/{id}', pathParams: { id: context.getFirstParameter('id') } });
  if (r.body.segment === 'BAD') throw new Error('bad segment ' + (r.body.name as string));
  return [{ name: r.body.name }];
}
`,
  'validators/pesel.js': `function callService(context) {
  var pesel = context.getFirstParameter('pesel', '');
  if (pesel.length !== 11) return [{ key: 'pesel.length', parameters: [pesel.length] }];
  var r = api.rest.v1.get('crm', { path: 'blacklist', queryParams: { pesel: pesel } });
  return r.body.listed ? [{ key: 'pesel.blacklisted' }] : [];
}
`,
  'validators/pesel.yaml': `messages:
  pesel.length: "PESEL has 11 digits, not {0}"
  pesel.blacklisted: This person cannot apply.
`,
  'tasks/open.js': `function callService(context, task) {
  try {
    var r = api.rest.v1.post('crm', { path: 'cases' }, { customer: task.getVariable('customer') });
    context.complete({ caseId: r.body.id }, { note: 'opened' });
  } catch (e) {
    if (e.status && e.status.code === 409) context.handleBpmnError('EXISTS', 'already open');
    else throw e;
  }
}
`,
  'formatters/upper.js': `function formatText(input) {
  return { formattedText: input.textToFormat.toUpperCase(), cursorPosition: input.cursorPosition === 99 ? 1000 : input.cursorPosition };
}
`,
};

export function makeFixture(extra: Record<string, string> = {}): Promise<TestApp> {
  return makeApp({ ...FIXTURE_FILES, ...extra });
}
