// Compiles src/ to dist/ and copies the JavaScript that runs inside the isolate
// (it is loaded as text, never imported by Node, so tsc does not touch it).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });

function copyIsolateSources(dir) {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) copyIsolateSources(full);
    else if (entry.endsWith('.isolate.js')) {
      const target = join(root, 'dist', relative(join(root, 'src'), full));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(full, target);
    }
  }
}
copyIsolateSources(join(root, 'src'));
