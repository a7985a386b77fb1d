// Regenerates types/scriptcode.d.ts (the typings of every global a script sees)
// from src/runtime/script-typings.d.ts and the built-in bindings' typings.d.ts:
//
//   npx tsx scripts/gen-typings.ts           write types/scriptcode.d.ts
//   npx tsx scripts/gen-typings.ts --check   exit 1 when it is stale
//
// test/tools/typings.test.ts fails when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { generateTypings, TYPINGS_FILE } from '../src/tools/typings.js';

const text = generateTypings();
const current = readFileSync(TYPINGS_FILE, 'utf8');
if (current === text) {
  console.log('types/scriptcode.d.ts: up to date');
} else if (process.argv.includes('--check')) {
  console.error('types/scriptcode.d.ts: stale — run npx tsx scripts/gen-typings.ts');
  process.exit(1);
} else {
  writeFileSync(TYPINGS_FILE, text);
  console.log('types/scriptcode.d.ts: written');
}
