// Regenerates the JSON Schemas for editors in schemas/ from the runtime's zod
// schemas (src/tools/json-schemas.ts):
//
//   npx tsx scripts/gen-schemas.ts           write schemas/*.schema.json
//   npx tsx scripts/gen-schemas.ts --check   exit 1 when they are stale (CI)
//
// test/tools/json-schemas.test.ts fails when the committed files are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemaFiles } from '../src/tools/json-schemas.js';

const dir = fileURLToPath(new URL('../schemas/', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
for (const [name, text] of Object.entries(jsonSchemaFiles())) {
  const path = join(dir, name);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) {
    console.log(`${name}: up to date`);
    continue;
  }
  if (check) {
    stale++;
    console.error(`${name}: stale — run npx tsx scripts/gen-schemas.ts`);
  } else {
    writeFileSync(path, text);
    console.log(`${name}: written`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
