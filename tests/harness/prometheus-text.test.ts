import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketQuantile, histogramDelta, histogramOf, parseSamples, sampleSum } from './prometheus-text.ts';

const PAGE = `# HELP t_ms lateness
# TYPE t_ms histogram
t_ms_bucket{le="1",server="a"} 2
t_ms_bucket{le="10",server="a"} 7
t_ms_bucket{le="+Inf",server="a"} 8
t_ms_sum{server="a"} 120.5
t_ms_count{server="a"} 8
t_ms_bucket{le="1",server="b"} 0
t_ms_bucket{le="10",server="b"} 1
t_ms_bucket{le="+Inf",server="b"} 2
t_ms_sum{server="b"} 30
t_ms_count{server="b"} 2
rpcs_total{method="RunWf",code="OK"} 5 1700000000000
odd{v="a \\"quoted\\", comma\\\\ and\\nline"} 1
lag Nan
plain 3.5e2
`;

test('samples: labels with escapes, timestamps, NaN in any case', () => {
  const s = parseSamples(PAGE);
  assert.equal(sampleSum(s, 'rpcs_total', { method: 'RunWf', code: 'OK' }), 5);
  assert.equal(s.find((x) => x.name === 'odd')?.labels['v'], 'a "quoted", comma\\ and\nline');
  assert.ok(Number.isNaN(s.find((x) => x.name === 'lag')?.value));
  assert.equal(sampleSum(s, 'plain'), 350);
  assert.throws(() => parseSamples('broken{le="1" 3\n'), /bad label/);
  assert.throws(() => parseSamples('broken{le="1\n'), /unterminated/);
  assert.throws(() => parseSamples('novalue\n'), /no value/);
});

test('histograms sum over series, subtract, and give quantiles at bucket resolution', () => {
  const s = parseSamples(PAGE);
  const both = histogramOf(s, 't_ms')!;
  assert.deepEqual(both.buckets, [{ le: 1, count: 2 }, { le: 10, count: 8 }, { le: Infinity, count: 10 }]);
  assert.equal(both.count, 10);
  assert.equal(both.sum, 150.5);
  const a = histogramOf(s, 't_ms', { server: 'a' })!;
  assert.equal(bucketQuantile(a, 0.25), 1, '2 of 8 are <= 1');
  assert.equal(bucketQuantile(a, 0.5), 10);
  assert.equal(bucketQuantile(a, 0.875), 10, 'the 7th of 8 is still <= 10');
  assert.equal(bucketQuantile(a, 0.99), Infinity);
  const delta = histogramDelta(both, a);
  assert.deepEqual(delta.buckets.map((b) => b.count), [0, 1, 2]);
  assert.equal(delta.count, 2);
  assert.equal(bucketQuantile(histogramDelta(a, a), 0.5), undefined, 'nothing observed, no quantile');
  assert.equal(histogramOf(s, 'missing'), undefined);
});
