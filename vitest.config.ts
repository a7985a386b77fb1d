import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    // isolated-vm needs this on Node 20+ (see docs/installation.md).
    execArgv: ['--no-node-snapshot'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'runtime', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/console/**'], sequence: { groupOrder: 0 } } },
      // The web console's browser tests run after all the others, on their own: Chromium's load
      // would otherwise slow the timing-bound tests running beside them (a formatter's 200 ms
      // wall-clock limit, say) on a 2-core machine.
      // A poll waits 10 s, not vitest's default 1 s: the first page of a file also waits for a cold
      // Chromium to load the console and Monaco, which took longer than 1 s once on a loaded machine.
      { extends: true, test: { name: 'console', include: ['test/console/**/*.test.ts'], sequence: { groupOrder: 1 }, expect: { poll: { timeout: 10_000 } } } },
    ],
  },
});
