// Reads committed records from a set of topic partitions at positions this instance chooses.
// Kafka mode keeps its input positions in its own state (committed in the same transaction as the
// state change), so it needs plain positioned reads, not a consumer group's stream: one Fetch per
// leader broker, READ_COMMITTED, with records of aborted transactions and control markers removed.
import { FetchIsolationLevels, IS_CONTROL, type Consumer } from '@platformatic/kafka';

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;
type FetchRequestTopic = Parameters<Consumer['fetch']>[0]['topics'][number];

export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Map<string, Buffer>;
}

export interface FetchLimits {
  /** How long the broker may hold a fetch that has nothing to return. */
  maxWaitMs: number;
  /** Bytes per partition per fetch (a batch larger than this is still returned whole). */
  maxBytesPerPartition: number;
  /** Bytes per fetch response. */
  maxBytes: number;
}

/** Kafka error codes a positioned reader handles itself. */
const ERR_OFFSET_OUT_OF_RANGE = 1;
const RETRIABLE_LEADERSHIP_ERRORS = new Set([3, 5, 6, 74, 75, 100]); // unknown partition, leader gone, fenced/unknown epoch, unknown topic id

const positionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

export class OffsetOutOfRangeError extends Error {
  readonly topic: string;
  readonly partition: number;
  constructor(topic: string, partition: number, offset: bigint) {
    super(`offset ${offset} is out of range on ${topic}[${partition}]`);
    this.topic = topic;
    this.partition = partition;
  }
}

export class PartitionFetcher {
  readonly #consumer: Consumer;
  readonly #limits: FetchLimits;
  readonly #positions = new Map<string, { topic: string; partition: number; offset: bigint }>();
  /** Per partition: producers whose aborted transaction started before here and whose marker is not seen yet. */
  readonly #openAborts = new Map<string, Map<bigint, bigint>>();

  constructor(consumer: Consumer, limits: FetchLimits) {
    this.#consumer = consumer;
    this.#limits = limits;
  }

  /** Starts (or moves) reading a partition at `offset`. */
  seek(topic: string, partition: number, offset: bigint): void {
    const key = positionKey(topic, partition);
    this.#positions.set(key, { topic, partition, offset });
    this.#openAborts.delete(key);
  }

  forget(topic: string, partition: number): void {
    const key = positionKey(topic, partition);
    this.#positions.delete(key);
    this.#openAborts.delete(key);
  }

  position(topic: string, partition: number): bigint | undefined {
    return this.#positions.get(positionKey(topic, partition))?.offset;
  }

  get size(): number {
    return this.#positions.size;
  }

  /** The committed end of a partition: the next offset a READ_COMMITTED reader could see. */
  async endOffset(topic: string, partition: number): Promise<bigint> {
    const offsets = await this.#consumer.listOffsets({
      topics: [topic],
      partitions: { [topic]: [partition] },
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    const end = offsets.get(topic)?.[partition];
    if (end === undefined) throw new Error(`no end offset for ${topic}[${partition}]`);
    return end;
  }

  /** The first offset still held by a partition (earlier ones were deleted or compacted away). */
  async startOffset(topic: string, partition: number): Promise<bigint> {
    const offsets = await this.#consumer.listOffsets({ topics: [topic], partitions: { [topic]: [partition] }, timestamp: -2n });
    const start = offsets.get(topic)?.[partition];
    if (start === undefined) throw new Error(`no start offset for ${topic}[${partition}]`);
    return start;
  }

