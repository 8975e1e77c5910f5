// Polls until a probe gives a value, within a deadline. A probe that throws is retried (a server
// may be restarting); its last error is in the timeout's message.

const POLL_PAUSE_MS = 100;

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  // Bounded by the deadline; each probe is one round of calls.
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, POLL_PAUSE_MS));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
}
