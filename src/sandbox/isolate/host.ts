// The host functions, taken off the global object when the prelude starts,
// before any script code can see them (src/sandbox/script-context.ts puts
// them there as isolated-vm References).
//   call:  a call the script waits for with its thread blocked (sync mode)
//   start: starts a call whose answer comes back later through settle()
//          (async mode)
//   log:   a log line
//   done:  an invocation that did not finish within its first turn reports
//          its answer
// start and done do not wait for the host (applyIgnored): a turn is pure
// isolate time.
import { g } from './intrinsics.js';

function take<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error('the prelude needs the host function ' + name);
  return value;
}

export const hostCall = take(g.__scHostCall, '__scHostCall');
export const hostStart = take(g.__scHostStart, '__scHostStart');
export const hostLog = take(g.__scHostLog, '__scHostLog');
export const hostDone = take(g.__scHostDone, '__scHostDone');
delete g.__scHostCall;
delete g.__scHostStart;
delete g.__scHostLog;
delete g.__scHostDone;
