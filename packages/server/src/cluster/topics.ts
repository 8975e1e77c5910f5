// The Kafka topics of a cluster, named and sized exactly as upstream's LHServerConfig
// (partitionsByTopic / getAllTopics) does, so Filly and a LittleHorse cluster id never disagree
// on what a topic is. ensureTopics creates what is missing (when allowed) and refuses to start
// on topics whose partition count differs: a different count silently moves every key to
// another partition, which would split one WfRun's history in two.
import type { Admin } from '@platformatic/kafka';
import type { KafkaSettings } from './kafka-settings.ts';

export interface TopicNames {
  /** Core commands, keyed by partition key. */
  coreCommand: string;
  /** Commands re-keyed to another partition (cron-started RunWf, cross-partition follow-ups). */
  coreRepartition: string;
  timers: string;
  /** Metadata commands: one partition, the global order of metadata writes. */
  metadataCommand: string;
  coreStoreChangelog: string;
  metadataStoreChangelog: string;
  timerStoreChangelog: string;
  repartitionStoreChangelog: string;
}

export function topicNames(clusterId: string): TopicNames {
  return {
    coreCommand: `${clusterId}-core-cmd`,
    coreRepartition: `${clusterId}-core-repartition`,
    timers: `${clusterId}-timers`,
    metadataCommand: `${clusterId}-metadata-cmd`,
    // Upstream's names come from Kafka Streams: {application.id}-{store}-changelog, where the
    // application ids are {cid}-core and {cid}-timer.
    coreStoreChangelog: `${clusterId}-core-core-store-changelog`,
    metadataStoreChangelog: `${clusterId}-core-metadata-store-changelog`,
    timerStoreChangelog: `${clusterId}-timer-timer-store-changelog`,
    repartitionStoreChangelog: `${clusterId}-core-core-repartition-store-changelog`,
  };
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** cleanup.policy=compact (changelogs: only the latest value of each key matters). */
  compacted: boolean;
}

/**
 * Every topic, in upstream's order. As upstream, the metadata command topic is compacted too:
 * compaction keeps the last record per key, so its producer must key records by something unique
 * (the command id). Upstream keys them all alike and relies on consumers never lagging behind the
 * compaction; do not copy that.
 */
export function expectedTopics(clusterId: string, partitionCount: number): TopicSpec[] {
  const t = topicNames(clusterId);
  return [
    { name: t.coreCommand, partitions: partitionCount, compacted: false },
    { name: t.metadataCommand, partitions: 1, compacted: true },
    { name: t.coreRepartition, partitions: partitionCount, compacted: false },
    { name: t.timers, partitions: partitionCount, compacted: false },
    { name: t.coreStoreChangelog, partitions: partitionCount, compacted: true },
    { name: t.repartitionStoreChangelog, partitions: partitionCount, compacted: true },
    { name: t.timerStoreChangelog, partitions: partitionCount, compacted: true },
    { name: t.metadataStoreChangelog, partitions: 1, compacted: true },
  ];
}

/** What ensureTopics needs to log; a pino logger fits. */
export interface TopicsLog {
  info(obj: object, msg: string): void;
}

/** A topic that exists with the wrong partition count, or that is missing and may not be created. */
export class TopicMismatchError extends Error {}

const TOPIC_ALREADY_EXISTS = 36;
const CREATE_PROPAGATION_TIMEOUT_MS = 30_000;
const CREATE_PROPAGATION_POLL_MS = 200;

/** Partition counts of the topics that exist (topics the broker does not know are absent). */
async function describePartitions(admin: Admin, names: string[]): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const present = names.filter((n) => existing.has(n));
  const counts = new Map<string, number>();
  if (present.length === 0) return counts;
  const metadata = await admin.metadata({ topics: present, forceUpdate: true });
  for (const name of present) {
    const topic = metadata.topics.get(name);
    if (topic !== undefined) counts.set(name, topic.partitionsCount);
  }
  return counts;
}

function isAlreadyExists(err: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (e === null || typeof e !== 'object' || seen.has(e) || seen.size > 50) return false;
    seen.add(e);
    const o = e as { apiCode?: unknown; errors?: unknown; cause?: unknown };
    if (o.apiCode === TOPIC_ALREADY_EXISTS) return true;
    if (Array.isArray(o.errors) && o.errors.some(visit)) return true;
    return visit(o.cause);
  };
  return visit(err);
}

async function createTopic(admin: Admin, spec: TopicSpec, replicationFactor: number): Promise<boolean> {
  try {
    await admin.createTopics({
      topics: [spec.name],
      partitions: spec.partitions,
      replicas: replicationFactor,
      configs: spec.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
    });
    return true;
  } catch (err) {
    // Another instance starting at the same time may win the race; its topic is checked below.
    if (isAlreadyExists(err)) return false;
    throw err;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Creates the missing topics when settings.shouldCreateTopics, then checks every topic exists with
 * its expected partition count. Throws TopicMismatchError naming the topic, the found and the
 * expected count otherwise. Returns the names of the topics it created.
 */
export async function ensureTopics(settings: KafkaSettings, admin: Admin, log: TopicsLog): Promise<string[]> {
  const specs = expectedTopics(settings.clusterId, settings.partitionCount);
  const names = specs.map((s) => s.name);
  let counts = await describePartitions(admin, names);
  const created: string[] = [];
  if (settings.shouldCreateTopics) {
    for (const spec of specs) {
      if (counts.has(spec.name)) continue;
      if (await createTopic(admin, spec, settings.replicationFactor)) {
        created.push(spec.name);
        log.info({ topic: spec.name, partitions: spec.partitions, replicationFactor: settings.replicationFactor, compacted: spec.compacted },
          'created Kafka topic');
      }
    }
    // A created topic takes a moment to show in metadata everywhere; wait instead of sleeping a
    // fixed time as upstream does.
    const deadline = Date.now() + CREATE_PROPAGATION_TIMEOUT_MS;
    for (;;) {
      counts = await describePartitions(admin, names);
      const visible = specs.every((s) => counts.get(s.name) === s.partitions || (counts.has(s.name) && !created.includes(s.name)));
      if (visible || Date.now() > deadline) break;
      await sleep(CREATE_PROPAGATION_POLL_MS);
    }
  }
  for (const spec of specs) {
    const found = counts.get(spec.name);
    if (found === undefined) {
      throw new TopicMismatchError(settings.shouldCreateTopics
        ? `Kafka topic ${spec.name} does not exist and could not be created (expected ${spec.partitions} partitions).`
        : `Kafka topic ${spec.name} does not exist (expected ${spec.partitions} partitions) and LHS_SHOULD_CREATE_TOPICS=false: create it, or allow its creation.`);
    }
    if (found !== spec.partitions) {
      throw new TopicMismatchError(`Kafka topic ${spec.name} has ${found} partitions, expected ${spec.partitions}` +
        ` (${spec.partitions === 1 ? 'a single-partition topic' : 'LHS_CLUSTER_PARTITIONS'}): refusing to start, ` +
        'because a different partition count would send keys to other partitions than their state.');
    }
  }
  log.info({ topics: names.length, created: created.length }, 'Kafka topics checked');
  return created;
}
