// Clocks every bench process agrees on. process.hrtime reads CLOCK_MONOTONIC, which on Linux is
// one clock for the whole machine, so a timestamp taken in a client process can be subtracted
// from one taken in a worker process. Wall-clock time is only used to compare with the server's
// own timestamps (WfRun start time, task creation time), which are wall-clock milliseconds.

/** Monotonic microseconds, comparable across processes of this machine. */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Wall-clock milliseconds with a fractional part. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
