import type { Timestamp } from '@filly/proto';

/** A protobuf Timestamp for a time in epoch milliseconds. */
export function timestampOfMs(ms: number): Timestamp {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`timestampOfMs: bad time ${ms}`);
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}
