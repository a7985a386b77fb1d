// `scriptcode test --watch`: runs the tests, then again whenever a script,
// metadata file, test file or scriptcode.yaml of the application changes,
// until the signal is aborted (Ctrl-C). A run that cannot start (invalid
// configuration, no test files) is reported and the watch goes on: the next
// save may fix it.
import { relative, resolve, sep } from 'node:path';
import { watch } from 'chokidar';
import { runTests, type TestRunOptions, type TestRunSummary } from './test-runner.js';

export interface WatchTestsOptions extends TestRunOptions {
  signal: AbortSignal;
  /** after every run: its summary, or what stopped it */
  onRun?: (result: { summary?: TestRunSummary; error?: Error }) => void;
  /** how long to wait for more changes before running (default 150 ms) */
  debounceMs?: number;
}

const WATCHED = /\.(js|ts|ya?ml|json)$/;
const IGNORED_FOLDERS = new Set(['node_modules', '.git', '.scriptcode']);

export async function watchTests(options: WatchTestsOptions): Promise<void> {
  const appDir = resolve(options.app);
  const { write, signal } = options;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let changed = new Set<string>();

  const runOnce = async (): Promise<void> => {
    try {
      const summary = await runTests(options);
      options.onRun?.({ summary });
    } catch (error) {
      const e = error as Error & { code?: string };
      // configuration and usage problems are what a user fixes while watching; anything else is shown in full
      write(e.code === 'CONFIG_INVALID' || e.name === 'UsageError' || e.name === 'ConfigError' ? e.message : (e.stack ?? String(e)));
      options.onRun?.({ error: e });
    }
    write('watching for changes (Ctrl-C to stop)');
  };

  const run = (): void => {
    if (signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = runOnce().finally(() => {
      running = undefined;
      if (again && !signal.aborted) {
        again = false;
        run();
      }
    });
  };

  const watcher = watch(appDir, {
    ignoreInitial: true,
    ignored: (path: string) => relative(appDir, path).split(sep).some((part) => IGNORED_FOLDERS.has(part)),
  });
  watcher.on('all', (_event, path) => {
    if (!WATCHED.test(path)) return;
    changed.add(relative(appDir, path));
    clearTimeout(timer);
    timer = setTimeout(() => {
      write('');
      write(`changed: ${[...changed].sort().join(', ')}; running the tests again`);
      changed = new Set();
      run();
    }, options.debounceMs ?? 150);
  });
  await new Promise<void>((ready) => watcher.once('ready', () => ready()));

  run();
  await new Promise<void>((stop) => {
    if (signal.aborted) stop();
    else signal.addEventListener('abort', () => stop(), { once: true });
  });
  clearTimeout(timer);
  await watcher.close();
  await running;
}
