// Opens kafka mode: checks (and if allowed creates) the topics, opens this instance's local store,
// starts the internal API, the engine (membership, restore, processing) and the forwarding of
// calls to other instances, and makes sure the cluster's first objects exist.
import path from 'node:path';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { ServerConfig } from '../config/config.ts';
import type { Logger } from '../logging.ts';
import { RocksKv } from '../store/rocks-kv.ts';
import type { EngineApi } from '../engine/engine-api.ts';
import type { EngineObserver } from '../engine/engine-observer.ts';
import { initializeCluster } from '../engine/initialize-cluster.ts';
import type { KafkaSettings } from './kafka-settings.ts';
import { createKafkaAdmin, createKafkaConsumer, createKafkaProducer } from './kafka-clients.ts';
import { ensureTopics, topicNames } from './topics.ts';
import { startInternalServer, type InternalServer } from './internal-server.ts';
import { InternalClients } from './internal-clients.ts';
import { PartitionRouter } from './partition-router.ts';
import type { LocalPartitions } from './local-partitions.ts';
import { KafkaEngine } from './kafka-engine.ts';

/** Consumer-group heartbeats: often enough that a session timeout of a few seconds holds. */
const MAX_HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * A transactional producer must ask for a NEW producer id and epoch (-1/-1): claiming an old one
 * is refused as fenced when another instance owned the partition in between.
 */
function newTransactionalProducer(transactionalId: string): { transactionalId: string; producerId: bigint; producerEpoch: number; retries: number; retryDelay: (c: unknown, op: string, attempt: number) => number } {
  return {
    transactionalId,
    producerId: -1n,
    producerEpoch: -1,
    // The broker answers CONCURRENT_TRANSACTIONS while it finishes the previous commit: a
    // retry a few ms later succeeds, and a fixed 1 s delay would stall the partition.
    retries: TRANSACTION_RETRIES,
    retryDelay: (_client, _op, attempt) => Math.min(MAX_TRANSACTION_RETRY_DELAY_MS, 5 * 2 ** Math.max(0, attempt - 1)),
  };
}
const TRANSACTION_RETRIES = 12;
const MAX_TRANSACTION_RETRY_DELAY_MS = 500;

export interface OpenedKafka {
  engine: EngineApi;
  /** What this instance owns, follows as a standby and restored (for the health server's /status). */
  status(): Record<string, unknown>;
  close(): Promise<void>;
}

/** `observer` is told about batches and fired timers (the server's metrics). */
export async function openKafkaEngine(config: ServerConfig, kafka: KafkaSettings, log: Logger, observer?: EngineObserver): Promise<OpenedKafka> {
  const runId = randomUUID();
  const instanceName = kafka.instanceOrdinal !== undefined ? `instance-${kafka.instanceOrdinal}` : `${os.hostname()}-${kafka.internalAdvertisedPort}`;
  const admin = createKafkaAdmin(kafka, instanceName);
  try {
    await ensureTopics(kafka, admin, log.child({ component: 'topics' }));
  } finally {
    await admin.close().catch(() => undefined);
  }
  const names = topicNames(kafka.clusterId);
  // The engine is created after the internal API, which needs the engine's local side: bridge.
  let local: LocalPartitions | undefined;
  let internal: InternalServer | undefined;
  const bridge: LocalPartitions = {
    isServing: (p) => local?.isServing(p) ?? false,
    get: (p, key) => local!.get(p, key),
    scan: (p, prefix, afterKey, limit) => local!.scan(p, prefix, afterKey, limit),
    waitForCommand: (p, id, timeoutMs) => local!.waitForCommand(p, id, timeoutMs),
    watch: (p, topic, listener) => local!.watch(p, topic, listener),
  };
  internal = await startInternalServer({ local: bridge, port: kafka.internalBindPort, log: log.child({ component: 'internal-api' }) });
  const kv = await RocksKv.open(path.join(config.stateDir, 'kafka', kafka.clusterId));
  let clients: InternalClients | undefined;
  let engine: KafkaEngine;
  try {
    engine = await KafkaEngine.open({
      clusterId: kafka.clusterId,
      partitionCount: kafka.partitionCount,
      limits: config.limits,
      logger: log.child({ component: 'engine' }),
      kv,
      topics: {
        coreCommand: names.coreCommand,
        coreRepartition: names.coreRepartition,
        metadataCommand: names.metadataCommand,
        coreChangelog: names.coreStoreChangelog,
        metadataChangelog: names.metadataStoreChangelog,
      },
      clients: {
        producer: (o) => createKafkaProducer(kafka, instanceName, o.transactionalId === undefined ? 'command-producer' : 'core-producer', o.transactionalId === undefined ? {} : newTransactionalProducer(o.transactionalId)),
        consumer: (groupId) => createKafkaConsumer(kafka, instanceName, 'core-consumer', groupId),
        admin: () => createKafkaAdmin(kafka, instanceName),
      },
      self: {
        instanceId: `${instanceName}/${runId.slice(0, 8)}`,
        internalHost: kafka.internalAdvertisedHost,
        internalPort: kafka.internalAdvertisedPort,
        advertised: config.advertisedListeners,
      },
      runId,
      membership: {
        sessionTimeoutMs: kafka.sessionTimeoutMs,
        heartbeatIntervalMs: Math.min(MAX_HEARTBEAT_INTERVAL_MS, Math.floor(kafka.sessionTimeoutMs / 3)),
        rebalanceTimeoutMs: Math.max(10_000, kafka.sessionTimeoutMs),
        refreshIntervalMs: 2_000,
      },
      fetch: { maxWaitMs: 100, maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 16 * 1024 * 1024 },
      standbyReplicas: kafka.numStandbyReplicas,
      ...(observer === undefined ? {} : { observer }),
      remote: (view, localSide) => {
        local = localSide;
        clients = new InternalClients(view);
        const router = new PartitionRouter({ view, local: localSide, clients });
        return { get: (p, k) => router.get(p, k), scan: (p, x, a, l) => router.scan(p, x, a, l), waitForCommand: (p, c, t) => router.waitForCommand(p, c, t), watch: (p, t, l) => router.watch(p, t, l), close: () => clients?.close() };
      },
      onServingChange: () => internal?.checkServing(),
    });
  } catch (err) {
    await kv.close().catch(() => undefined);
    await internal.close().catch(() => undefined);
    throw err;
  }
  const outcome = await initializeCluster(engine);
  const close = async (): Promise<void> => {
    await engine.close();
    await internal?.close().catch(() => undefined);
  };
  if (!outcome.ok) {
    await close();
    throw new Error(`cluster initialization failed: ${outcome.message}`);
  }
  return { engine, status: () => engine.status(), close };
}
