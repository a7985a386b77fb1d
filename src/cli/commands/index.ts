// Every `scriptcode` command: one file each in this folder, registered here.
import type { Command } from 'commander';
import { registerRun } from './run.js';
import { registerTest } from './test.js';
import { registerRecord } from './record.js';
import { registerCheck } from './check.js';
import { registerInit } from './init.js';
import { registerServe } from './serve.js';

export const COMMANDS: readonly ((program: Command) => void)[] = [
  registerRun,
  registerTest,
  registerRecord,
  registerCheck,
  registerInit,
  registerServe,
];
