// Every `scriptcode` command: one file each in this folder, registered here.
import type { Command } from 'commander';
import { registerRun } from './run.js';

export const COMMANDS: readonly ((program: Command) => void)[] = [
  registerRun,
];
