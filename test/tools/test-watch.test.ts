// `scriptcode test --watch`: the tests run again when a script, a test file
// or scriptcode.yaml changes; a run that cannot start (broken configuration)
// is reported and the watch goes on; aborting ends it.
import { afterEach, describe, expect, it } from 'vitest';
import { watchTests } from '../../src/tools/test-watch.js';
import type { TestRunSummary } from '../../src/tools/test-runner.js';
import { makeApp, type TestApp } from '../helpers/app.js';

const TESTS = 'script: hello\ncases:\n  - name: greets\n    input: { name: Ada }\n    expect: { output: [{ hi: Ada }] }\n';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.remove();
  app = undefined;
});

describe('scriptcode test --watch', () => {
  it('runs, then again on every change, until stopped', async () => {
    app = await makeApp({
      'scriptcode.yaml': '',
      'scripts/hello.js': 'function callService(c) { return [{ hi: "nobody" }]; }\n',
      'tests/hello.test.yaml': TESTS,
    });
    const lines: string[] = [];
    const runs: { summary?: TestRunSummary; error?: Error }[] = [];
    let next: (() => void) | undefined;
    const stop = new AbortController();
    const ran = () => new Promise<void>((resolve) => { next = resolve; });

    let first = ran();
    const watching = watchTests({
      app: app.dir, write: (line) => lines.push(line), signal: stop.signal, debounceMs: 50,
      onRun: (run) => { runs.push(run); next?.(); },
    });
    await first;
    expect(runs[0]!.summary).toMatchObject({ passed: 0, failed: 1 });

    // fix the script: the tests run again and pass
    first = ran();
    await app.write('scripts/hello.js', 'function callService(c) { return [{ hi: c.getFirstParameter("name") }]; }\n');
    await first;
    expect(runs[1]!.summary).toMatchObject({ passed: 1, failed: 0 });
    expect(lines).toContain('changed: scripts/hello.js; running the tests again');

    // break the configuration: reported, and the watch goes on
    first = ran();
    await app.write('scriptcode.yaml', 'loggin: {}\n');
    await first;
    expect(runs[2]!.error?.message).toContain("loggin: unknown key — did you mean 'logging'?");
    first = ran();
    await app.write('scriptcode.yaml', '');
    await first;
    expect(runs[3]!.summary).toMatchObject({ passed: 1, failed: 0 });
    expect(lines.filter((line) => line === 'watching for changes (Ctrl-C to stop)')).toHaveLength(4);

    stop.abort();
    await watching;
    // nothing runs after the watch has ended
    await app.write('scripts/hello.js', 'function callService() { return []; }\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toHaveLength(4);
  }, 60_000);
});
