// A real browser for the console's end-to-end tests: playwright-core driving
// Debian's Chromium (/usr/bin/chromium; `.ci/run` installs it when missing).
// Every page records the browser console's errors (a CSP refusal shows up
// there) and saves a screenshot under test-output/console/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));

const root = fileURLToPath(new URL('../../', import.meta.url));

function newest(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** dist/console/ as the sources say: built again (Vite alone, the rest of dist/ untouched) when console/ or the typings changed since. */
export function ensureConsoleBuilt(): void {
  const page = join(root, 'dist', 'console', 'index.html');
  if (existsSync(page) && statSync(page).mtimeMs >= Math.max(newest(join(root, 'console')), newest(join(root, 'types')))) return;
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '-c', join(root, 'console', 'vite.config.mjs')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the console failed:\n${r.stdout}${r.stderr}`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface ConsolePage {
  page: Page;
  /** errors the page's console reported (CSP violations among them) */
  errors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A fresh page (own context: own sessionStorage) on `${url}/console`. */
export async function openConsole(browser: Browser, url: string): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} [${message.location().url}]`);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${url}/console`);
  return {
    page,
    errors,
    async screenshot(name) {
      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
    },
    close: () => context.close(),
  };
}
