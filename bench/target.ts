// The servers under load. By default each workload gets a fresh embedded Filly (Node 24 running
// the server's source, a temporary data directory, free loopback ports); with --mode kafka a
// fresh cluster of instances on one broker (kafka-cluster.ts); with --target a running server or
// cluster, given as the loopback addresses of its instances.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../tests/harness/server-process.ts';
import type { BenchArgs, ServerMode } from './cli-args.ts';
import { KafkaBrokerPool, startKafkaCluster } from './kafka-cluster.ts';

export interface Target {
  /** What the servers run; 'unknown' for a single --target address without --mode. */
  mode: ServerMode | 'unknown';
  /** True when the bench started the servers (and so knows their pids and stops them). */
  started: boolean;
  /** host:port of every instance; clients spread their calls over all of them. */
  addresses: string[];
  /** The first instance: where WfSpecs are deployed. */
  address: string;
  /** pids of the server processes the bench started (for CPU and RSS sampling). */
  serverPids(): number[];
  /** pid of the Kafka broker when it runs on this machine and could be found. */
  brokerPid(): number | undefined;
  /** Health ports (/metrics) of the instances when known, e.g. for W4's timer lateness. */
  healthPorts?: number[];
  /** One line for the console. */
  describe(): string;
  /** What the result file records about the servers. */
  info(): Record<string, unknown>;
  /** The output of each server the bench started (the tail of it), for the results folder. */
  logs(): string[];
  stop(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d{1,5}$/;
const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Loaded into profiled servers: times Kafka calls and event-loop delay (profile/server-waits-preload.ts). */
export const WAITS_PRELOAD = path.join(HERE, 'profile', 'server-waits-preload.ts');
export const WAITS_DIR_ENV = 'FILLY_BENCH_WAITS_DIR';

/**
 * Environment for a started server: with `profileDir` it writes a CPU profile and its wait
 * timings there; without, nothing is added.
 */
export function serverEnv(profileDir: string | undefined): Record<string, string> {
  if (profileDir === undefined) return {};
  fs.mkdirSync(profileDir, { recursive: true });
  const options = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--import=${WAITS_PRELOAD}`];
  const inherited = process.env['NODE_OPTIONS'];
  return { [WAITS_DIR_ENV]: profileDir, NODE_OPTIONS: [...(inherited ? [inherited] : []), ...options].join(' ') };
}

function externalTarget(addresses: string[], mode: ServerMode | undefined): Target {
  for (const a of addresses) {
    // The bench floods whatever it points at; keep it to this machine.
    if (!LOOPBACK.test(a)) throw new Error(`--target takes loopback host:port addresses (127.0.0.1:2023, localhost:2023), got "${a}"`);
  }
  if (new Set(addresses).size !== addresses.length) throw new Error('--target names an address twice');
  const resolved: Target['mode'] = mode ?? (addresses.length > 1 ? 'kafka' : 'unknown');
  return {
    mode: resolved,
    started: false,
    addresses,
    address: addresses[0]!,
    serverPids: () => [],
    brokerPid: () => undefined,
    describe: () => `${resolved === 'unknown' ? 'running server' : `running ${resolved}-mode server`} at ${addresses.join(', ')}`,
    info: () => ({ mode: resolved, started: false, addresses, instances: addresses.length }),
    logs: () => [],
    stop: async () => undefined,
  };
}

async function embeddedTarget(profileDir: string | undefined): Promise<Target> {
  const server = await startServer({ env: { FILLY_LOG_LEVEL: 'warn', ...serverEnv(profileDir) }, readyTimeoutMs: 60_000 });
  const pids = (): number[] => { const p = server.pid(); return p === undefined ? [] : [p]; };
  return {
    mode: 'embedded',
    started: true,
    addresses: [server.address],
    address: server.address,
    serverPids: pids,
    brokerPid: () => undefined,
    healthPorts: [server.healthPort],
    describe: () => `embedded, started at ${server.address} (pid ${pids()[0] ?? '?'})`,
    info: () => ({ mode: 'embedded', started: true, addresses: [server.address], instances: 1, embedded: true, address: server.address }),
    logs: () => [server.logs()],
    stop: () => server.stop(),
  };
}

/**
 * Opens targets for one bench run. In kafka mode the broker is started once (or taken from
 * KAFKA_BOOTSTRAP) and shared by the workloads; each workload still gets a fresh cluster.
 */
export class Targets {
  readonly #args: BenchArgs;
  readonly #brokers = new KafkaBrokerPool();

  constructor(args: BenchArgs) {
    this.#args = args;
  }

  async open(profileDir: string | undefined): Promise<Target> {
    const a = this.#args;
    if (a.targets !== undefined) return externalTarget(a.targets, a.mode);
    if (a.mode !== 'kafka') return embeddedTarget(profileDir);
    return startKafkaCluster({
      broker: await this.#brokers.get(),
      instances: a.instances ?? 3,
      partitions: a.partitions,
      env: serverEnv(profileDir),
      log: (line) => console.log(line),
    });
  }

  /** Stops the broker if this run started it. */
  close(): Promise<void> {
    return this.#brokers.close();
  }
}