  /**
   * One round of fetches for every positioned partition; advances positions past what it
   * returns. May return nothing (after up to maxWaitMs). Records come in offset order per partition.
   */
  async fetch(): Promise<FetchedRecord[]> {
    if (this.#positions.size === 0) return [];
    const metadata = await this.#consumer.metadata({ topics: [...new Set([...this.#positions.values()].map((p) => p.topic))] });
    const byNode = new Map<number, FetchRequestTopic[]>();
    const topicNames = new Map<string, string>();
    const requested = new Map<string, bigint>();
    for (const pos of this.#positions.values()) {
      const topicMeta = metadata.topics.get(pos.topic);
      const leader = topicMeta?.partitions[pos.partition]?.leader;
      if (topicMeta === undefined || leader === undefined || leader < 0) continue;
      topicNames.set(topicMeta.id, pos.topic);
      requested.set(positionKey(pos.topic, pos.partition), pos.offset);
      const topics = byNode.get(leader) ?? [];
      byNode.set(leader, topics);
      let entry = topics.find((t) => t.topicId === topicMeta.id);
      if (!entry) {
        entry = { topicId: topicMeta.id, partitions: [] };
        topics.push(entry);
      }
      entry.partitions.push({
        partition: pos.partition,
        fetchOffset: pos.offset,
        partitionMaxBytes: this.#limits.maxBytesPerPartition,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      });
    }
    if (byNode.size === 0) {
      this.#consumer.clearMetadata();
      return [];
    }
    const responses = await Promise.all(
      [...byNode].map(([node, topics]) =>
        this.#consumer.fetch({
          node,
          topics,
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
          maxWaitTime: this.#limits.maxWaitMs,
          minBytes: 1,
          maxBytes: this.#limits.maxBytes,
        }),
      ),
    );
    const out: FetchedRecord[] = [];
    let staleMetadata = false;
    for (const response of responses) staleMetadata = this.#collect(response, topicNames, requested, out) || staleMetadata;
    if (staleMetadata) this.#consumer.clearMetadata();
    return out;
  }

  /** Appends the committed records of one response; true when leadership moved. */
  #collect(response: FetchResponse, topicNames: Map<string, string>, requested: Map<string, bigint>, out: FetchedRecord[]): boolean {
    let stale = false;
    for (const topicResponse of response.responses) {
      const topic = topicNames.get(topicResponse.topicId);
      if (topic === undefined) continue;
      for (const part of topicResponse.partitions) {
        const key = positionKey(topic, part.partitionIndex);
        const from = requested.get(key);
        const pos = this.#positions.get(key);
        // A seek or forget while the fetch was in flight wins over what it returned.
        if (from === undefined || pos === undefined || pos.offset !== from) continue;
        if (part.errorCode === ERR_OFFSET_OUT_OF_RANGE) throw new OffsetOutOfRangeError(topic, part.partitionIndex, from);
        if (part.errorCode !== 0) {
          if (RETRIABLE_LEADERSHIP_ERRORS.has(part.errorCode)) {
            stale = true;
            continue;
          }
          throw new Error(`fetch of ${topic}[${part.partitionIndex}] failed with Kafka error ${part.errorCode}`);
        }
        const open = this.#openAborts.get(key) ?? new Map<bigint, bigint>();
        for (const aborted of part.abortedTransactions ?? []) open.set(aborted.producerId, aborted.firstOffset);
        let next = from;
        for (const batch of part.records ?? []) {
          const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
          if (batchEnd > next) next = batchEnd;
          if (batch.attributes & IS_CONTROL) {
            // An abort marker (control type 0) closes that producer's aborted range.
            const controlType = batch.records[0]?.key?.readInt16BE(2);
            if (controlType === 0) open.delete(batch.producerId);
            continue;
          }
          const abortedFrom = open.get(batch.producerId);
          if (abortedFrom !== undefined && batch.firstOffset >= abortedFrom) continue;
          for (const record of batch.records) {
            const offset = batch.firstOffset + BigInt(record.offsetDelta);
            if (offset < from) continue; // a batch may start before the requested offset
            out.push({ topic, partition: part.partitionIndex, offset, key: record.key, value: record.value, headers: headerMap(record.headers) });
          }
        }
        if (open.size > 0) this.#openAborts.set(key, open);
        else this.#openAborts.delete(key);
        pos.offset = next;
      }
    }
    return stale;
  }
}

function headerMap(headers: [Buffer | null, Buffer | null][]): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  for (const [k, v] of headers) if (k !== null && v !== null) map.set(k.toString('utf8'), v);
  return map;
}
