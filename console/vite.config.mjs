// Builds the web console (console/) into dist/console/ (scripts/build.mjs runs it).
// Served by the server at /console (src/server/console/page.ts).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// monaco-editor's package exports map every subpath to a .js file; its CSS is reached through this alias
const monacoEsm = join(dirname(createRequire(import.meta.url).resolve('monaco-editor/editor/editor.api.js')), '..');

export default defineConfig({
  root,
  base: '/console/',
  resolve: { alias: { 'monaco-esm': monacoEsm } },
  logLevel: 'warn',
  // Preact's JSX runtime, without a plugin
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console/', import.meta.url)),
    emptyOutDir: true,
    // every asset a file of this origin: the CSP allows no data: fonts or scripts
    assetsInlineLimit: 0,
    // Monaco and the TypeScript worker are large by nature
    chunkSizeWarningLimit: 8000,
    reportCompressedSize: false,
    sourcemap: false,
    target: 'es2022',
    // the TypeScript worker takes seconds to transform: expected, not worth a warning in every npm ci
    rolldownOptions: { checks: { bundlerTimings: false, pluginTimings: false } },
  },
  worker: { format: 'es', rolldownOptions: { checks: { bundlerTimings: false, pluginTimings: false } } },
});
