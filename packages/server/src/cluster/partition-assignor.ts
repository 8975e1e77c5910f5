// Who owns which partition, decided by the consumer group's leader. Pure. Sticky: a member keeps
// the partitions it already has up to its fair share, so a join or a leave moves as few
// partitions (and so as few restores) as possible. The metadata partition counts as one more.
export interface AssignorMember {
  memberId: string;
  /** Stable sort key (the instance id), so every leader computes the same result. */
  instanceId: string;
  /** Core partitions the member owns now (from its join metadata). */
  owned: readonly number[];
  ownsMetadata: boolean;
}

export interface MemberAssignment {
  memberId: string;
  partitions: number[];
  ownsMetadata: boolean;
}

export function assignPartitions(members: readonly AssignorMember[], partitionCount: number): MemberAssignment[] {
  if (!Number.isSafeInteger(partitionCount) || partitionCount <= 0) throw new Error(`bad partition count ${partitionCount}`);
  if (members.length === 0) return [];
  const sorted = [...members].sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : a.memberId < b.memberId ? -1 : 1));
  const base = Math.floor(partitionCount / sorted.length);
  const extra = partitionCount % sorted.length;
  // The first `extra` members (in sort order) may hold one more partition.
  const quota = new Map(sorted.map((m, i) => [m.memberId, base + (i < extra ? 1 : 0)]));
  const result = new Map(sorted.map((m) => [m.memberId, { memberId: m.memberId, partitions: [] as number[], ownsMetadata: false }]));
  const taken = new Set<number>();
  for (const member of sorted) {
    const mine = result.get(member.memberId)!;
    for (const p of [...member.owned].sort((a, b) => a - b)) {
      if (p < 0 || p >= partitionCount || taken.has(p) || mine.partitions.length >= quota.get(member.memberId)!) continue;
      mine.partitions.push(p);
      taken.add(p);
    }
  }
  let cursor = 0;
  for (let p = 0; p < partitionCount; p++) {
    if (taken.has(p)) continue;
    // Bounded: some member is below quota while a partition is unassigned (quotas sum to the count).
    for (let tries = 0; tries < sorted.length; tries++) {
      const member = sorted[cursor % sorted.length]!;
      cursor++;
      const mine = result.get(member.memberId)!;
      if (mine.partitions.length < quota.get(member.memberId)!) {
        mine.partitions.push(p);
        taken.add(p);
        break;
      }
    }
    if (!taken.has(p)) throw new Error(`partition ${p} could not be assigned`);
  }
  const metadataOwner =
    sorted.find((m) => m.ownsMetadata) ??
    // Otherwise the member with the fewest core partitions, first in sort order.
    [...sorted].sort((a, b) => result.get(a.memberId)!.partitions.length - result.get(b.memberId)!.partitions.length)[0]!;
  result.get(metadataOwner.memberId)!.ownsMetadata = true;
  for (const r of result.values()) r.partitions.sort((a, b) => a - b);
  return sorted.map((m) => result.get(m.memberId)!);
}
