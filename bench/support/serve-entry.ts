// `scriptcode <args>` from source, for scenarios that need the command itself
// (serve --workers: node:cluster forks this same file for each worker).
import { main } from '../../src/cli/main.js';

await main(process.argv.slice(2));
