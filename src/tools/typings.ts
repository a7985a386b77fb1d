// The typings shipped in the package (types/ next to dist/ and src/).
import { fileURLToPath } from 'node:url';

/** Absolute path of types/scriptcode.d.ts (from src/tools/ or dist/tools/ alike). */
export const TYPINGS_FILE = fileURLToPath(new URL('../../types/scriptcode.d.ts', import.meta.url));
