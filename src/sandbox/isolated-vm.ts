// isolated-vm, the build for the Node.js line running this process. Every
// use of isolated-vm in src/ and bench/ imports it from here:
//   import ivm from './isolated-vm.js';   // ivm.Isolate, ivm.Reference<T>, … as values and as types
//
// Each supported line has its own isolated-vm release (5.x: Node 20, 6.x: 22,
// 7.x: 24), wrapped by a local package in runtime-deps/ that the root
// package.json lists as an optional dependency. The wrapper's `engines` covers
// one line, so npm installs only the one matching the Node.js that runs it and
// skips the others silently (see README "Supported Node.js lines"). The types
// come from the installed wrapper through the `isolated-vm-typings` path in
// tsconfig.json (the three releases have the same isolated-vm.d.ts).
//
// Loading throws IsolatedVmUnavailableError (one line saying what to do) on an
// unsupported Node.js line, when the wrapper is not installed, and when the
// process was started without --no-node-snapshot: isolated-vm crashes the
// process when Node's startup snapshot is on (V8's shared heap; README).
import { createRequire } from 'node:module';
import type IsolatedVM from 'isolated-vm-typings';
import { nodeLine, nodeSnapshotDisabled, nodeSnapshotError, notInstalledError, unsupportedNodeError } from './node-support.js';

/** Which isolated-vm this process uses. */
export interface IsolatedVmBuild {
  nodeLine: number;
  /** the wrapper package, e.g. isolated-vm-node22 */
  wrapper: string;
  /** the isolated-vm version it loaded */
  version: string;
}

const require = createRequire(import.meta.url);
let build: IsolatedVmBuild | undefined;

function load(): typeof IsolatedVM {
  const version = process.versions.node;
  const unsupported = unsupportedNodeError(version);
  if (unsupported) throw unsupported;
  if (!nodeSnapshotDisabled()) throw nodeSnapshotError();
  const wrapper = `isolated-vm-node${nodeLine(version)}`;
  let loaded: typeof IsolatedVM;
  let ivmVersion: string;
  try {
    loaded = require(wrapper) as typeof IsolatedVM;
    const fromWrapper = createRequire(require.resolve(wrapper));
    ivmVersion = (fromWrapper('isolated-vm/package.json') as { version: string }).version;
  } catch (error) {
    throw notInstalledError(version, wrapper, error);
  }
  build = { nodeLine: nodeLine(version), wrapper, version: ivmVersion };
  return loaded;
}

const ivm = load();

/** The wrapper and isolated-vm version loaded for this Node.js line. */
export function isolatedVmBuild(): IsolatedVmBuild {
  return build!;
}

// `ivm.Isolate`, `ivm.Reference<T>`, … as types, as with `import ivm from 'isolated-vm'`
// (a type-only namespace merged with the value above).
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace ivm {
  export type Isolate = IsolatedVM.Isolate;
  export type IsolateOptions = IsolatedVM.IsolateOptions;
  export type HeapStatistics = IsolatedVM.HeapStatistics;
  export type Context = IsolatedVM.Context;
  export type Script = IsolatedVM.Script;
  export type Module = IsolatedVM.Module;
  export type Reference<T = any> = IsolatedVM.Reference<T>;
  export type Dereference<T> = IsolatedVM.Dereference<T>;
  export type ExternalCopy<T = any> = IsolatedVM.ExternalCopy<T>;
  export type Copy<T> = IsolatedVM.Copy<T>;
  export type Callback<T extends (...args: any[]) => any = any> = IsolatedVM.Callback<T>;
  export type Transferable = IsolatedVM.Transferable;
  export type NativeModule = IsolatedVM.NativeModule;
  export type ContextOptions = IsolatedVM.ContextOptions;
  export type ScriptInfo = IsolatedVM.ScriptInfo;
  export type ScriptOrigin = IsolatedVM.ScriptOrigin;
  export type ScriptRunOptions = IsolatedVM.ScriptRunOptions;
  export type RunOptions = IsolatedVM.RunOptions;
  export type TransferOptions = IsolatedVM.TransferOptions;
  export type ExternalCopyOptions = IsolatedVM.ExternalCopyOptions;
}

export default ivm;
