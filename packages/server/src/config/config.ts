// Server settings, read from LHS_* keys: the environment, or a Java-properties file given as the
// first command-line argument (file values win over the environment, as upstream does).
// Every parse error names the key and what it expected.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { parseProperties } from './properties.ts';
import { ConfigError } from './config-error.ts';

export { ConfigError };
import { parseAdvertisedListeners, parseListeners, type AdvertisedListener, type Listener } from './listeners.ts';
import { parseKafkaSettings, type KafkaSettings } from '../cluster/kafka-settings.ts';

export interface ServerConfig {
  clusterId: string;
  partitionCount: number;
  stateDir: string;
  listeners: Listener[];
  advertisedListeners: AdvertisedListener[];
  healthPort: number;
  healthPaths: { liveness: string; readiness: string; metrics: string; status: string };
  internalBindPort: number;
  kafkaBootstrapServers: string | undefined;
  /** Kafka mode: present iff LHS_KAFKA_BOOTSTRAP_SERVERS is set. */
  kafka?: KafkaSettings;
  /** CA that signs client certificates on MTLS listeners. */
  caCertPath: string | undefined;
  limits: Limits;
  logLevel: string;
}

export type Settings = Readonly<Record<string, string | undefined>>;

export function loadSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Settings {
  const fromEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('LHS_') || k.startsWith('FILLY_')) fromEnv[k] = v;
  const file = argv[0];
  if (file === undefined) return fromEnv;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read the configuration file ${file}: ${(e as Error).message}`);
  }
  return { ...fromEnv, ...parseProperties(text) };
}

export function parseConfig(s: Settings): ServerConfig {
  const listeners = parseListeners(str(s, 'LHS_LISTENERS', 'PLAIN:2023'), str(s, 'LHS_LISTENERS_PROTOCOL_MAP', ''),
    str(s, 'LHS_LISTENERS_AUTHENTICATION_MAP', ''), s);
  const advertised = parseAdvertisedListeners(
    str(s, 'LHS_ADVERTISED_LISTENERS', listeners.map((l) => `${l.name}://localhost:${l.port}`).join(',')));
  for (const l of listeners) {
    if (!advertised.some((a) => a.name === l.name)) {
      throw new ConfigError(`LHS_ADVERTISED_LISTENERS has no address for listener ${l.name}: task workers could not be told where to poll.`);
    }
  }
  const limits: Limits = {
    ...DEFAULT_LIMITS,
    maxRecordBytes: int(s, 'LHS_PRODUCER_MAX_REQUEST_SIZE', DEFAULT_LIMITS.maxRecordBytes, 1024, 64 * 1024 * 1024),
    maxThreadRunsPerWfRun: int(s, 'LHS_X_MAX_THREAD_RUNS_PER_WF_RUN', DEFAULT_LIMITS.maxThreadRunsPerWfRun, 1, 1_000_000),
    maxCompletedThreadRunsPerWfRun: int(s, 'FILLY_MAX_COMPLETED_THREAD_RUNS_PER_WF_RUN', DEFAULT_LIMITS.maxCompletedThreadRunsPerWfRun, 0, 1_000_000),
    maxCommandsPerBatch: int(s, 'FILLY_MAX_COMMANDS_PER_BATCH', DEFAULT_LIMITS.maxCommandsPerBatch, 1, 100_000),
    maxBatchApplyMs: int(s, 'FILLY_MAX_BATCH_APPLY_MS', DEFAULT_LIMITS.maxBatchApplyMs, 1, 60_000),
    maxPendingCommands: int(s, 'FILLY_MAX_PENDING_COMMANDS', DEFAULT_LIMITS.maxPendingCommands, 1, 10_000_000),
    maxCachedWfRuns: int(s, 'FILLY_MAX_CACHED_WF_RUNS', DEFAULT_LIMITS.maxCachedWfRuns, 1, 100_000_000),
    maxAwaitWorkflowEventMs: int(s, 'FILLY_MAX_AWAIT_WORKFLOW_EVENT_MS', DEFAULT_LIMITS.maxAwaitWorkflowEventMs, 1, 2_147_483_647),
    maxWorkflowEventWaiters: int(s, 'FILLY_MAX_WORKFLOW_EVENT_WAITERS', DEFAULT_LIMITS.maxWorkflowEventWaiters, 1, 10_000_000),
    maxConnections: int(s, 'FILLY_MAX_CONNECTIONS', DEFAULT_LIMITS.maxConnections, 1, 1_000_000),
    maxInFlightRequests: int(s, 'FILLY_MAX_IN_FLIGHT_REQUESTS', DEFAULT_LIMITS.maxInFlightRequests, 1, 10_000_000),
    maxPollTaskStreams: int(s, 'FILLY_MAX_POLL_TASK_STREAMS', DEFAULT_LIMITS.maxPollTaskStreams, 1, 10_000_000),
    maxOutstandingPollsPerStream: int(s, 'FILLY_MAX_OUTSTANDING_POLLS_PER_STREAM', DEFAULT_LIMITS.maxOutstandingPollsPerStream, 1, 1_000_000),
  };
  return {
    clusterId: str(s, 'LHS_CLUSTER_ID', 'cluster1'),
    partitionCount: int(s, 'LHS_CLUSTER_PARTITIONS', 12, 1, 10_000),
    stateDir: path.resolve(str(s, 'LHS_STATE_DIR', '.filly-data')),
    listeners,
    advertisedListeners: advertised,
    healthPort: int(s, 'LHS_HEALTH_SERVICE_PORT', 1822, 0, 65535),
    healthPaths: {
      liveness: str(s, 'LHS_HEALTH_PATH_LIVENESS', '/liveness'),
      readiness: str(s, 'LHS_HEALTH_PATH_READINESS', '/readiness'),
      metrics: str(s, 'LHS_HEALTH_PATH_METRICS', '/metrics'),
      status: str(s, 'LHS_HEALTH_PATH_STATUS', '/status'),
    },
    internalBindPort: int(s, 'LHS_INTERNAL_BIND_PORT', 2011, 0, 65535),
    kafkaBootstrapServers: s['LHS_KAFKA_BOOTSTRAP_SERVERS'] || undefined,
    ...kafkaPart(parseKafkaSettings(s)),
    caCertPath: s['LHS_CA_CERT'] || undefined,
    limits,
    logLevel: str(s, 'FILLY_LOG_LEVEL', 'info'),
  };
}

// Keeps the key absent (not undefined) in embedded mode.
function kafkaPart(kafka: KafkaSettings | undefined): { kafka?: KafkaSettings } {
  return kafka === undefined ? {} : { kafka };
}

function str(s: Settings, key: string, fallback: string): string {
  const v = s[key];
  return v === undefined || v === '' ? fallback : v.trim();
}

function int(s: Settings, key: string, fallback: number, min: number, max: number): number {
  const raw = s[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${key}=${raw} is not an integer between ${min} and ${max}.`);
  }
  return n;
}
