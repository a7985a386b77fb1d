// Which Node.js lines the runtime runs on, and what to say when it cannot
// load isolated-vm. No imports: bin/scriptcode.js and the CLI use it before
// anything heavy is loaded, and src/index.ts exports the error.
//
// Each line has its own isolated-vm build (README "Supported Node.js lines"):
// the optional dependency runtime-deps/isolated-vm-node<line> that npm installs
// only on that line (its `engines`); src/sandbox/isolated-vm.ts loads it.

/** Node.js major version → the isolated-vm release the line's wrapper package pins. */
import { ScriptCodeError } from '../errors.js';
export const NODE_LINES: Readonly<Record<number, string>> = Object.freeze({ 20: '5.0.4', 22: '6.2.0', 24: '7.0.1' });

const SUPPORTED = 'Node.js 20, 22 or 24';

/** The major version of the Node.js running this process. */
export function nodeLine(version: string = process.versions.node): number {
  return Number(version.split('.')[0]);
}

export type IsolatedVmProblem = 'unsupported-node' | 'not-installed' | 'node-snapshot';

/** isolated-vm cannot be used in this process; `message` is one line saying what to do. */
export class IsolatedVmUnavailableError extends ScriptCodeError {
  override readonly name = 'IsolatedVmUnavailableError';
  constructor(readonly problem: IsolatedVmProblem, message: string, options?: { cause?: unknown }) {
    super('ISOLATED_VM_UNAVAILABLE', message, options);
  }
}

/** The error for a Node.js line without an isolated-vm build, or undefined on a supported line. */
export function unsupportedNodeError(version: string = process.versions.node): IsolatedVmUnavailableError | undefined {
  if (nodeLine(version) in NODE_LINES) return undefined;
  return new IsolatedVmUnavailableError('unsupported-node',
    `Node.js ${version} is not supported: ScriptCode runs on ${SUPPORTED} (isolated-vm has a build for each); ` +
    'switch to one of them (e.g. nvm use 24) and run npm ci again.');
}

/** The error when the line's wrapper package is missing or its isolated-vm does not load. */
export function notInstalledError(version: string, wrapper: string, cause: unknown): IsolatedVmUnavailableError {
  const why = (cause as { code?: string })?.code === 'MODULE_NOT_FOUND' && String((cause as Error).message).includes(`'${wrapper}'`)
    ? `${wrapper} is not installed`
    : `${wrapper} does not load (${String((cause as Error)?.message ?? cause).split('\n')[0]})`;
  return new IsolatedVmUnavailableError('not-installed',
    `isolated-vm for Node.js ${nodeLine(version)} is unavailable: ${why}; run npm ci (or npm install) with this Node.js ` +
    `(${version}), without --omit=optional / --no-optional: npm installs the isolated-vm build of the Node.js line that runs it.`,
    { cause });
}

/** True when Node's startup snapshot is off: `--no-node-snapshot` on the command line or in NODE_OPTIONS. */
export function nodeSnapshotDisabled(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  return execArgv.includes('--no-node-snapshot') || nodeOptions.split(/\s+/).includes('--no-node-snapshot');
}

export function nodeSnapshotError(): IsolatedVmUnavailableError {
  return new IsolatedVmUnavailableError('node-snapshot',
    "isolated-vm needs Node's startup snapshot off: start node with --no-node-snapshot " +
    '(node --no-node-snapshot app.js, or NODE_OPTIONS=--no-node-snapshot); the scriptcode command adds it by itself.');
}
