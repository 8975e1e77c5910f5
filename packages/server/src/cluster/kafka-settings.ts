// The settings of kafka mode, read from upstream's LHS_* keys (names and defaults as upstream's
// LHServerConfig has them). Present iff LHS_KAFKA_BOOTSTRAP_SERVERS is set.
import fs from 'node:fs';
import type { Settings } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { parseKafkaSecurity, type KafkaSecuritySettings, type ReadFile } from './kafka-security-settings.ts';

export interface KafkaSettings {
  /** LHS_KAFKA_BOOTSTRAP_SERVERS as host:port strings. */
  bootstrapServers: string[];
  /** LHS_CLUSTER_ID: prefix of every topic and of the consumer group. */
  clusterId: string;
  /** LHS_CLUSTER_PARTITIONS: partitions of every partitioned topic. */
  partitionCount: number;
  /** LHS_REPLICATION_FACTOR for topics this server creates. */
  replicationFactor: number;
  /** LHS_SHOULD_CREATE_TOPICS: create missing topics at start-up. */
  shouldCreateTopics: boolean;
  /** LHS_INTERNAL_BIND_PORT: where the internal API listens (0.0.0.0). */
  internalBindPort: number;
  /** LHS_INTERNAL_ADVERTISED_HOST/PORT: how the other instances reach this one's internal API. */
  internalAdvertisedHost: string;
  internalAdvertisedPort: number;
  /** LHS_STREAMS_NUM_STANDBY_REPLICAS: instances that follow each partition's changelog besides its owner. */
  numStandbyReplicas: number;
  /** LHS_INSTANCE_ID: a stable ordinal (upstream pins its Streams process id with it); undefined = none. */
  instanceOrdinal: number | undefined;
  /** LHS_RACK_ID: passed to the Kafka clients as their rack. */
  rackId: string | undefined;
  /** LHS_STREAMS_SESSION_TIMEOUT: consumer-group session and transaction timeout. */
  sessionTimeoutMs: number;
  /** LHS_CORE_STREAMS_COMMIT_INTERVAL: longest time between transaction commits of the core loop. */
  commitIntervalMs: number;
  /** LHS_KAFKA_LINGER_MS for the command producer. */
  lingerMs: number;
  security: KafkaSecuritySettings;
}

export const KAFKA_DEFAULTS = {
  clusterId: 'cluster1',
  partitionCount: 12,
  replicationFactor: 1,
  shouldCreateTopics: true,
  internalBindPort: 2011,
  internalAdvertisedHost: 'localhost',
  numStandbyReplicas: 0,
  sessionTimeoutMs: 10_000,
  commitIntervalMs: 500,
  lingerMs: 0,
} as const;

function value(s: Settings, key: string): string | undefined {
  const v = s[key]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function int(s: Settings, key: string, fallback: number, min: number, max: number): number {
  const raw = value(s, key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${key}=${raw} is not an integer between ${min} and ${max}.`);
  }
  return n;
}

function bool(s: Settings, key: string, fallback: boolean): boolean {
  const raw = value(s, key);
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(`${key}=${raw} is not true or false.`);
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

function bootstrapServers(raw: string): string[] {
  const servers = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (servers.length === 0) throw new ConfigError('LHS_KAFKA_BOOTSTRAP_SERVERS names no broker.');
  if (servers.length > 100) throw new ConfigError('LHS_KAFKA_BOOTSTRAP_SERVERS names more than 100 brokers.');
  for (const server of servers) {
    const m = HOST_PORT.exec(server);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new ConfigError(`LHS_KAFKA_BOOTSTRAP_SERVERS: "${server}" is not host:port.`);
    }
  }
  return servers;
}

/** Kafka-mode settings, or undefined when LHS_KAFKA_BOOTSTRAP_SERVERS is not set (embedded mode). */
export function parseKafkaSettings(s: Settings, readFile: ReadFile = fs.readFileSync): KafkaSettings | undefined {
  const rawBootstrap = value(s, 'LHS_KAFKA_BOOTSTRAP_SERVERS');
  if (rawBootstrap === undefined) return undefined;
  const clusterId = value(s, 'LHS_CLUSTER_ID') ?? KAFKA_DEFAULTS.clusterId;
  // Topic names are built from it: Kafka allows [a-zA-Z0-9._-], at most 249 characters per name.
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(clusterId)) {
    throw new ConfigError(`LHS_CLUSTER_ID=${clusterId} must be 1 to 200 of the characters a-z A-Z 0-9 . _ - (it prefixes Kafka topic names).`);
  }
  const internalBindPort = int(s, 'LHS_INTERNAL_BIND_PORT', KAFKA_DEFAULTS.internalBindPort, 0, 65535);
  const rawOrdinal = value(s, 'LHS_INSTANCE_ID');
  const sessionTimeoutMs = int(s, 'LHS_STREAMS_SESSION_TIMEOUT', KAFKA_DEFAULTS.sessionTimeoutMs, 1_000, 3_600_000);
  return {
    bootstrapServers: bootstrapServers(rawBootstrap),
    clusterId,
    partitionCount: int(s, 'LHS_CLUSTER_PARTITIONS', KAFKA_DEFAULTS.partitionCount, 1, 10_000),
    replicationFactor: int(s, 'LHS_REPLICATION_FACTOR', KAFKA_DEFAULTS.replicationFactor, 1, 32_767),
    shouldCreateTopics: bool(s, 'LHS_SHOULD_CREATE_TOPICS', KAFKA_DEFAULTS.shouldCreateTopics),
    internalBindPort,
    internalAdvertisedHost: value(s, 'LHS_INTERNAL_ADVERTISED_HOST') ?? KAFKA_DEFAULTS.internalAdvertisedHost,
    // Upstream: the advertised port defaults to the bind port.
    internalAdvertisedPort: int(s, 'LHS_INTERNAL_ADVERTISED_PORT', internalBindPort, 0, 65535),
    numStandbyReplicas: int(s, 'LHS_STREAMS_NUM_STANDBY_REPLICAS', KAFKA_DEFAULTS.numStandbyReplicas, 0, 100),
    instanceOrdinal: rawOrdinal === undefined ? undefined : int(s, 'LHS_INSTANCE_ID', 0, 0, 32_767),
    rackId: value(s, 'LHS_RACK_ID'),
    sessionTimeoutMs,
    commitIntervalMs: int(s, 'LHS_CORE_STREAMS_COMMIT_INTERVAL', KAFKA_DEFAULTS.commitIntervalMs, 1, 600_000),
    lingerMs: int(s, 'LHS_KAFKA_LINGER_MS', KAFKA_DEFAULTS.lingerMs, 0, 60_000),
    security: parseKafkaSecurity(s, readFile),
  };
}
