import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUCKET_COUNT, HIGHEST_TRACKABLE, Histogram, bucketOf, bucketRange } from './histogram.ts';

/** Exact percentile of a sorted array by the same rank rule the histogram uses. */
function exactPercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** A deterministic spread of values over several orders of magnitude. */
function values(n: number, seed: number): number[] {
  let x = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const exp = (x % 2400) / 100; // 0 .. 24: up to ~16 s in microseconds
    out.push(Math.floor(2 ** exp));
  }
  return out;
}

test('small values are counted exactly', () => {
  const h = new Histogram();
  for (let v = 0; v < 256; v++) h.record(v);
  assert.equal(h.count, 256);
  assert.equal(h.min, 0);
  assert.equal(h.max, 255);
  assert.equal(h.percentile(50), 127);
  assert.equal(h.percentile(1), 2);
});

test('every bucket holds exactly the values that map to it, and buckets tile the range', () => {
  let expectedLo = 0;
  for (let i = 0; i < BUCKET_COUNT; i++) {
    const [lo, hi] = bucketRange(i);
    assert.equal(lo, expectedLo, `bucket ${i} starts where the previous ended`);
    assert.equal(bucketOf(lo), i);
    assert.equal(bucketOf(hi), i);
    if (lo >= 256) assert.ok((hi - lo + 1) / lo <= 1 / 128 + 1e-12, `bucket ${i} is at most 1/128 wide`);
    expectedLo = hi + 1;
  }
  assert.equal(expectedLo - 1, HIGHEST_TRACKABLE);
});

test('percentiles are within 1% of the exact ones', () => {
  const data = values(50_000, 7);
  const h = new Histogram();
  for (const v of data) h.record(v);
  const sorted = [...data].sort((a, b) => a - b);
  for (const p of [1, 10, 50, 75, 90, 99, 99.9, 99.99]) {
    const exact = exactPercentile(sorted, p);
    const got = h.percentile(p);
    assert.ok(Math.abs(got - exact) <= Math.max(0.5, exact * 0.01), `p${p}: got ${got}, exact ${exact}`);
  }
  assert.equal(h.percentile(100), sorted[sorted.length - 1]);
  assert.equal(h.min, sorted[0]);
  const mean = data.reduce((a, b) => a + b, 0) / data.length;
  assert.ok(Math.abs(h.mean - mean) < 1e-6 * mean);
});

test('merging histograms equals recording everything in one', () => {
  const a = new Histogram();
  const b = new Histogram();
  const all = new Histogram();
  values(10_000, 1).forEach((v) => { a.record(v); all.record(v); });
  values(10_000, 2).forEach((v) => { b.record(v * 3); all.record(v * 3); });
  const merged = new Histogram().merge(a.snapshot()).merge(b);
  assert.deepEqual(merged.snapshot(), all.snapshot());
  assert.deepEqual(merged.summary(), all.summary());
});

test('a snapshot survives JSON and structured cloning', () => {
  const h = new Histogram();
  values(1_000, 3).forEach((v) => h.record(v));
  const viaJson = Histogram.from(JSON.parse(JSON.stringify(h.snapshot())));
  const viaClone = Histogram.from(structuredClone(h.snapshot()));
  assert.deepEqual(viaJson.summary(), h.summary());
  assert.deepEqual(viaClone.summary(), h.summary());
});

test('an inconsistent snapshot is refused', () => {
  const snap = new Histogram().snapshot();
  assert.throws(() => new Histogram().merge({ ...snap, count: 3, buckets: [[5, 2]], min: 5, max: 5 }), /inconsistent/);
  assert.throws(() => new Histogram().merge({ ...snap, count: 1, buckets: [[BUCKET_COUNT, 1]], min: 5, max: 5 }), /no bucket/);
});

test('negative and huge values are kept visible, not lost', () => {
  const h = new Histogram();
  h.record(-5);
  h.record(HIGHEST_TRACKABLE * 4);
  h.record(100, 3);
  assert.equal(h.count, 5);
  const snap = h.snapshot();
  assert.equal(snap.negatives, 1);
  assert.equal(snap.overflows, 1);
  assert.equal(h.min, 0);
  assert.equal(h.max, HIGHEST_TRACKABLE * 4);
  assert.equal(h.percentile(50), 100);
});

test('empty histograms answer zeros and reset empties', () => {
  const h = new Histogram();
  assert.deepEqual(h.summary(), { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  h.record(1234);
  h.reset();
  assert.equal(h.count, 0);
  assert.equal(h.snapshot().buckets.length, 0);
  assert.throws(() => h.percentile(0), RangeError);
  assert.throws(() => h.record(Number.NaN), RangeError);
});
