// Cluster membership from a Kafka consumer group. Every instance joins the group `{cid}-core`
// subscribed to the core and metadata command topics; the leader runs our sticky assignor; each
// member carries its addresses (and what it owns and follows now) in its join metadata. The group
// only decides ownership: nothing is fetched or committed through it. Standby partitions travel
// in the same assignment, as partitions of the core changelog topic (what a standby reads). Every
// member learns the whole map by describing the group after each join and every few seconds.
import type { Admin, Consumer, ExtendedGroupProtocolSubscription, GroupAssignment, GroupPartitionsAssignments } from '@platformatic/kafka';
import type { EngineLogger } from '../engine/engine-logger.ts';
import { METADATA_PARTITION } from '../commands/routing.ts';
import type { ClusterView, MemberInfo } from './cluster-view.ts';
import { assignPartitions, type AssignorMember } from './partition-assignor.ts';

export interface Ownership {
  partitions: ReadonlySet<number>;
  metadata: boolean;
  /** Core partitions this instance follows as a standby (never one of `partitions`). */
  standby: ReadonlySet<number>;
}

export interface MembershipOptions {
  /** A consumer used for nothing but the group. */
  consumer: Consumer;
  admin: Admin;
  groupId: string;
  self: MemberInfo;
  coreCommandTopic: string;
  metadataCommandTopic: string;
  /** The topic whose partitions name standby assignments (the core changelog). */
  standbyTopic: string;
  /** Standbys per partition the assignor gives out when this member leads the group. */
  standbyReplicas: number;
  partitionCount: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  refreshIntervalMs: number;
  logger: EngineLogger;
  /** Told what this instance owns after every join (the same set again is possible). */
  onAssignment: (owned: Ownership) => void;
}

interface JoinData {
  member: MemberInfo;
  owned: number[];
  ownsMetadata: boolean;
  /** Absent in the join metadata of members from before standbys existed. */
  standby?: number[];
}

const PROTOCOL = 'filly-sticky';

export class KafkaMembership implements ClusterView {
  readonly self: MemberInfo;
  readonly #options: MembershipOptions;
  readonly #listeners = new Set<() => void>();
  #owned: Ownership = { partitions: new Set(), metadata: false, standby: new Set() };
  #owners = new Map<number, MemberInfo>();
  #members: MemberInfo[] = [];
  #refreshTimer: NodeJS.Timeout | undefined;
  #refreshing = false;
  #closed = false;

  constructor(options: MembershipOptions) {
    this.#options = options;
    this.self = options.self;
  }

