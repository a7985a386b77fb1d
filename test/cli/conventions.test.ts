// What any command line is expected to do: --version, examples in every help
// page, and a reader that goes away (`| head -1`) ends the command quietly.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Command, CommanderError } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `scriptcode <args>` in this process: what it writes, and how commander ended it */
async function inProcess(args: string[]): Promise<{ out: string; code?: string }> {
  const program = buildProgram();
  let out = '';
  const capture = (c: Command) => {
    c.configureOutput({ writeOut: (text) => { out += text; }, writeErr: (text) => { out += text; } });
    c.exitOverride();
    for (const sub of c.commands) capture(sub);
  };
  capture(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out };
  } catch (err) {
    return { out, code: (err as CommanderError).code };
  }
}

describe('CLI conventions', () => {
  it('--version and -v print the package version', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await inProcess([flag]);
      expect(r.code).toBe('commander.version');
      expect(r.out.trim()).toBe(version);
    }
    // and through the real command
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  }, 30_000);

  it("every command's help has examples", async () => {
    for (const command of ['run', 'test', 'record', 'check', 'init', 'serve']) {
      const r = await inProcess([command, '--help']);
      expect(r.code, command).toBe('commander.helpDisplayed');
      expect(r.out, command).toMatch(new RegExp(`Examples:\\n {2}\\$ scriptcode ${command}`));
    }
  });

  it('a reader that stops early (| head -1) ends the command quietly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scriptcode-pipe-'));
    try {
      expect((await runCli(['init', join(dir, 'app')])).code).toBe(0);
      // the child's stdout is closed after its first chunk, as `head -1` does
      const entry = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      const child = spawn(process.execPath, ['--no-node-snapshot', '--import', tsx, entry, 'test', '--app', join(dir, 'app')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).not.toMatch(/EPIPE|Error:|at /);
      expect(code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
