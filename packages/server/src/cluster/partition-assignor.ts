// Who owns which partition, and who keeps a standby copy of it, decided by the consumer group's
// leader. Pure: every member computes the same answer from the same group state. Sticky: a member
// keeps the partitions it already has up to its fair share, so a join or a leave moves as few
// partitions (and so as few restores) as possible; a partition whose owner left goes first to a
// member that already holds a copy of it (its standby), so the takeover restores only a tail. The
// metadata partition counts as one more unit of work and has no standbys (every member follows it).
export interface AssignorMember {
  memberId: string;
  /** Stable sort key (the instance id), so every leader computes the same result. */
  instanceId: string;
  /** Core partitions the member owns now (from its join metadata). */
  owned: readonly number[];
  ownsMetadata: boolean;
  /** Core partitions the member follows as a standby now (absent from older members). */
  standby?: readonly number[];
}

export interface MemberAssignment {
  memberId: string;
  partitions: number[];
  ownsMetadata: boolean;
  /** Core partitions whose changelog this member follows without owning them. */
  standby: number[];
}

interface Slot {
  member: AssignorMember;
  /** Position in the sorted member list: the last tie-breaker. */
  rank: number;
  partitions: number[];
  standby: number[];
  ownsMetadata: boolean;
}

export function assignPartitions(members: readonly AssignorMember[], partitionCount: number, standbyReplicas = 0): MemberAssignment[] {
  if (!Number.isSafeInteger(partitionCount) || partitionCount <= 0) throw new Error(`bad partition count ${partitionCount}`);
  if (!Number.isSafeInteger(standbyReplicas) || standbyReplicas < 0) throw new Error(`bad standby replica count ${standbyReplicas}`);
  if (members.length === 0) return [];
  const sorted = [...members].sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : a.memberId < b.memberId ? -1 : 1));
  const slots = sorted.map((member, rank): Slot => ({ member, rank, partitions: [], standby: [], ownsMetadata: false }));
  const owner = assignOwners(slots, partitionCount);
  assignStandbys(slots, owner, Math.min(standbyReplicas, slots.length - 1));
  const metadataOwner =
    slots.find((s) => s.member.ownsMetadata) ??
    // Otherwise the member with the fewest core partitions, first in sort order.
    [...slots].sort((a, b) => a.partitions.length - b.partitions.length || a.rank - b.rank)[0]!;
  metadataOwner.ownsMetadata = true;
  return slots.map((s) => ({
    memberId: s.member.memberId,
    partitions: s.partitions.sort((a, b) => a - b),
    ownsMetadata: s.ownsMetadata,
    standby: s.standby.sort((a, b) => a - b),
  }));
}

/**
 * Fills `slots[].partitions`; returns the owner slot of every partition. Every member ends with
 * `min` or `min + 1` partitions (min = partitions / members, rounded down); exactly partitions
 * mod members of them get `min + 1`. Who gets those extra places is not fixed in advance: first
 * members keep what they own, then a partition nobody keeps goes to a member that follows it as a
 * standby, then the rest go round the members.
 */
function assignOwners(slots: Slot[], partitionCount: number): Slot[] {
  const min = Math.floor(partitionCount / slots.length);
  let extrasLeft = partitionCount % slots.length;
  const owner: Array<Slot | undefined> = new Array(partitionCount).fill(undefined);
  const valid = (p: number): boolean => Number.isSafeInteger(p) && p >= 0 && p < partitionCount && owner[p] === undefined;
  const hasRoom = (s: Slot, upTo: number): boolean => s.partitions.length < Math.min(upTo, min) || (upTo > min && s.partitions.length === min && extrasLeft > 0);
  const take = (s: Slot, p: number): void => {
    if (s.partitions.length === min) extrasLeft--;
    s.partitions.push(p);
    owner[p] = s;
  };
  // Keep what is owned: up to `min` each first, so that the extra places go round fairly.
  for (const upTo of [min, min + 1]) {
    for (const slot of slots) {
      for (const p of [...slot.member.owned].sort((a, b) => a - b)) if (valid(p) && hasRoom(slot, upTo)) take(slot, p);
    }
  }
  for (let p = 0; p < partitionCount; p++) {
    if (owner[p] !== undefined) continue;
    const holder = slots.find((s) => hasRoom(s, min + 1) && (s.member.standby ?? []).includes(p));
    if (holder !== undefined) take(holder, p);
  }
  let cursor = 0;
  for (let p = 0; p < partitionCount; p++) {
    // Bounded: while a partition is unassigned, the places left (below min, or extra) number at
    // least the partitions left, so some member has room.
    for (let tries = 0; tries < slots.length && owner[p] === undefined; tries++) {
      const slot = slots[cursor % slots.length]!;
      cursor++;
      if (hasRoom(slot, min + 1)) take(slot, p);
    }
    if (owner[p] === undefined) throw new Error(`partition ${p} could not be assigned`);
  }
  return owner.map((s, p) => {
    if (s === undefined) throw new Error(`partition ${p} has no owner`);
    return s;
  });
}

