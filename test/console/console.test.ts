// The web console end to end: a real server on a temporary copy of the demo
// application with the real demo partner (REST with an API key, OAuth2), and
// a real browser. Each test saves a screenshot under test-output/console/.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt, hasChromium, launchBrowser, openConsole, type ConsolePage } from './browser.js';
import { startDemo, type DemoServer } from './demo-app.js';

const TOKEN = 'console-e2e-token-0123456789abcdef';

/** a case that fails on purpose: its diff is what the Tests region shows */
const FAILING_TEST = `script: greeting
cases:
  - name: expects another greeting
    input: { name: Ada }
    expect:
      output: [{ greeting: "Howdy, Ada!", letters: 3 }]
`;

/** two lookups at once (the partner answers after delayMs), then a third */
const PARALLEL = `async function callService(context) {
  var q = function (pesel) { return api.rest.v1.get('partner', { path: 'customers', queryParams: { pesel: pesel, delayMs: 150 } }); };
  var both = await Promise.all([q('44051401458'), q('02070803628')]);
  await q('44051401458');
  return both.map(function (r) { return { name: r.body.name }; });
}
`;

/** a TypeScript task: its entry point's parameters are typed in the shadow copy by inserted annotations */
const TYPED_TASK = `function callService(context, task) {
  context.complete({ id: task.getProcessInstanceId() });
}
`;

const BROKEN = `// a script with a syntax error on line 3
function callService(context) {
  var name = context.getFirstParameter('name'
  return [{ name: name }];
}
`;

let browser: Browser;
let demo: DemoServer;
const pages: ConsolePage[] = [];