  async start(): Promise<void> {
    const o = this.#options;
    o.consumer.topics.trackAll(o.coreCommandTopic, o.metadataCommandTopic);
    o.consumer.on('consumer:group:join', (payload) => this.#onJoin(payload.assignments ?? []));
    await o.consumer.joinGroup({
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: o.heartbeatIntervalMs,
      rebalanceTimeout: o.rebalanceTimeoutMs,
      protocols: [{ name: PROTOCOL, version: 1 }],
      protocolsMetadata: () => this.#joinMetadata(),
      partitionAssigner: (_current, members) => this.#assign(members),
    });
    this.#refreshTimer = setInterval(() => void this.refresh(), o.refreshIntervalMs);
    this.#refreshTimer.unref();
  }

  ownerOf(partition: number): MemberInfo | undefined {
    return this.#owners.get(partition);
  }

  members(): MemberInfo[] {
    return this.#members;
  }

  get owned(): Ownership {
    return this.#owned;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#refreshTimer) clearInterval(this.#refreshTimer);
    // Leaving at once makes the group rebalance now instead of after the session timeout.
    try {
      await this.#options.consumer.leaveGroup();
    } catch {
      // Leaving is a courtesy; the session timeout does the same later.
    }
    await Promise.allSettled([this.#options.consumer.close(true), this.#options.admin.close()]);
  }

  /** Reads the whole ownership map from the group coordinator. */
  async refresh(): Promise<void> {
    if (this.#refreshing || this.#closed) return;
    this.#refreshing = true;
    try {
      const o = this.#options;
      const groups = await o.admin.describeGroups({ groups: [o.groupId] });
      const group = groups.get(o.groupId);
      if (!group || String(group.state).toUpperCase() !== 'STABLE') return;
      const owners = new Map<number, MemberInfo>();
      const members: MemberInfo[] = [];
      for (const member of group.members.values()) {
        const data = decodeJoinData(member.metadata?.metadata);
        if (!data) continue;
        members.push(data.member);
        for (const assignment of member.assignments?.values() ?? []) this.#recordOwner(owners, assignment, data.member);
      }
      members.sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
      this.#publish(owners, members);
    } catch (err) {
      this.#options.logger.warn({ err }, 'could not describe the consumer group');
    } finally {
      this.#refreshing = false;
    }
  }

  #recordOwner(owners: Map<number, MemberInfo>, assignment: GroupAssignment, member: MemberInfo): void {
    const o = this.#options;
    if (assignment.topic === o.metadataCommandTopic && assignment.partitions.includes(0)) owners.set(METADATA_PARTITION, member);
    if (assignment.topic === o.coreCommandTopic) for (const p of assignment.partitions) owners.set(p, member);
  }

  #publish(owners: Map<number, MemberInfo>, members: MemberInfo[]): void {
    const changed = !sameOwners(owners, this.#owners) || members.map((m) => m.instanceId).join() !== this.#members.map((m) => m.instanceId).join();
    this.#owners = owners;
    this.#members = members;
    if (changed) for (const listener of this.#listeners) listener();
  }

  #onJoin(assignments: GroupAssignment[]): void {
    const o = this.#options;
    const partitions = new Set<number>();
    const standby = new Set<number>();
    let metadata = false;
    for (const a of assignments) {
      if (a.topic === o.coreCommandTopic) for (const p of a.partitions) partitions.add(p);
      if (a.topic === o.metadataCommandTopic && a.partitions.includes(0)) metadata = true;
      // A member configured without standbys follows nothing, and so claims no copies.
      if (a.topic === o.standbyTopic && o.standbyReplicas > 0) for (const p of a.partitions) standby.add(p);
    }
    // An owned partition is never also followed, whatever a confused leader sent.
    for (const p of partitions) standby.delete(p);
    this.#owned = { partitions, metadata, standby };
    // Until the next describe, at least what this instance owns is known exactly.
    const owners = new Map([...this.#owners].filter(([, m]) => m.instanceId !== this.self.instanceId));
    for (const p of partitions) owners.set(p, this.self);
    if (metadata) owners.set(METADATA_PARTITION, this.self);
    const members = this.#members.some((m) => m.instanceId === this.self.instanceId) ? this.#members : [...this.#members, this.self];
    o.logger.info({ partitions: [...partitions], metadata, standby: [...standby] }, 'partitions assigned');
    o.onAssignment(this.#owned);
    this.#publish(owners, members);
    void this.refresh();
  }

  #joinMetadata(): Buffer {
    const data: JoinData = { member: this.self, owned: [...this.#owned.partitions], ownsMetadata: this.#owned.metadata, standby: [...this.#owned.standby] };
    return Buffer.from(JSON.stringify(data), 'utf8');
  }

  #assign(members: Map<string, ExtendedGroupProtocolSubscription>): GroupPartitionsAssignments[] {
    const o = this.#options;
    const input: AssignorMember[] = [];
    for (const [memberId, sub] of members) {
      const data = decodeJoinData(sub.metadata);
      const standby = Array.isArray(data?.standby) ? data.standby.filter((p) => Number.isSafeInteger(p)) : [];
      input.push({ memberId, instanceId: data?.member.instanceId ?? memberId, owned: data?.owned ?? [], ownsMetadata: data?.ownsMetadata ?? false, standby });
    }
    return assignPartitions(input, o.partitionCount, o.standbyReplicas).map((a) => {
      const assignments = new Map<string, GroupAssignment>();
      assignments.set(o.coreCommandTopic, { topic: o.coreCommandTopic, partitions: a.partitions });
      assignments.set(o.metadataCommandTopic, { topic: o.metadataCommandTopic, partitions: a.ownsMetadata ? [0] : [] });
      if (a.standby.length > 0) assignments.set(o.standbyTopic, { topic: o.standbyTopic, partitions: a.standby });
      return { memberId: a.memberId, assignments };
    });
  }
}

function decodeJoinData(raw: Buffer | string | undefined | null): JoinData | undefined {
  if (raw === undefined || raw === null || raw.length === 0) return undefined;
  try {
    const data = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')) as JoinData;
    if (typeof data.member?.instanceId !== 'string' || !Array.isArray(data.owned)) return undefined;
    return data;
  } catch {
    return undefined;
  }
}

function sameOwners(a: Map<number, MemberInfo>, b: Map<number, MemberInfo>): boolean {
  if (a.size !== b.size) return false;
  for (const [p, m] of a) if (b.get(p)?.instanceId !== m.instanceId) return false;
  return true;
}
