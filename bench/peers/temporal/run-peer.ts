// The Temporal peer: W1 (one activity) and W2 (ten activities in a row) against the Temporal
// development server, measured the way the Filly workloads are (closed loop, warm-up, then a
// measured window): WfRuns/s, start → result latency, and for W2 the hop from one activity's
// end (its report) to the next activity's start.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_24 } from '../../../tests/harness/server-process.ts';
import { Histogram } from '../../histogram.ts';
import { latencyMs, type LatencyMs } from '../../report.ts';
import { findOrInstallCli } from './cli.ts';
import { startDevServer } from './dev-server.ts';
import { loadTemporalClient, type TemporalClientSdk } from './sdk.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TASK_QUEUE = 'filly-bench';
/** Creating the worker bundles the workflows with webpack: seconds, more on a busy machine. */
const WORKER_READY_TIMEOUT_MS = 180_000;

export interface PeerSettings {
  warmupMs: number;
  durationMs: number;
  w1Concurrency: number;
  w2Concurrency: number;
  steps: number;
  log: (line: string) => void;
}

export interface PeerPhase {
  wfRunsPerSec: number;
  activitiesPerSec: number;
  completed: number;
  errors: number;
  startToResult: LatencyMs;
  reportToNext?: LatencyMs;
}

export type PeerOutcome =
  | { ran: true; cliVersion: string; w1: PeerPhase; w2: PeerPhase; serverPid: number | undefined }
  | { ran: false; reason: string };

interface Mark {
  startMs: number;
  endMs: number;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function startWorker(address: string, concurrency: number): Promise<ChildProcess> {
  const child = fork(path.join(HERE, 'worker-proc.ts'), [address, TASK_QUEUE, String(concurrency)], {
    execPath: NODE_24,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the Temporal worker did not become ready')), WORKER_READY_TIMEOUT_MS);
    child.once('message', () => {
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Temporal worker exited with ${code}`));
    });
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** `concurrency` workflows in flight; one new one as each finishes, until the window closes. */
async function closedLoop(
  client: InstanceType<TemporalClientSdk['Client']>,
  workflow: string,
  args: unknown[],
  concurrency: number,
  s: PeerSettings,
  activitiesPerRun: number,
): Promise<PeerPhase> {
  const startMs = nowMs();
  const windowStart = startMs + s.warmupMs;
  const windowEnd = windowStart + s.durationMs;
  const latency = new Histogram();
  const hops = new Histogram();
  let completed = 0;
  let errors = 0;
  let seq = 0;
  const loop = async (): Promise<void> => {
    // Bounded by the window: every pass starts one workflow and waits for it.
    while (nowMs() < windowEnd) {
      const sent = nowMs();
      try {
        const marks = (await client.workflow.execute(workflow, { taskQueue: TASK_QUEUE, workflowId: `bench-${process.pid}-${seq++}`, args })) as Mark[];
        const done = nowMs();
        if (done >= windowStart && done < windowEnd) completed++;
        if (sent >= windowStart && sent < windowEnd) {
          latency.record((done - sent) * 1000);
          for (let i = 1; i < marks.length; i++) hops.record((marks[i]!.startMs - marks[i - 1]!.endMs) * 1000);
        }
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const wfRunsPerSec = Math.round((completed / (s.durationMs / 1000)) * 10) / 10;
  const phase: PeerPhase = { wfRunsPerSec, activitiesPerSec: Math.round(wfRunsPerSec * activitiesPerRun), completed, errors, startToResult: latencyMs(latency) };
  if (hops.count > 0) phase.reportToNext = latencyMs(hops);
  return phase;
}

export async function runTemporalPeer(s: PeerSettings): Promise<PeerOutcome> {
  const cli = findOrInstallCli(s.log);
  if (!cli.ok) return { ran: false, reason: cli.reason };
  const sdk = await loadTemporalClient();
  if (typeof sdk === 'string') return { ran: false, reason: sdk };
  s.log(`  Temporal: ${cli.path} (${cli.version.split('\n')[0]}), dev server in memory on loopback`);
  const server = await startDevServer(cli.path);
  let worker: ChildProcess | undefined;
  try {
    worker = await startWorker(server.address, 256);
    const connection = await sdk.Connection.connect({ address: server.address });
    try {
      const client = new sdk.Client({ connection, namespace: 'default' });
      s.log(`  Temporal W1 (closed loop ${s.w1Concurrency}) ...`);
      const w1 = await closedLoop(client, 'oneActivity', [], s.w1Concurrency, s, 1);
      s.log(`  Temporal W2 (closed loop ${s.w2Concurrency}, ${s.steps} activities) ...`);
      const w2 = await closedLoop(client, 'sequentialActivities', [s.steps], s.w2Concurrency, s, s.steps);
      return { ran: true, cliVersion: cli.version, w1, w2, serverPid: server.pid };
    } finally {
      await connection.close();
    }
  } finally {
    if (worker) await stopWorker(worker);
    await server.stop();
  }
}
