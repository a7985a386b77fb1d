// docs/images/console.png, the README's picture of the web console: the demo
// application (examples/demo, only read) served next to the demo partner, a
// script run with its trace, in Debian's Chromium (as test/console does).
//   npm run build && node --no-node-snapshot scripts/console-screenshot.mjs
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from '../dist/index.js';
import { startPartner } from '../examples/partner/server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}docs/images/console.png`;

const partner = await startPartner({ port: 0 });
const server = await createServer({
  app: `${root}examples/demo`,
  watch: false,
  config: {
    logging: { level: 'warn' },
    server: { port: 0 },
    services: { partner: { url: `${partner.url}/api` }, partnerCases: { url: `${partner.url}/api`, auth: { tokenUrl: `${partner.url}/oauth2/token` } } },
  },
});
const url = await server.listen();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.goto(`${url}/console`);
  // an OAuth2 call first, so the Services region shows a cached token
  const nav = page.getByRole('navigation', { name: 'Scripts' });
  await nav.getByRole('button', { name: 'openPartnerCase', exact: true }).click();
  await page.getByRole('textbox', { name: 'Input', exact: true }).fill('{"customerId": "C-1002", "amount": 5000}');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByRole('region', { name: 'Output' }).getByText('complete').waitFor();
  await nav.getByRole('button', { name: 'customer', exact: true }).click();
  await page.getByRole('textbox', { name: 'Input', exact: true }).fill('{"pesel": "44051401458"}');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByRole('region', { name: 'Output' }).getByRole('cell', { name: 'Jan Kowalski' }).waitFor();
  await page.getByRole('region', { name: 'Services' }).getByText(/token cached/).waitFor();
  await page.getByRole('region', { name: 'Tests' }).getByRole('button', { name: 'Run tests' }).click();
  await page.getByRole('region', { name: 'Tests' }).getByText(/passed, \d+ failed/).waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.click(5, 5);
  await mkdir(`${root}docs/images`, { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`${out}\n`);
} finally {
  await browser.close();
  await server.close();
  await partner.close();
}
