// The host functions, taken off the global object when the prelude starts,
// before any script code can see them (src/sandbox/script-context.ts puts
// them there as isolated-vm References).
//   call:  a call the script waits for with its thread blocked (sync mode)
//   log:   a log line
// Async calls and late answers travel with the turn that made them (outbox.ts).
import { g } from './intrinsics.js';

function take<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error('the prelude needs the host function ' + name);
  return value;
}

export const hostCall = take(g.__scHostCall, '__scHostCall');
export const hostLog = take(g.__scHostLog, '__scHostLog');
delete g.__scHostCall;
delete g.__scHostLog;
