import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignPartitions, type AssignorMember } from './partition-assignor.ts';

const member = (id: string, owned: number[] = [], ownsMetadata = false): AssignorMember => ({ memberId: `m-${id}`, instanceId: id, owned, ownsMetadata });

function check(result: ReturnType<typeof assignPartitions>, partitionCount: number): void {
  const all = result.flatMap((r) => r.partitions).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: partitionCount }, (_, i) => i), 'every partition exactly once');
  assert.equal(result.filter((r) => r.ownsMetadata).length, 1, 'one metadata owner');
  const sizes = result.map((r) => r.partitions.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
}

test('a single member owns everything', () => {
  const result = assignPartitions([member('a')], 12);
  check(result, 12);
  assert.equal(result[0]!.partitions.length, 12);
});

test('three fresh members split twelve partitions four each', () => {
  const result = assignPartitions([member('c'), member('a'), member('b')], 12);
  check(result, 12);
  assert.deepEqual(result.map((r) => r.partitions.length), [4, 4, 4]);
});

test('a joining member takes partitions without moving the others more than needed', () => {
  const before = assignPartitions([member('a'), member('b')], 12);
  const owned = new Map(before.map((r) => [r.memberId, r.partitions]));
  const after = assignPartitions([member('a', owned.get('m-a')!, before[0]!.ownsMetadata), member('b', owned.get('m-b')!, before[1]!.ownsMetadata), member('c')], 12);
  check(after, 12);
  let moved = 0;
  for (const r of after) for (const p of r.partitions) if (!(owned.get(r.memberId) ?? []).includes(p)) moved++;
  assert.equal(moved, 4, 'only the new member’s share moves');
  assert.equal(after.find((r) => r.memberId === 'm-a')!.ownsMetadata || after.find((r) => r.memberId === 'm-b')!.ownsMetadata, true, 'metadata stays put');
});

test('a leaving member’s partitions are spread over the rest', () => {
  const three = assignPartitions([member('a'), member('b'), member('c')], 12);
  const survivors = three.filter((r) => r.memberId !== 'm-b').map((r) => member(r.memberId.slice(2), r.partitions, r.ownsMetadata));
  const after = assignPartitions(survivors, 12);
  check(after, 12);
  for (const r of after) for (const p of three.find((t) => t.memberId === r.memberId)!.partitions) assert.ok(r.partitions.includes(p), 'kept what it had');
});

test('the result does not depend on member order; claims beyond the range or quota are ignored', () => {
  const members = [member('b', [0, 1, 2, 3, 4, 5, 6, 99]), member('a', [0, 7])];
  const x = assignPartitions(members, 8);
  const y = assignPartitions([...members].reverse(), 8);
  check(x, 8);
  assert.deepEqual(x, y);
});
