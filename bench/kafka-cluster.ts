// Kafka mode for the bench: one broker per bench run (started from the cached Maven artifacts, or
// the one KAFKA_BOOTSTRAP names) and, per workload, a fresh cluster of Filly instances on it with
// a random LHS_CLUSTER_ID, on loopback, started the way the integration tests start them.
// A cluster counts as ready once every instance knows every member and every partition is
// served (cluster-probe.ts). Stopping it stops its instances and deletes its topics.
import { randomUUID } from 'node:crypto';
import { Admin } from '@platformatic/kafka';
import { KAFKA_DEFAULTS } from '../packages/server/src/cluster/kafka-settings.ts';
import { startKafkaBroker, type KafkaBroker } from '../tests/harness/kafka-broker.ts';
import { startServer, type ServerProcess } from '../tests/harness/server-process.ts';
import { waitForSettledCluster } from './cluster-probe.ts';
import { pidListeningOn, portOf } from './listen-pid.ts';
import type { Target } from './target.ts';

const SERVER_READY_TIMEOUT_MS = 120_000;
/** Leaving the group, closing producers and consumers, and writing a CPU profile take a while. */
const SERVER_STOP_TIMEOUT_MS = 30_000;
const SETTLE_TIMEOUT_MS = 120_000;
const ADMIN_TIMEOUT_MS = 20_000;
const LOG_TAIL_CHARS = 4_000;

export interface SharedBroker {
  bootstrap: string;
  /** True when this bench run started it. */
  owned: boolean;
  pid(): number | undefined;
}

/** The broker of one bench run, started on first use. */
export class KafkaBrokerPool {
  #broker: Promise<KafkaBroker> | undefined;
  #pid: number | undefined;
  readonly #stopped = new WeakSet<KafkaBroker>();

  async get(): Promise<SharedBroker> {
    this.#broker ??= startKafkaBroker().then((b) => {
      if (b.owned) this.#killAtExit(b);
      return b;
    });
    let broker: KafkaBroker;
    try {
      broker = await this.#broker;
    } catch (err) {
      this.#broker = undefined;
      throw err;
    }
    const host = broker.bootstrap.split(',')[0] ?? '';
    const port = portOf(host);
    // Only a broker on this machine shares its cores with the servers.
    if (this.#pid === undefined && port !== undefined && /^(127\.|localhost|\[::1\])/.test(host)) this.#pid = pidListeningOn(port);
    const pid = this.#pid;
    return { bootstrap: broker.bootstrap, owned: broker.owned, pid: () => pid };
  }

  /** The broker harness has no exit hook of its own: never leave a JVM behind a killed bench. */
  #killAtExit(b: KafkaBroker): void {
    const port = portOf(b.bootstrap);
    const pid = port === undefined ? undefined : pidListeningOn(port);
    if (pid === undefined) return;
    process.on('exit', () => {
      if (this.#stopped.has(b)) return;
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    });
  }

  async close(): Promise<void> {
    const b = this.#broker;
    this.#broker = undefined;
    if (b === undefined) return;
    const broker = await b;
    this.#stopped.add(broker);
    await broker.stop();
  }
}

export interface KafkaClusterOptions {
  broker: SharedBroker;
  instances: number;
  /** LHS_CLUSTER_PARTITIONS; the server's default when undefined. */
  partitions: number | undefined;
  /** Extra environment for every instance (profiling). */
  env: Record<string, string>;
  log: (line: string) => void;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Deletes the topics and consumer groups of a finished cluster; failures only cost broker space. */
async function deleteClusterTopics(bootstrap: string, clusterId: string, log: (line: string) => void): Promise<void> {
  const admin = new Admin({ clientId: `filly-bench-cleanup-${clusterId}`, bootstrapBrokers: bootstrap.split(','), timeout: ADMIN_TIMEOUT_MS, retries: 2 });
  try {
    const topics = (await withTimeout(admin.listTopics(), ADMIN_TIMEOUT_MS, 'listing topics')).filter((t) => t.startsWith(`${clusterId}-`));
    if (topics.length > 0) await withTimeout(admin.deleteTopics({ topics }), ADMIN_TIMEOUT_MS, 'deleting topics');
    await withTimeout(admin.deleteGroups({ groups: [`${clusterId}-core`, `${clusterId}-reader`] }), ADMIN_TIMEOUT_MS, 'deleting groups').catch(() => undefined);
  } catch (err) {
    log(`  could not delete the topics of cluster ${clusterId}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await admin.close().catch(() => undefined);
  }
}

export async function startKafkaCluster(o: KafkaClusterOptions): Promise<Target> {
  if (!(Number.isInteger(o.instances) && o.instances >= 1)) throw new RangeError('instances must be a positive integer');
  const clusterId = `bench-${randomUUID().slice(0, 8)}`;
  const partitions = o.partitions ?? KAFKA_DEFAULTS.partitionCount;
  const env: Record<string, string> = {
    LHS_KAFKA_BOOTSTRAP_SERVERS: o.broker.bootstrap,
    LHS_CLUSTER_ID: clusterId,
    LHS_CLUSTER_PARTITIONS: String(partitions),
    LHS_REPLICATION_FACTOR: '1',
    LHS_INTERNAL_ADVERTISED_HOST: '127.0.0.1',
    FILLY_LOG_LEVEL: 'warn',
    ...o.env,
  };
  const servers: ServerProcess[] = [];
  const startedMs = Date.now();
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await deleteClusterTopics(o.broker.bootstrap, clusterId, o.log);
  };
  let settledMs: number;
  try {
    // One at a time, as the integration tests do: the first creates the topics, and each start
    // takes its own free ports.
    for (let i = 0; i < o.instances; i++) {
      servers.push(await startServer({ env, readyTimeoutMs: SERVER_READY_TIMEOUT_MS, stopTimeoutMs: SERVER_STOP_TIMEOUT_MS }));
    }
    settledMs = await waitForSettledCluster(servers.map((s) => s.address), partitions, SETTLE_TIMEOUT_MS);
  } catch (err) {
    const logs = servers.map((s, i) => `--- instance ${i} (${s.address}) ---\n${s.logs().slice(-LOG_TAIL_CHARS)}`).join('\n');
    await stopAll();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`, { cause: err });
  }
  const addresses = servers.map((s) => s.address);
  o.log(`  kafka cluster ${clusterId}: ${o.instances} instances, ${partitions} partitions, started and settled in ${((Date.now() - startedMs) / 1000).toFixed(1)} s (settling ${(settledMs / 1000).toFixed(1)} s)`);
  let stopped: Promise<void> | undefined;
  return {
    mode: 'kafka',
    started: true,
    addresses,
    address: addresses[0]!,
    serverPids: () => servers.map((s) => s.pid()).filter((p): p is number => p !== undefined),
    brokerPid: () => o.broker.pid(),
    healthPorts: servers.map((s) => s.healthPort),
    describe: () => `kafka mode, ${o.instances} instances started at ${addresses.join(', ')} (pids ${servers.map((s) => s.pid() ?? '?').join(', ')}), ` +
      `broker ${o.broker.bootstrap}${o.broker.owned ? ' (started by the bench)' : ' (KAFKA_BOOTSTRAP)'}`,
    info: () => ({
      mode: 'kafka', started: true, addresses, instances: o.instances, clusterId, partitions,
      kafkaBootstrap: o.broker.bootstrap, brokerStartedByBench: o.broker.owned, embedded: false,
    }),
    logs: () => servers.map((s) => s.logs()),
    stop: () => (stopped ??= stopAll()),
  };
}
