// Bucket bounds of Filly's histograms. Timer lateness must resolve p99 to a few milliseconds
// anywhere between 1 ms and 10 s, so its bounds are dense at the low end and spread out above.

/** Milliseconds: how late a timer fired; also rpc latency and batch durations. */
export const LATENESS_BUCKETS_MS: readonly number[] = [
  0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 2_000, 5_000, 10_000,
];

/** Milliseconds: synchronous apply of a batch (in-memory work, usually well under 10 ms). */
export const APPLY_BUCKETS_MS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 100, 250, 500, 1_000];

/** Milliseconds: making a batch durable (an fsync, or a Kafka transaction). */
export const DURABLE_BUCKETS_MS: readonly number[] = [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 200, 500, 1_000, 5_000];

/** Milliseconds: how long a unary rpc took from arrival to answer. */
export const RPC_BUCKETS_MS: readonly number[] = [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

/** Commands in one batch (the default cap is 1,000 per batch). */
export const BATCH_SIZE_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_000, 2_000, 5_000];
