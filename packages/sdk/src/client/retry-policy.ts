import { status, type ServiceError } from '@grpc/grpc-js';

/** Retries of RESOURCE_EXHAUSTED (quota) answers: bounded, with exponential backoff. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5_000 };

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

export function isResourceExhausted(err: unknown): boolean {
  return isServiceError(err) && err.code === status.RESOURCE_EXHAUSTED;
}

/**
 * UNAVAILABLE before any byte of the call left this process (the channel had no connection, e.g.
 * while the server restarts): retrying cannot apply the request twice, so it is safe for every rpc.
 */
export function isNotSent(err: unknown): boolean {
  return isServiceError(err) && err.code === status.UNAVAILABLE && err.details.startsWith('No connection established');
}

/** Delay before retry number `retry` (1-based), with up to 20% jitter so clients spread out. */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const exp = policy.baseDelayMs * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(exp, policy.maxDelayMs);
  return Math.round(capped * (0.8 + 0.2 * random()));
}

export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
