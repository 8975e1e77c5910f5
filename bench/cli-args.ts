// Command-line options of `npm run bench -- [workloads] [--options]`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKLOAD_NAMES = ['w1', 'w2', 'w3', 'w4', 'w5'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export const SERVER_MODES = ['embedded', 'kafka'] as const;
export type ServerMode = (typeof SERVER_MODES)[number];

export interface BenchArgs {
  workloads: WorkloadName[];
  /** Loopback host:port of each instance of a running server or cluster; otherwise each workload starts its own. */
  targets: string[] | undefined;
  /** What the bench starts (or, with --target, what it is told the target runs); undefined: embedded / not said. */
  mode: ServerMode | undefined;
  /** Kafka mode: server instances to start. */
  instances: number | undefined;
  /** Kafka mode: LHS_CLUSTER_PARTITIONS of the started cluster (default: the server's own). */
  partitions: number | undefined;
  /** Started servers write V8 CPU profiles and Kafka/store call timings here. */
  serverCpuProfDir: string | undefined;
  tenant: string | undefined;
  outDir: string;
  /** Tiny numbers, ~2 s per workload: for the smoke test, not for figures. */
  smoke: boolean;
  clients: number | undefined;
  workers: number | undefined;
  workerCredits: number | undefined;
  warmupSec: number | undefined;
  durationSec: number | undefined;
  concurrency: number | undefined;
  /** W1 fixed rates (WfRuns/s); default: fractions of the measured maximum. */
  rates: number[] | undefined;
  rateDurationSec: number | undefined;
  /** W5 requests/s. */
  rate: number | undefined;
  steps: number | undefined;
  fanout: number | undefined;
  runs: number | undefined;
  sleepSec: number | undefined;
  /** Also run a peer system's W1 and W2 and print Filly/peer ratios. */
  peer: 'temporal' | undefined;
}

export const USAGE = `usage: npm run bench -- [w1 w2 w3 w4 w5 | all | peer] [options]
  w1  one-task workflow: max throughput (closed loop), then fixed rates; completion latency
  w2  ten sequential tasks: tasks/s, report -> next task delivery latency
  w3  fan-out: 100 child threads with a task each, joined
  w4  10,000 WfRuns sleeping 1 s at once: how late the timers fire
  w5  RunWf and GetWfRun latency at a steady 500 requests/s (open loop)
  peer  W1 and W2 on Filly and on Temporal's development server, with Filly/Temporal ratios
options:
  --peer temporal      the same as the word peer (the only peer so far)
  --mode m             embedded (default) or kafka: what each workload starts
  --kafka              the same as --mode kafka: a broker (or KAFKA_BOOTSTRAP's) and 3 instances
  --instances n        kafka mode: server instances to start (default 3)
  --partitions n       kafka mode: LHS_CLUSTER_PARTITIONS (default: the server's, 12)
  --target a,b,c       use a running server or cluster: its instances' host:port (loopback only)
  --server-cpu-prof d  started servers write CPU profiles and Kafka/store call timings to
                       directory d; a summary is printed after each workload
  --tenant name        tenant header for every call
  --out dir            where result files go (default bench/results)
  --clients n          load-client processes (default 1)
  --workers n          task-worker processes (default 1)
  --credits n          PollTask credits per worker process, split over the instances (default 256)
  --warmup s           warm-up seconds per phase, not measured (default 3)
  --duration s         measured seconds per phase (default 20)
  --concurrency n      closed loop: WfRuns in flight over all clients
  --rates a,b          W1 fixed rates in WfRuns/s (default 50% and 80% of the measured max)
  --rate-duration s    W1 measured seconds per fixed rate (default: --duration)
  --rate n             W5 requests/s (default 500)
  --steps n            W2 tasks per WfRun (default 10)
  --fanout n           W3 child threads per WfRun (default 100)
  --runs n             W4 WfRuns (default 10000)
  --sleep s            W4 sleep seconds (default 1)
  --smoke              tiny numbers, about 2 s per workload (what the test suite runs)`;

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
/** More instances than this on one machine measure the machine, not Filly. */
const MAX_INSTANCES = 9;

