#!/usr/bin/env node
// isolated-vm needs Node's startup snapshot off (Node 20+). When this process
// was started without --no-node-snapshot and the command may run scripts, run
// the CLI again in a child that has it, passing signals through and exiting
// with the child's code.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { unsupportedNodeError } from '../dist/sandbox/node-support.js';

// a Node.js line without an isolated-vm build: say so in one line, before starting anything
const unsupported = unsupportedNodeError();
if (unsupported) {
  process.stderr.write(`scriptcode: ${unsupported.message}\n`);
  process.exit(1);
}

// Commands that never create an isolate run in this process: starting Node a
// second time costs ~150 ms, most of `scriptcode --help`.
const args = process.argv.slice(2);
const LIGHT_COMMANDS = new Set(['help', 'init']);
const light = args.length === 0 || LIGHT_COMMANDS.has(args[0]) || ['--version', '-V'].includes(args[0]) || args.some((a) => a === '--help' || a === '-h');

if (light || process.execArgv.includes('--no-node-snapshot')) {
  const { main } = await import('../dist/cli/main.js');
  await main(args);
} else {
  const child = spawn(
    process.execPath,
    ['--no-node-snapshot', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
