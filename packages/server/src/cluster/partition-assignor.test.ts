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

// ---- standbys ------------------------------------------------------------------------------------

type Result = ReturnType<typeof assignPartitions>;

/** Feeds a result back as the members' join metadata, as the next rebalance would see it. */
const asMembers = (result: Result): AssignorMember[] =>
  result.map((r) => ({ memberId: r.memberId, instanceId: r.memberId.slice(2), owned: r.partitions, ownsMetadata: r.ownsMetadata, standby: r.standby }));

function checkStandbys(result: Result, partitionCount: number, replicas: number): void {
  check(result, partitionCount);
  for (let p = 0; p < partitionCount; p++) {
    const holders = result.filter((r) => r.standby.includes(p));
    assert.equal(holders.length, Math.min(replicas, result.length - 1), `partition ${p} has its standbys`);
    assert.ok(!holders.some((r) => r.partitions.includes(p)), `the owner of ${p} is not its standby`);
  }
  for (const r of result) assert.equal(new Set(r.standby).size, r.standby.length, 'no partition twice in one member');
  const sizes = result.map((r) => r.standby.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `standbys spread evenly: ${sizes}`);
}

test('no standbys unless asked for; a single member has none whatever is asked', () => {
  for (const r of assignPartitions([member('a'), member('b')], 6)) assert.deepEqual(r.standby, []);
  assert.deepEqual(assignPartitions([member('a')], 6, 2)[0]!.standby, []);
});

test('every partition gets its standbys on other members, spread evenly', () => {
  for (const [members, partitions, replicas] of [[3, 12, 1], [3, 3, 1], [3, 12, 2], [4, 7, 1], [5, 13, 2], [2, 7, 3], [6, 1, 1]] as const) {
    const list = Array.from({ length: members }, (_, i) => member(String.fromCharCode(97 + i)));
    checkStandbys(assignPartitions(list, partitions, replicas), partitions, replicas);
  }
});

test('an unchanged group gets the same standbys again', () => {
  const first = assignPartitions([member('a'), member('b'), member('c')], 12, 1);
  assert.deepEqual(assignPartitions(asMembers(first), 12, 1), first);
  assert.deepEqual(assignPartitions([...asMembers(first)].reverse(), 12, 1), first, 'order of members does not matter');
});

test('when an owner leaves, its partitions go to their standbys, which restore only a tail', () => {
  const three = assignPartitions([member('a'), member('b'), member('c')], 12, 1);
  const gone = three.find((r) => r.memberId === 'm-b')!;
  const after = assignPartitions(asMembers(three).filter((m) => m.memberId !== 'm-b'), 12, 1);
  checkStandbys(after, 12, 1);
  for (const p of gone.partitions) {
    const standby = three.find((r) => r.standby.includes(p))!;
    assert.ok(after.find((r) => r.memberId === standby.memberId)!.partitions.includes(p), `partition ${p} moved to its standby ${standby.memberId}`);
  }
  for (const r of after) for (const p of three.find((t) => t.memberId === r.memberId)!.partitions) assert.ok(r.partitions.includes(p), 'survivors keep what they owned');
});

test('a joining member takes standbys, and the members that give partitions up keep copies of them', () => {
  const two = assignPartitions([member('a'), member('b')], 12, 1);
  const after = assignPartitions([...asMembers(two), member('c')], 12, 1);
  checkStandbys(after, 12, 1);
  const c = after.find((r) => r.memberId === 'm-c')!;
  assert.equal(c.partitions.length, 4);
  for (const p of c.partitions) {
    const formerOwner = two.find((r) => r.partitions.includes(p))!.memberId;
    assert.ok(after.find((r) => r.memberId === formerOwner)!.standby.includes(p), `the former owner of ${p} follows it now`);
  }
  let kept = 0;
  for (const r of after) for (const p of r.standby) if (two.find((t) => t.memberId === r.memberId)?.standby.includes(p) === true) kept++;
  assert.ok(kept >= 4, `standbys are sticky too (${kept} kept)`);
});

test('standby claims beyond the partition range are ignored; a bad replica count is refused', () => {
  const result = assignPartitions([{ ...member('a'), standby: [-1, 40] }, member('b')], 4, 1);
  checkStandbys(result, 4, 1);
  assert.throws(() => assignPartitions([member('a')], 4, -1), /bad standby replica count/);
});

test('members joining one by one spread each owner’s standbys, so any one can die and its partitions all go to standbys', () => {
  for (const partitions of [6, 12, 24]) {
    let result: Result = [{ memberId: 'm-a', partitions: Array.from({ length: partitions }, (_, i) => i), ownsMetadata: true, standby: [] }];
    for (const id of ['b', 'c']) result = assignPartitions([...asMembers(result), member(id)], partitions, 1);
    checkStandbys(result, partitions, 1);
    for (const victim of result) {
      const after = assignPartitions(asMembers(result).filter((m) => m.memberId !== victim.memberId), partitions, 1);
      for (const p of victim.partitions) {
        const newOwner = after.find((r) => r.partitions.includes(p))!;
        assert.ok(result.find((r) => r.memberId === newOwner.memberId)!.standby.includes(p), `${partitions} partitions: ${p} of ${victim.memberId} moved to its standby`);
      }
    }
  }
});

test('the one extra place goes to the member that follows the orphaned partition, not to the first in sort order', () => {
  const four = assignPartitions([member('a'), member('b'), member('c'), member('d')], 4, 1);
  for (const victim of four) {
    const after = assignPartitions(asMembers(four).filter((m) => m.memberId !== victim.memberId), 4, 1);
    check(after, 4);
    const p = victim.partitions[0]!;
    const standby = four.find((r) => r.standby.includes(p))!.memberId;
    assert.ok(after.find((r) => r.memberId === standby)!.partitions.includes(p), `partition ${p} moved to its standby ${standby}`);
  }
});
