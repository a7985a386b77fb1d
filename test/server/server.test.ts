// createServer reads scriptcode.yaml once: given the configuration its caller
// already read (`scriptcode serve` deciding on workers), neither it nor the
// runtime reads the file again.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/load-config.js';
import { createServer } from '../../src/server/index.js';
import { makeApp } from '../helpers/app.js';

describe('createServer', () => {
  it('uses the configuration it is given and does not read scriptcode.yaml again', async () => {
    const app = await makeApp({ 'scriptcode.yaml': 'logging: { level: warn }\n', 'scripts/hello.js': 'function callService() { return [{ hi: 1 }]; }' });
    const loaded = await loadConfig(app.dir, { overrides: { server: { port: 0 } } });
    // what is on disk now would not even load: were it read again, the start would fail
    await app.write('scriptcode.yaml', 'logging: { level: nonsense }\n');
    const server = await createServer({ app: app.dir, config: { server: { port: 0 } }, loadedConfig: loaded, watch: false, logDestination: { write: () => true } as never });
    try {
      const url = await server.listen();
      const answer = await fetch(`${url}/api/scripts/hello/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(await answer.json()).toMatchObject({ output: [{ hi: 1 }] });
      expect(server.runtime!.app.config.logging.level).toBe('warn');
    } finally {
      await server.close();
      await app.remove();
    }
  });

  it('without one, it reads the file (and says what is wrong with it)', async () => {
    const app = await makeApp({ 'scriptcode.yaml': 'logging: { level: nonsense }\n' });
    try {
      await expect(createServer({ app: app.dir, watch: false })).rejects.toThrow(/logging\.level/);
    } finally {
      await app.remove();
    }
  });
});