async function open(url = demo.server.url): Promise<ConsolePage> {
  const c = await openConsole(browser, url);
  pages.push(c);
  return c;
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Scripts' });
const output = (page: Page) => page.getByRole('region', { name: 'Output' });
const trace = (page: Page) => page.getByRole('region', { name: 'Trace' });

async function pick(page: Page, name: string): Promise<void> {
  await nav(page).getByRole('button', { name, exact: true }).click();
  await expect.poll(() => page.locator('.monaco-editor .view-lines').innerText()).not.toBe('');
}

/** Replaces the editor's text by pasting (typing would get brackets auto-closed). */
async function replaceSource(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('ControlOrMeta+v');
  // Monaco renders spaces as no-break spaces
  await expect.poll(async () => (await page.locator('.monaco-editor .view-lines').innerText()).replace(/\u00a0/g, ' ')).toContain(text.split('\n')[0]!);
}

/** The console's own notice (Monaco has status and alert live regions of its own). */
const notice = (page: Page, text: string) => page.getByRole('region', { name: 'Editor' }).locator('.notice').filter({ hasText: text });

/** No CSP refusal (or any other error) in the browser console; the API's 4xx answers the tests ask for aside. */
function expectCleanConsole(c: ConsolePage): void {
  expect(c.errors.filter((e) => !/^Failed to load resource: the server responded with a status of 4\d\d .*\[http:\/\/127\.0\.0\.1:\d+\/api\//.test(e))).toEqual([]);
}

describe.skipIf(!hasChromium)('the web console in a browser', () => {
  beforeAll(async () => {
    ensureConsoleBuilt();
    browser = await launchBrowser();
    demo = await startDemo({ 'scripts/broken.js': BROKEN, 'scripts/parallel.js': PARALLEL, 'tasks/typedTask.ts': TYPED_TASK, 'tests/wrong.test.yaml': FAILING_TEST });
  }, 60_000);
  afterEach(async () => {
    for (const c of pages.splice(0)) {
      await c.close();
      // every page of every test: no CSP refusal, no script error, no missing asset
      expectCleanConsole(c);
    }
  });
  afterAll(async () => {
    await demo?.close();
    await browser?.close();
  });

  it('picks a script, runs it with input and shows the output and a trace row', async () => {
    const c = await open();
    const { page } = c;
    for (const name of ['customer', 'greeting', 'pesel', 'openCase', 'openPartnerCase', 'iban']) {
      await expect.poll(() => nav(page).getByRole('button', { name, exact: true }).count()).toBe(1);
    }
    await pick(page, 'customer');
    await page.getByRole('textbox', { name: 'Input', exact: true }).fill('{"pesel": "44051401458"}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await output(page).getByRole('cell', { name: 'Jan Kowalski' }).waitFor();
    const row = trace(page).getByRole('listitem').filter({ hasText: 'partner' }).first();
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('GET');
    expect(text).toContain('/customers');
    expect(text).toContain('200');
    // expanded: the request and response as the logging policy (mask) shows them
    await row.locator('summary').click();
    await expect.poll(() => row.innerText()).toContain('Response body');
    await expect.poll(() => trace(page).innerText()).toContain('customer ***** found, segment gold');
    await c.screenshot('run-with-trace');
    expectCleanConsole(c);
  });

  it('runs a validator and a formatter: errors with their messages, the formatted text', async () => {
    const c = await open();
    const { page } = c;
    await pick(page, 'pesel');
    await page.getByRole('textbox', { name: 'Input', exact: true }).fill('{"pesel": "123"}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => output(page).innerText()).toContain('A PESEL has 11 digits; this one has 3 characters.');
    expect(await output(page).innerText()).toContain('Not valid');
    await pick(page, 'iban');
    await page.getByRole('textbox', { name: 'Input', exact: true }).fill('pl61109010140000071219812874');
    await page.getByRole('textbox', { name: 'Locale' }).fill('pl-PL');
    await page.getByRole('spinbutton', { name: 'Cursor' }).fill('4');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => output(page).innerText()).toContain('PL61 1090 1014 0000 0712 1981 2874');
    await c.screenshot('formatter');
    expectCleanConsole(c);
  });

  it('draws calls that ran in parallel side by side on the waterfall', async () => {
    const c = await open();
    const { page } = c;
    await pick(page, 'parallel');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await output(page).getByRole('cell', { name: 'Anna Nowak' }).waitFor();
    const bars = trace(page).locator('.bar');
    await expect.poll(() => bars.count()).toBe(3);
    const left = async (i: number) => parseFloat((await bars.nth(i).getAttribute('style'))!.match(/left:\s*([\d.]+)%/)![1]!);
    const width = async (i: number) => parseFloat((await bars.nth(i).getAttribute('style'))!.match(/width:\s*([\d.]+)%/)![1]!);
    const [a, b, last] = [await left(0), await left(1), await left(2)];
    const [wa, wb] = [await width(0), await width(1)];
    // the two parallel ones overlap (each starts before the other ends); the third after both ended
    expect(a).toBeLessThan(b + wb);
    expect(b).toBeLessThan(a + wa);
    expect(last).toBeGreaterThan(Math.max(a + wa, b + wb) - 2);
    await c.screenshot('parallel-waterfall');
    expectCleanConsole(c);
  });

  it('completes api.rest.v1. and context. from the runtime\'s typings', async () => {
    const c = await open();
    const { page } = c;
    await pick(page, 'greeting');
    // at the end of the entry point's first line: a new line inside callService
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('api.rest.v1.');
    const suggest = page.locator('.suggest-widget');
    await expect.poll(() => suggest.innerText(), { timeout: 15_000 }).toContain('post');
    // finish the statement: \`api.rest.v1.\` followed by a new line would go on as \`api.rest.v1.context\`
    await page.keyboard.press('Escape');
    await page.keyboard.type('get;');
    await page.keyboard.press('Enter');
    await page.keyboard.type('context.');
    await expect.poll(() => suggest.innerText(), { timeout: 15_000 }).toContain('getFirstParameter');
    await c.screenshot('completion');
    await page.keyboard.press('Escape');
    // a TypeScript task: context (TaskContext) and task (Task)
    await pick(page, 'typedTask');
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('task.');
    await expect.poll(() => suggest.innerText(), { timeout: 15_000 }).toContain('getProcessInstanceId');
    await page.keyboard.press('Escape');
    await page.keyboard.type('getVariable;');
    await page.keyboard.press('Enter');
    await page.keyboard.type('context.');
    await expect.poll(() => suggest.innerText(), { timeout: 15_000 }).toContain('handleBpmnError');
    await page.keyboard.press('Escape');
  });

  it('a script with a syntax error shows the error and a link to its line', async () => {
    const c = await open();
    const { page } = c;
    await pick(page, 'broken');
    // scriptcode check's finding, inline and in the problems list
    await expect.poll(() => page.getByRole('list', { name: 'Problems' }).innerText(), { timeout: 15_000 }).toMatch(/^3:\d+ SyntaxError/m);
    // and as a marker in the editor
    await expect.poll(() => page.locator('.monaco-editor .squiggly-error').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const error = output(page).getByRole('alert');
    await expect.poll(() => error.innerText()).toContain('SyntaxError');
    const link = error.getByRole('link', { name: /^line 3/ });
    await link.click();
    await expect.poll(() => page.getByLabel('Cursor position').innerText()).toMatch(/^Ln 3, Col \d+$/);
    await c.screenshot('syntax-error');
  });

  it('edit, Save and Run: the server runs the new version at once', async () => {
    const c = await open();
    const { page } = c;
    await pick(page, 'greeting');
    await replaceSource(page, `function callService(context) {\n  return [{ greeting: 'Hi there, ' + context.getFirstParameter('name', 'you') + '!' }];\n}\n`);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => notice(page, 'Saved').getAttribute('role')).toBe('status');
    expect(await notice(page, 'Saved').innerText()).toContain('Saved scripts/greeting.js');
    expect(await readFile(join(demo.server.app.dir, 'scripts/greeting.js'), 'utf8')).toContain('Hi there');
    await page.getByRole('textbox', { name: 'Input', exact: true }).fill('{"name": "Ada"}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await output(page).getByRole('cell', { name: 'Hi there, Ada!' }).waitFor();
    await c.screenshot('edit-save-run');
  });

  it('refuses to save over a file that changed on disk since it was opened', async () => {
    const c = await open();
    const { page } = c;
    await pick(page, 'openCase');
    const onDisk = '// changed by someone else\nfunction callService(context) { context.complete({}); }\n';
    await demo.server.app.write('tasks/openCase.js', onDisk);
    await replaceSource(page, 'function callService(context) { context.complete({ mine: true }); }\n');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => notice(page, 'Not saved').getAttribute('role')).toBe('alert');
    expect(await notice(page, 'Not saved').innerText()).toContain('tasks/openCase.js changed on disk since you opened it');
    expect(await readFile(join(demo.server.app.dir, 'tasks/openCase.js'), 'utf8')).toBe(onDisk);
    await c.screenshot('save-conflict');
  });

  it('the Services region shows an OAuth2 service\'s token state, before and after a call', async () => {
    const c = await open();
    const { page } = c;
    const services = page.getByRole('region', { name: 'Services' });
    const row = services.getByRole('row').filter({ hasText: 'partnerCases' });
    await expect.poll(() => row.innerText()).toContain('oauth2');
    await pick(page, 'openPartnerCase');
    await page.getByRole('textbox', { name: 'Input', exact: true }).fill('{"customerId": "C-1001", "amount": 5000}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => output(page).innerText()).toContain('complete');
    await expect.poll(() => row.innerText()).toMatch(/token cached, expires in \d+ s/);
    await services.getByRole('button', { name: 'Check partnerCases' }).click();
    await expect.poll(() => services.getByRole('group', { name: 'Check of partnerCases' }).innerText()).toMatch(/token\s+ok/);
    await c.screenshot('services');
    expect(await services.innerText()).not.toContain('demo-client-secret');
  });

  it('runs the application\'s tests: pass, fail and the diff of a failure', async () => {
    const c = await open();
    const { page } = c;
    const tests = page.getByRole('region', { name: 'Tests' });
    await tests.getByRole('button', { name: 'Run tests' }).click();
    const cases = tests.getByRole('listitem');
    await expect.poll(() => tests.innerText(), { timeout: 60_000 }).toMatch(/\d+ passed, \d+ failed/);
    expect(await cases.filter({ hasText: 'finds the customer by PESEL' }).innerText()).toMatch(/^✓\s+passed:/);
    const failed = await cases.filter({ hasText: 'expects another greeting' }).innerText();
    expect(failed).toMatch(/^✗\s+failed:/);
    expect(failed).toMatch(/output\[0\]\.greeting: expected "Howdy, Ada!", got "H/);
    await c.screenshot('tests');
  });

  it('with server.auth.tokens, the console does nothing until it is given a valid token', async () => {
    const secured = await startDemo({}, { server: { auth: { tokens: [TOKEN] }, console: { edit: false } } } as never);
    let c: ConsolePage | undefined;
    try {
      c = await open(secured.server.url);
      const { page } = c;
      await page.getByRole('heading', { name: 'This server needs a token' }).waitFor();
      expect(await nav(page).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Run', exact: true }).count()).toBe(0);
      await page.getByLabel('Token').fill('not-the-token-0123456789');
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.getByRole('alert').filter({ hasText: 'refused the token' }).waitFor();
      expect(await nav(page).count()).toBe(0);
      await c.screenshot('token-refused');
      await page.getByLabel('Token').fill(TOKEN);
      await page.getByRole('button', { name: 'Use token' }).click();
      await nav(page).getByRole('button', { name: 'customer', exact: true }).waitFor();
      // kept for the tab only, and sent as a header: no cookie
      expect(await page.evaluate(() => sessionStorage.getItem('scriptcode.token'))).toBe(TOKEN);
      expect(await page.context().cookies()).toEqual([]);
      // server.console.edit: false — read-only, no Save
      await pick(page, 'greeting');
      expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
      expect(await page.getByText('read-only (server.console.edit is off)').count()).toBe(1);
      await c.screenshot('token-accepted');
    } finally {
      // the page first: a request it still makes (a font) must not meet a closed server
      await c?.close();
      await secured.close();
    }
  });
});
