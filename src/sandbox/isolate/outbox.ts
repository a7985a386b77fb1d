// What a turn hands the host when it ends (src/sandbox/script-run.ts): the
// async calls it started and the answers of the invocations it finished, in
// the order they happened. A turn is one call from the host into the
// isolate; the microtasks it queues (every `await` continuation) run before
// that call returns, and isolated-vm copies the call's value only then — so
// whatever the continuations post travels with the turn's own answer, with
// no call from the isolate to the host of its own (each one a task the
// host's main thread has to take, and a thread to wake).
import { push } from './intrinsics.js';
import type { TurnMessage } from './turn-messages.js';

let outbox: TurnMessage[] = [];

/** A turn begins: what it posts goes into the list returned, which the turn returns. */
export function openTurn(): TurnMessage[] {
  outbox = [];
  return outbox;
}

export function post(message: TurnMessage): void {
  push(outbox, message);
}
