// Every `scriptcode` command: one file each in this folder, registered here.
// A command file holds only what `--help` shows (name, arguments, options,
// examples) and imports its implementation inside its action — `await
// import('../../tools/…')` — so that `scriptcode --help` loads nothing but
// commander (test/cli/start-cost.test.ts fails otherwise).
import type { Command } from 'commander';
import { registerRun } from './run.js';
import { registerTest } from './test.js';
import { registerRecord } from './record.js';
import { registerCheck } from './check.js';
import { registerInit } from './init.js';
import { registerServe } from './serve.js';
import { registerServices } from './services.js';

export const COMMANDS: readonly ((program: Command) => void)[] = [
  registerRun,
  registerTest,
  registerRecord,
  registerCheck,
  registerInit,
  registerServe,
  registerServices,
];