function positive(flag: string, raw: string | undefined, integer: boolean): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got ${raw ?? 'nothing'}`);
  }
  return n;
}

export function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = {
    workloads: [], targets: undefined, mode: undefined, instances: undefined, partitions: undefined, serverCpuProfDir: undefined, tenant: undefined, outDir: path.join(BENCH_DIR, 'results'), smoke: false,
    clients: undefined, workers: undefined, workerCredits: undefined, warmupSec: undefined, durationSec: undefined,
    concurrency: undefined, rates: undefined, rateDurationSec: undefined, rate: undefined, steps: undefined,
    fanout: undefined, runs: undefined, sleepSec: undefined, peer: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (a) {
      case 'all': args.workloads.push(...WORKLOAD_NAMES); break;
      case 'peer': args.peer = 'temporal'; break;
      case '--peer': {
        const name = value();
        if (name !== 'temporal') throw new Error(`--peer knows only "temporal", got "${name ?? ''}"`);
        args.peer = name;
        break;
      }
      case '--target': args.targets = (value() ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''); break;
      case '--kafka': args.mode = 'kafka'; break;
      case '--mode': {
        const m = value();
        if (!(SERVER_MODES as readonly string[]).includes(m ?? '')) throw new Error(`--mode is ${SERVER_MODES.join(' or ')}, got "${m ?? ''}"`);
        args.mode = m as ServerMode;
        break;
      }
      case '--instances': args.instances = positive(a, value(), true); break;
      case '--partitions': args.partitions = positive(a, value(), true); break;
      case '--server-cpu-prof': args.serverCpuProfDir = path.resolve(value() ?? ''); break;
      case '--tenant': args.tenant = value(); break;
      case '--out': args.outDir = path.resolve(value() ?? ''); break;
      case '--smoke': args.smoke = true; break;
      case '--clients': args.clients = positive(a, value(), true); break;
      case '--workers': args.workers = positive(a, value(), true); break;
      case '--credits': args.workerCredits = positive(a, value(), true); break;
      case '--warmup': {
        const raw = value();
        args.warmupSec = raw === '0' ? 0 : positive(a, raw, false);
        break;
      }
      case '--duration': args.durationSec = positive(a, value(), false); break;
      case '--concurrency': args.concurrency = positive(a, value(), true); break;
      case '--rates': args.rates = (value() ?? '').split(',').map((r) => positive(a, r, false)); break;
      case '--rate-duration': args.rateDurationSec = positive(a, value(), false); break;
      case '--rate': args.rate = positive(a, value(), false); break;
      case '--steps': args.steps = positive(a, value(), true); break;
      case '--fanout': args.fanout = positive(a, value(), true); break;
      case '--runs': args.runs = positive(a, value(), true); break;
      case '--sleep': args.sleepSec = positive(a, value(), true); break;
      default:
        if ((WORKLOAD_NAMES as readonly string[]).includes(a.toLowerCase())) {
          args.workloads.push(a.toLowerCase() as WorkloadName);
        } else {
          throw new Error(`unknown argument "${a}"\n${USAGE}`);
        }
    }
  }
  if (args.workloads.length === 0 && args.peer === undefined) args.workloads.push(...WORKLOAD_NAMES);
  args.workloads = [...new Set(args.workloads)];
  if (args.targets !== undefined && args.targets.length === 0) throw new Error('--target needs host:port[,host:port...]');
  if (args.targets !== undefined && (args.instances !== undefined || args.partitions !== undefined || args.serverCpuProfDir !== undefined)) {
    throw new Error('--instances, --partitions and --server-cpu-prof apply to servers the bench starts, not to --target');
  }
  if (args.mode !== 'kafka' && (args.instances !== undefined || args.partitions !== undefined)) throw new Error('--instances and --partitions need --mode kafka');
  if (args.instances !== undefined && args.instances > MAX_INSTANCES) throw new Error(`--instances is at most ${MAX_INSTANCES}`);
  return args;
}

/** A setting: what the user gave, else the smoke value under --smoke, else the default. */
export function pick<T>(given: T | undefined, smoke: boolean, smokeValue: T, defaultValue: T): T {
  if (given !== undefined) return given;
  return smoke ? smokeValue : defaultValue;
}
