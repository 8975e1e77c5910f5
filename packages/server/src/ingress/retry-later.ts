// Refusals a client should simply retry after a pause (the server is busy, not the request
// wrong). They carry the standard `grpc-retry-pushback-ms` trailer, which gRPC clients with a
// retry policy honour, and say "retry" in the message for clients that only read the status.
import { Metadata } from '@grpc/grpc-js';
import { ApiError, Code } from '../processor/api-error.ts';

export const RETRY_PUSHBACK_KEY = 'grpc-retry-pushback-ms';
/** Long enough for a queue to drain a batch or two; short enough not to idle a client. */
export const DEFAULT_RETRY_AFTER_MS = 250;

export class RetryLaterError extends ApiError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs = DEFAULT_RETRY_AFTER_MS) {
    super(Code.RESOURCE_EXHAUSTED, message);
    this.name = 'RetryLaterError';
    if (!(Number.isInteger(retryAfterMs) && retryAfterMs >= 0)) throw new Error(`retryAfterMs must be a non-negative integer; got ${retryAfterMs}`);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Whether a RESOURCE_EXHAUSTED outcome of the engine or the task queues is transient: their
 * overload refusals end in "retry later", while an over-size request (which a retry cannot fix)
 * names its size instead.
 */
export function isTransientExhaustion(code: number, message: string): boolean {
  return code === Code.RESOURCE_EXHAUSTED && /retry later/i.test(message);
}

/** Trailers of a refusal; the pushback only when retrying can help. */
export function trailersFor(err: ApiError): Metadata {
  const md = new Metadata();
  if (err instanceof RetryLaterError) md.set(RETRY_PUSHBACK_KEY, String(err.retryAfterMs));
  else if (isTransientExhaustion(err.code, err.message)) md.set(RETRY_PUSHBACK_KEY, String(DEFAULT_RETRY_AFTER_MS));
  return md;
}
