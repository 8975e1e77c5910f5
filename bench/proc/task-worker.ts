// A lean task worker process: one PollTask stream with a fixed number of credits, reports each
// task as done at once, and measures from the timestamps the task carries (task-input.ts).
// It speaks the worker protocol (PollTask credits, ReportTask per attempt) but skips the SDK's
// RegisterTaskWorker heartbeat: the bench talks to one known server, so there is nothing to
// discover, and the worker's own overhead stays small next to the server's.
import { LHStatus, TaskStatus, type LittleHorseClient, type PollTaskRequest, type PollTaskResponse, type ReportTaskRun, type ScheduledTask, type WfRun } from '@filly/proto';
import { status, type ClientDuplexStream, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { epochMs, nowUs } from '../clock.ts';
import { Histogram } from '../histogram.ts';
import type { ToWorker, WorkerInit, WorkerPhase, WorkerStats } from '../messages.ts';
import { intValue, readTaskInput } from '../task-input.ts';
import { fatal, grpcClient, listenToParent, sendToParent, tenantMetadata } from './ipc.ts';

const RPC_DEADLINE_MS = 30_000;
const PROGRESS_EVERY_MS = 200;
/** Completion-latency series keeps at most this many seconds per phase. */
const MAX_SERIES_SECONDS = 3_600;
const MAX_RECORDED_RUNS = 1_000_000;
const MAX_CREDITS = 1_024;

let client: LittleHorseClient | undefined;
let metadata: Metadata | undefined;
let stream: ClientDuplexStream<PollTaskRequest, PollTaskResponse> | undefined;
let pollRequest: PollTaskRequest | undefined;
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

function ask(): void {
  if (stream === undefined || pollRequest === undefined || stopping) return;
  stream.write(pollRequest);
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

function onTask(task: ScheduledTask): void {
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
  client?.reportTask(report, metadata!, { deadline: new Date(Date.now() + RPC_DEADLINE_MS) }, (err: ServiceError | null) => {
    ask();
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
      if (phase.verifyEvery > 0 && s.completed % phase.verifyEvery === 0) verify(task, s);
    }
  });
}

/** Checks with GetWfRun that the ack indeed meant COMPLETED (it is what latency relies on). */
function verify(task: ScheduledTask, s: WorkerStats): void {
  const id = task.taskRunId?.wfRunId;
  if (id === undefined || client === undefined) return;
  client.getWfRun(id, metadata!, { deadline: new Date(Date.now() + RPC_DEADLINE_MS) }, (err: ServiceError | null, run?: WfRun) => {
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

function start(msg: WorkerInit): void {
  if (!(Number.isInteger(msg.credits) && msg.credits >= 1 && msg.credits <= MAX_CREDITS)) throw new RangeError(`credits must be 1..${MAX_CREDITS}`);
  client = grpcClient(msg.address);
  metadata = tenantMetadata(msg.tenant);
  pollRequest = { taskDefId: { name: msg.taskDefName }, clientId: `filly-bench-worker-${msg.index}-${process.pid}`, taskWorkerVersion: 'filly-bench' };
  const s = client.pollTask(metadata);
  stream = s;
  s.on('data', (res: PollTaskResponse) => {
    if (res.result === undefined) return ask();
    onTask(res.result);
  });
  s.on('error', (err: ServiceError) => {
    if (!stopping) fatal(new Error(`PollTask stream failed: ${err.message}`));
  });
  for (let i = 0; i < msg.credits; i++) ask();
  setInterval(() => sendToParent({ type: 'progress', tasks: stats.tasks, completed: stats.completed }), PROGRESS_EVERY_MS).unref();
  sendToParent({ type: 'ready' });
}

listenToParent<ToWorker>((msg) => {
  switch (msg.type) {
    case 'init': return start(msg);
    case 'phase': return beginPhase(msg);
    case 'collect': return collect();
    case 'stop':
      stopping = true;
      stream?.cancel();
      client?.close();
      process.exit(0);
  }
});
