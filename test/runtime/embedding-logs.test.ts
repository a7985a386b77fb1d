// Issue 13: the library is silent by default. An embedder's stdout and stderr
// are its own (stdout may even be a protocol channel): createRuntime without
// `logger` or `logDestination` writes nothing — not the invocation lines, not
// a script's Logger.error, not start-up warnings. Logs are asked for with a
// logger, a destination, or an explicit `config.logging.level` (to stderr).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/index.js';
import { makeApp, MemoryLog, type TestApp } from '../helpers/app.js';

const FILES = {
  // `plain` makes the runtime warn at start; the script logs at every level
  'scriptcode.yaml': 'logging:\n  level: trace\n  sensitive: plain\n',
  'scripts/noisy.js': 'function callService() { Logger.info("info {}", 1); Logger.warn("warn"); Logger.error("error"); console.log("console"); return [{ ok: true }]; }\n',
};

let app: TestApp;
beforeAll(async () => {
  app = await makeApp(FILES);
});
afterAll(() => app?.remove());

describe('createRuntime logging', () => {
  it('without logger or logDestination it writes nothing to stdout or stderr (a real process)', async () => {
    const index = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const program = `
      const { createRuntime } = await import(${JSON.stringify(index)});
      const rt = await createRuntime({ app: ${JSON.stringify(app.dir)}, watch: false });
      const r = await rt.runScript('noisy');
      await rt.close();
      if (r.output[0].ok !== true) throw new Error('no answer');
    `;
    const child = spawn(process.execPath, ['--no-node-snapshot', '--import', tsx, '--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
  }, 30_000);

  it('with logDestination: JSON lines at logging.level; an explicit config.logging.level turns the default log on', async () => {
    const log = new MemoryLog();
    const rt = await createRuntime({ app: app.dir, watch: false, logDestination: log });
    try {
      await rt.runScript('noisy');
    } finally {
      await rt.close();
    }
    const messages = log.parsed().map((line) => line.msg);
    expect(messages).toEqual(expect.arrayContaining(['logging.sensitive is "plain": personal data from scripts is written to the log as is. Use it for local development only.', 'info 1', 'warn', 'error', 'console', 'invocation finished']));

    const quiet = await createRuntime({ app: app.dir, watch: false });
    const chosen = await createRuntime({ app: app.dir, watch: false, config: { logging: { level: 'error' } } as never });
    try {
      expect(quiet.logger.level).toBe('silent');
      expect(chosen.logger.level).toBe('error');
    } finally {
      await quiet.close();
      await chosen.close();
    }
  });
});
