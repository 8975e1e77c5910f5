import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, partitionForKey } from './partition.ts';

// Reference values of Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2).
test('murmur2 matches the Kafka partitioner on known inputs', () => {
  const enc = new TextEncoder();
  assert.equal(murmur2(enc.encode('21')), -973932308);
  assert.equal(murmur2(enc.encode('foobar')), -790332482);
  assert.equal(murmur2(enc.encode('a-little-bit-long-string')), -985981536);
  assert.equal(murmur2(enc.encode('a-little-bit-longer-string')), -1486304829);
  assert.equal(murmur2(enc.encode('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')), -58897971);
  assert.equal(murmur2(enc.encode('abc')), 479470107);
});

test('partitions are stable and in range', () => {
  for (let i = 0; i < 1000; i++) {
    const p = partitionForKey(`wf-${i}`, 12);
    assert.ok(p >= 0 && p < 12);
    assert.equal(p, partitionForKey(`wf-${i}`, 12));
  }
});
