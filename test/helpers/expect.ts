// The few waiting and failing helpers every test folder uses — one of each.
// Polling for a condition is vitest's own `vi.waitUntil` / `expect.poll`.

/** What `work` (a promise, or a function returning one) rejects with; fails the test when it resolves. */
export async function rejection(work: Promise<unknown> | (() => Promise<unknown>)): Promise<Error & Record<string, any>> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    return err as Error & Record<string, any>;
  }
  throw new Error('expected a rejection, but it resolved');
}

/**
 * Lets `ms` pass, for asserting that something does NOT happen in that time
 * (a request not sent, a socket not closed). To wait FOR something, poll it.
 */
export function pause(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
