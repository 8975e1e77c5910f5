// A lean task worker process: reports each task as done at once and measures from the
// timestamps the task carries (task-input.ts). It speaks the worker protocol as the SDKs do
// (RegisterTaskWorker to learn the instances, one PollTask stream with credits per instance, a
// ReportTask per attempt to the instance the task came from) and nothing more, so its own
// overhead stays small next to the server's.
import { LHStatus, ReportTaskRun, TaskStatus, type ScheduledTask, type WfRun } from '@filly/proto';
import { status, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { epochMs, nowUs } from '../clock.ts';
import { Histogram } from '../histogram.ts';
import type { ToWorker, WorkerInit, WorkerPhase, WorkerStats } from '../messages.ts';
import { intValue, readTaskInput } from '../task-input.ts';
import { fatal, listenToParent, sendToParent, tenantMetadata } from './ipc.ts';
import { PollHosts, type HostConnection } from './poll-hosts.ts';

const RPC_DEADLINE_MS = 30_000;
const PROGRESS_EVERY_MS = 200;
/** Completion-latency series keeps at most this many seconds per phase. */
const MAX_SERIES_SECONDS = 3_600;
const MAX_RECORDED_RUNS = 1_000_000;
const MAX_CREDITS = 1_024;
/** How often the worker repeats RegisterTaskWorker (the SDKs' heartbeat). */
const HEARTBEAT_MS = 5_000;
/** Below the coordinator's 30 s wait for 'ready'. */
const DISCOVERY_TIMEOUT_MS = 25_000;

let metadata: Metadata | undefined;
let hosts: PollHosts | undefined;
let stopping = false;

let phase: WorkerPhase | undefined;
const deliverUs = new Histogram();
const hopUs = new Histogram();
const completeUs = new Histogram();
const series = new Map<number, Histogram>();
let stats = freshStats();
const pendingCredits = new Map<number, number>();
let creditFlushScheduled = false;

function freshStats(): WorkerStats {
  const empty = new Histogram().snapshot();
  return {
    tasks: 0, tasksInWindow: 0, completed: 0, completedInWindow: 0, reportErrors: {},
    deliverUs: empty, hopUs: empty, completeUs: empty, series: [], runs: [], verified: 0, verifiedStatuses: {},
  };
}

function inWindow(tUs: number): boolean {
  return phase !== undefined && tUs >= phase.window.measureFromUs && tUs < phase.window.endUs;
}

function flushCredits(): void {
  creditFlushScheduled = false;
  if (pendingCredits.size === 0) return;
  sendToParent({ type: 'credits', byClient: [...pendingCredits.entries()] });
  pendingCredits.clear();
}

function giveCredit(clientIndex: number): void {
  pendingCredits.set(clientIndex, (pendingCredits.get(clientIndex) ?? 0) + 1);
  if (!creditFlushScheduled) {
    creditFlushScheduled = true;
    // Batch the completions of one millisecond into one IPC message.
    setTimeout(flushCredits, 1);
  }
}

function onTask(task: ScheduledTask, conn: HostConnection): void {
  const deliveredUs = nowUs();
  const deliveredEpochMs = epochMs();
  const input = readTaskInput(task);
  stats.tasks++;
  if (inWindow(deliveredUs)) stats.tasksInWindow++;
  if (input.step === 1 && inWindow(input.sent)) deliverUs.record(deliveredUs - input.sent);
  if (input.step > 1 && inWindow(input.sent)) hopUs.record(deliveredUs - input.prev);
  const final = input.step > 0 && input.step === input.steps;
  if (final && phase?.recordRuns === true && stats.runs.length < MAX_RECORDED_RUNS) {
    const created = task.createdAt === undefined ? 0 : Number(task.createdAt.seconds) * 1000 + task.createdAt.nanos / 1e6;
    stats.runs.push([task.taskRunId?.wfRunId?.id ?? '', deliveredEpochMs, created]);
  }
  const reportUs = nowUs();
  const report: ReportTaskRun = {
    taskRunId: task.taskRunId,
    time: { seconds: BigInt(Math.floor(Date.now() / 1000)), nanos: 0 },
    status: TaskStatus.TASK_SUCCESS,
    attemptNumber: task.attemptNumber,
    result: { $case: 'output', value: intValue(reportUs) },
    totalCheckpoints: 0,
  };
  const s = stats;
  conn.unary.call('ReportTask', ReportTaskRun.encode(report).finish(), RPC_DEADLINE_MS, (err) => {
    if (!stopping) conn.ask();
    if (err !== null) {
      const name = status[err.code] ?? String(err.code);
      s.reportErrors[name] = (s.reportErrors[name] ?? 0) + 1;
      return;
    }
    if (!final) return;
    // The server acknowledges a report once it is applied, and applying the final task's report
    // moves the WfRun to COMPLETED in the same command: the ack is the completion time.
    const ackUs = nowUs();
    s.completed++;
    if (inWindow(ackUs)) s.completedInWindow++;
    giveCredit(input.client);
    if (inWindow(input.sent)) completeUs.record(ackUs - input.sent);
    if (phase !== undefined) {
      const second = Math.floor((ackUs - phase.window.startUs) / 1e6);
      if (second >= 0 && second < MAX_SERIES_SECONDS) {
        let h = series.get(second);
        if (h === undefined) series.set(second, (h = new Histogram()));
        h.record(ackUs - input.sent);
      }
      if (phase.verifyEvery > 0 && s.completed % phase.verifyEvery === 0) verify(task, s, conn);
    }
  });
}

/** Checks with GetWfRun that the ack indeed meant COMPLETED (it is what latency relies on). */
function verify(task: ScheduledTask, s: WorkerStats, conn: HostConnection): void {
  const id = task.taskRunId?.wfRunId;
  if (id === undefined) return;
  conn.client.getWfRun(id, metadata!, { deadline: new Date(Date.now() + RPC_DEADLINE_MS) }, (err: ServiceError | null, run?: WfRun) => {
    s.verified++;
    const key = err !== null ? `error:${status[err.code] ?? err.code}` : run === undefined ? 'none' : (LHStatus[run.status] ?? String(run.status));
    s.verifiedStatuses[key] = (s.verifiedStatuses[key] ?? 0) + 1;
  });
}

function beginPhase(p: WorkerPhase): void {
  flushCredits();
  phase = p;
  deliverUs.reset();
  hopUs.reset();
  completeUs.reset();
  series.clear();
  stats = freshStats();
  sendToParent({ type: 'phase-ready' });
}

function collect(): void {
  const out: WorkerStats = {
    ...stats,
    deliverUs: deliverUs.snapshot(),
    hopUs: hopUs.snapshot(),
    completeUs: completeUs.snapshot(),
    series: [...series.entries()].sort((a, b) => a[0] - b[0]).map(([sec, h]) => [sec, h.snapshot()]),
  };
  sendToParent({ type: 'collected', stats: out });
}

async function start(msg: WorkerInit): Promise<void> {
  if (!(Number.isInteger(msg.credits) && msg.credits >= 1 && msg.credits <= MAX_CREDITS)) throw new RangeError(`credits must be 1..${MAX_CREDITS}`);
  if (msg.addresses.length === 0) throw new Error('no server address');
  metadata = tenantMetadata(msg.tenant);
  const h = new PollHosts(msg.addresses[msg.index % msg.addresses.length]!, {
    tenant: msg.tenant,
    metadata,
    taskDefName: msg.taskDefName,
    clientId: `filly-bench-worker-${msg.index}-${process.pid}`,
    credits: msg.credits,
    expectHosts: msg.expectHosts,
    onTask,
    onStreamError: (conn, err) => {
      if (!stopping) fatal(new Error(`PollTask stream to ${conn.key} failed: ${err.message}`));
    },
  });
  hosts = h;
  const polled = await h.start(DISCOVERY_TIMEOUT_MS);
  setInterval(() => sendToParent({ type: 'progress', tasks: stats.tasks, completed: stats.completed }), PROGRESS_EVERY_MS).unref();
  setInterval(() => {
    // A missed heartbeat is harmless here: the streams stay open and the next one retries.
    if (!stopping) h.heartbeat().catch(() => undefined);
  }, HEARTBEAT_MS).unref();
  sendToParent({ type: 'ready', hosts: polled });
}

listenToParent<ToWorker>((msg) => {
  switch (msg.type) {
    case 'init':
      start(msg).catch(fatal);
      return;
    case 'phase': return beginPhase(msg);
    case 'collect': return collect();
    case 'stop':
      stopping = true;
      hosts?.close();
      process.exit(0);
  }
});