/**
 * Gives every partition `replicas` standbys other than its owner, aiming at three things: even
 * shares (within one of each other), the standbys of one owner's partitions spread over the other
 * members (so that when it dies, its partitions can move to their standbys without overloading
 * one of them), and stickiness (a member that holds a copy, as a standby or as the owner until
 * now, keeps following the partition). First the sticky claims within both limits, then the rest
 * to the best-placed member, then the shares are evened out.
 */
function assignStandbys(slots: Slot[], owner: readonly Slot[], replicas: number): void {
  if (replicas <= 0) return;
  const plan = new StandbyPlan(slots, owner, replicas);
  for (let p = 0; p < owner.length; p++) {
    const previous = slots.filter((s) => plan.hadCopy(s, p) && plan.eligible(s, p)).sort((a, b) => plan.compare(a, b, p));
    for (const s of previous) {
      if (plan.holders[p]!.length >= replicas) break;
      if (s.standby.length < plan.share) plan.give(s, p);
    }
  }
  for (let p = 0; p < owner.length; p++) {
    // Bounded by replicas; an eligible member always exists since replicas < members.
    while (plan.holders[p]!.length < replicas) {
      const next = slots.filter((s) => plan.eligible(s, p)).sort((a, b) => plan.compare(a, b, p))[0];
      if (next === undefined) throw new Error(`partition ${p} could not get ${replicas} standbys`);
      plan.give(next, p);
    }
  }
  plan.evenOut();
}

class StandbyPlan {
  readonly slots: readonly Slot[];
  readonly owner: readonly Slot[];
  readonly holders: Slot[][];
  /** The even share of standbys per member, rounded up. */
  readonly share: number;
  readonly #replicas: number;

  constructor(slots: readonly Slot[], owner: readonly Slot[], replicas: number) {
    this.slots = slots;
    this.owner = owner;
    this.#replicas = replicas;
    this.holders = owner.map(() => []);
    this.share = Math.ceil((owner.length * replicas) / slots.length);
  }

  eligible(s: Slot, p: number): boolean {
    return this.owner[p] !== s && !this.holders[p]!.includes(s);
  }

  hadCopy(s: Slot, p: number): boolean {
    return (s.member.standby ?? []).includes(p) || s.member.owned.includes(p);
  }

  /** True when `s` already follows its fair part of the partitions owned by p's owner. */
  crowded(s: Slot, p: number): boolean {
    const o = this.owner[p]!;
    const fair = Math.ceil((o.partitions.length * this.#replicas) / (this.slots.length - 1));
    return this.#sameOwner(s, o) >= fair;
  }

  /** Which member is the better standby of p: not crowded, fewer standbys, more spread, less owned. */
  compare(a: Slot, b: Slot, p: number): number {
    const o = this.owner[p]!;
    return Number(this.crowded(a, p)) - Number(this.crowded(b, p)) ||
      a.standby.length - b.standby.length ||
      this.#sameOwner(a, o) - this.#sameOwner(b, o) ||
      a.partitions.length - b.partitions.length ||
      a.rank - b.rank;
  }

  give(s: Slot, p: number): void {
    s.standby.push(p);
    this.holders[p]!.push(s);
  }

  /**
   * Moves standbys from the members with the most to those with the fewest until the shares are
   * within one of each other, or no single move can narrow them. Bounded: every move narrows the
   * spread between two members, and there are at most partitions × replicas standbys to move.
   */
  evenOut(): void {
    const maxMoves = this.owner.length * this.slots.length;
    for (let move = 0; move < maxMoves; move++) {
      const byLoad = [...this.slots].sort((a, b) => b.standby.length - a.standby.length || a.rank - b.rank);
      const moved = byLoad.some((heavy) => [...byLoad].reverse().some((light) => heavy.standby.length - light.standby.length >= 2 && this.#move(heavy, light)));
      if (!moved) return;
    }
  }

  #move(from: Slot, to: Slot): boolean {
    const movable = from.standby.filter((p) => this.eligible(to, p));
    // Prefer a partition that keeps the spread, then one the receiver holds a copy of already.
    const rank = (p: number): number => (this.crowded(to, p) ? 2 : 0) + (this.hadCopy(to, p) ? 0 : 1);
    const p = movable.sort((x, y) => rank(x) - rank(y) || x - y)[0];
    if (p === undefined) return false;
    from.standby.splice(from.standby.indexOf(p), 1);
    this.holders[p]!.splice(this.holders[p]!.indexOf(from), 1, to);
    to.standby.push(p);
    return true;
  }

  #sameOwner(s: Slot, o: Slot): number {
    let n = 0;
    for (const p of s.standby) if (this.owner[p] === o) n++;
    return n;
  }
}
