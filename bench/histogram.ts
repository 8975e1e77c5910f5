// A latency histogram in the spirit of HdrHistogram: values below 256 are counted exactly, and
// every power of two above is split into 128 equal buckets, so a bucket is never wider than
// 1/128 (0.8%) of the values it holds. Memory is fixed (one array of BUCKET_COUNT counts)
// whatever is recorded, and two histograms merge by adding counts, so each process records
// its own and the coordinator adds them up.

/** Values below this are their own bucket. */
const EXACT_LIMIT = 256;
/** Buckets per power of two above EXACT_LIMIT. */
const SUB_BUCKETS = 128;
/** Largest shift: values reach 2^(8 + MAX_SHIFT) - 1 before they are clamped. */
const MAX_SHIFT = 36;
export const BUCKET_COUNT = EXACT_LIMIT + MAX_SHIFT * SUB_BUCKETS;
/** Values at or above this are counted in the last bucket (and in `overflows`). */
export const HIGHEST_TRACKABLE = 2 ** (8 + MAX_SHIFT) - 1;
const TWO_POW_32 = 2 ** 32;

/** A histogram as plain data: sent between processes and written to result files. */
export interface HistogramSnapshot {
  /** [bucketIndex, count] for every non-empty bucket, ascending. */
  buckets: Array<[number, number]>;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Values below zero, recorded as zero (a sign of clock or logic trouble worth showing). */
  negatives: number;
  /** Values above HIGHEST_TRACKABLE, recorded in the last bucket. */
  overflows: number;
}

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

function bitLength(v: number): number {
  if (v < TWO_POW_32) return 32 - Math.clz32(v);
  return 64 - Math.clz32(Math.floor(v / TWO_POW_32));
}

/** The bucket of a non-negative integer value at most HIGHEST_TRACKABLE. */
export function bucketOf(value: number): number {
  if (value < EXACT_LIMIT) return value;
  const shift = bitLength(value) - 8;
  const top = Math.floor(value / 2 ** shift);
  return EXACT_LIMIT + (shift - 1) * SUB_BUCKETS + (top - SUB_BUCKETS);
}

/** The smallest and largest value a bucket holds. */
export function bucketRange(index: number): [number, number] {
  if (!Number.isInteger(index) || index < 0 || index >= BUCKET_COUNT) throw new RangeError(`no bucket ${index}`);
  if (index < EXACT_LIMIT) return [index, index];
  const rel = index - EXACT_LIMIT;
  const shift = Math.floor(rel / SUB_BUCKETS) + 1;
  const top = (rel % SUB_BUCKETS) + SUB_BUCKETS;
  const width = 2 ** shift;
  return [top * width, (top + 1) * width - 1];
}

export class Histogram {
  readonly #counts = new Float64Array(BUCKET_COUNT);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;
  #negatives = 0;
  #overflows = 0;

  get count(): number { return this.#count; }
  get min(): number { return this.#count === 0 ? 0 : this.#min; }
  get max(): number { return this.#count === 0 ? 0 : this.#max; }
  get mean(): number { return this.#count === 0 ? 0 : this.#sum / this.#count; }

  /** Records a value (rounded to an integer), `times` times. */
  record(value: number, times = 1): void {
    if (!Number.isFinite(value)) throw new RangeError(`histogram value must be finite, got ${value}`);
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a positive integer, got ${times}`);
    let v = Math.round(value);
    if (v < 0) {
      this.#negatives += times;
      v = 0;
    }
    if (v > HIGHEST_TRACKABLE) {
      this.#overflows += times;
      this.#counts[BUCKET_COUNT - 1]! += times;
    } else {
      this.#counts[bucketOf(v)]! += times;
    }
    this.#count += times;
    this.#sum += v * times;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /**
   * The value at percentile p (0 < p <= 100): the middle of the bucket holding the
   * ceil(p% * count)-th smallest value, kept inside [min, max]. 0 when empty.
   */
  percentile(p: number): number {
    if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
    if (this.#count === 0) return 0;
    if (p === 100) return this.#max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) {
        const [lo, hi] = bucketRange(i);
        const mid = lo === hi ? lo : (lo + hi) / 2;
        return Math.min(this.#max, Math.max(this.#min, mid));
      }
    }
    return this.#max;
  }

  summary(): Summary {
    return {
      count: this.#count,
      min: this.min,
      mean: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.max,
    };
  }

  merge(other: Histogram | HistogramSnapshot): this {
    const snap = other instanceof Histogram ? other.snapshot() : other;
    if (snap.count === 0) return this;
    let bucketTotal = 0;
    for (const [index, n] of snap.buckets) {
      if (!Number.isInteger(index) || index < 0 || index >= BUCKET_COUNT) throw new RangeError(`snapshot has no bucket ${index}`);
      this.#counts[index]! += n;
      bucketTotal += n;
    }
    if (bucketTotal !== snap.count) throw new Error(`histogram snapshot is inconsistent: buckets hold ${bucketTotal}, count says ${snap.count}`);
    this.#count += snap.count;
    this.#sum += snap.sum;
    this.#min = Math.min(this.#min, snap.min);
    this.#max = Math.max(this.#max, snap.max);
    this.#negatives += snap.negatives;
    this.#overflows += snap.overflows;
    return this;
  }

  snapshot(): HistogramSnapshot {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < BUCKET_COUNT; i++) {
      const n = this.#counts[i]!;
      if (n !== 0) buckets.push([i, n]);
    }
    return { buckets, count: this.#count, sum: this.#sum, min: this.min, max: this.max, negatives: this.#negatives, overflows: this.#overflows };
  }

  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
    this.#negatives = 0;
    this.#overflows = 0;
  }

  static from(snap: HistogramSnapshot): Histogram {
    return new Histogram().merge(snap);
  }
}
