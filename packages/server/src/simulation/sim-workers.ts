// Simulated task workers, speaking the worker protocol as ingress/task-worker/poll-task.ts serves
// it: a poll waits in the engine's TaskQueues; a match is claimed with a TaskClaimEvent command and
// the task reaches the worker only if the claim is acknowledged; a failed claim answers the poll
// empty (poll-task.ts does not put the task back). Then the worker succeeds, fails, throws, sends
// a mistyped output, hangs (the attempt times out), reports after the timeout, or reports twice.
// Workers are other processes: a server crash drops their polls and claims, not their work.
import { ScheduledTask, TaskStatus, type ReportTaskRun } from '@filly/proto';
import { Code } from '../processor/api-error.ts';
import { tsFromMs } from '../processor/wf-run/time.ts';
import { partitionForKey } from '../commands/partition.ts';
import { rootWfRunId, scheduledTaskKey } from '../store/keys.ts';
import type { Prng } from './prng.ts';
import type { Body } from './sim-clients.ts';
import type { SimEngine } from './sim-engine.ts';
import { InvariantViolation, type Delivery } from './sim-types.ts';
import { TASK_TIMEOUT_SECONDS } from './workload-specs.ts';
import { TENANT } from './sim-clients.ts';

export type Plan = 'succeed' | 'fail' | 'exception' | 'badOutput' | 'hang' | 'late' | 'twice';

const PLAN_WEIGHTS: Record<Plan, number> = { succeed: 60, fail: 12, exception: 5, badOutput: 3, hang: 7, late: 6, twice: 7 };
/** Times a worker re-sends a report the server did not acknowledge (the SDKs retry too). */
const REPORT_RETRIES = 3;

type State =
  | { kind: 'idle' }
  | { kind: 'polling'; cancel: () => void }
  | { kind: 'claiming' }
  | { kind: 'working'; task: ScheduledTask; plan: Plan; reportAtMs: number; reportsLeft: number; retriesLeft: number; sending: boolean };

/** Every attempt any worker ever received: an attempt must reach a worker at most once. */
export class DeliveryLedger {
  readonly #seen = new Set<string>();
  delivered = 0;

  record(task: ScheduledTask): void {
    const id = task.taskRunId;
    const key = `${id?.wfRunId?.id ?? '?'}/${id?.taskGuid ?? '?'}#${task.attemptNumber}`;
    if (this.#seen.has(key)) throw new InvariantViolation('delivered-once', `task attempt ${key} was delivered to a worker twice`);
    this.#seen.add(key);
    this.delivered++;
  }
}

export interface WorkerEnv {
  engine: () => SimEngine;
  submit: (body: Body, deliver: (d: Delivery) => void) => void;
  nowMs: () => number;
  ledger: DeliveryLedger;
  /** In the final drain every worker succeeds promptly. */
  draining: () => boolean;
  trace: (line: string) => void;
  requeueFailedClaims: boolean;
  partitionCount: number;
}

export class SimWorker {
  readonly id: string;
  readonly taskDefName: string;
  readonly #rng: Prng;
  readonly #env: WorkerEnv;
  #state: State = { kind: 'idle' };

  constructor(id: string, taskDefName: string, rng: Prng, env: WorkerEnv) {
    this.id = id;
    this.taskDefName = taskDefName;
    this.#rng = rng;
    this.#env = env;
  }

  get state(): State['kind'] {
    return this.#state.kind;
  }

  /** When the worker next wants to act on its own (a due report), if it holds a task. */
  get nextReportMs(): number | undefined {
    return this.#state.kind === 'working' && !this.#state.sending ? this.#state.reportAtMs : undefined;
  }

  canAct(nowMs: number): boolean {
    const s = this.#state;
    if (s.kind === 'idle') return this.#env.engine().ready;
    return s.kind === 'working' && !s.sending && s.reportAtMs <= nowMs;
  }

  /** The server process died: polls and claims in flight are gone; held tasks are not. */
  onServerCrash(): void {
    if (this.#state.kind === 'polling' || this.#state.kind === 'claiming') this.#state = { kind: 'idle' };
  }

  act(nowMs: number): void {
    const s = this.#state;
    if (s.kind === 'idle') return this.#poll();
    if (s.kind === 'working' && !s.sending && s.reportAtMs <= nowMs) return this.#report(s, nowMs);
  }

  #poll(): void {
    let served = false;
    const cancel = this.#env.engine().tasks.waitForTask(TENANT, this.taskDefName, (task) => {
      served = true;
      this.#claim(task);
    });
    if (!served) this.#state = { kind: 'polling', cancel };
  }

  #claim(task: ScheduledTask): void {
    this.#state = { kind: 'claiming' };
    const claimedFrom = this.#env.engine();
    const body: Body = { $case: 'taskClaimEvent', value: { taskRunId: task.taskRunId, taskWorkerId: this.id, taskWorkerVersion: undefined } };
    this.#env.submit(body, (d) => {
      if (this.#state.kind !== 'claiming') return;
      // Any failed claim answers the poll empty, as poll-task.ts does; the task is not re-queued.
      if (!d.acked || !d.outcome.ok || d.outcome.response === undefined) {
        this.#env.trace(`${this.id} claim of ${task.taskRunId?.taskGuid} failed: ${d.acked ? (d.outcome.ok ? 'empty' : d.outcome.message) : d.reason}`);
        this.#state = { kind: 'idle' };
        const lostRace = d.acked && !d.outcome.ok && (d.outcome.code === Code.FAILED_PRECONDITION || d.outcome.code === Code.NOT_FOUND);
        const engine = this.#env.engine();
        if (this.#env.requeueFailedClaims && !lostRace && engine === claimedFrom && engine.ready) {
          engine.tasks.requeue(TENANT, this.taskDefName, scheduledTaskKeyOf(task, this.taskDefName, this.#env.partitionCount), task);
        }
        return;
      }
      const claimed = ScheduledTask.decode(d.outcome.response);
      this.#env.ledger.record(claimed);
      this.#startWork(claimed);
    });
  }

  #startWork(task: ScheduledTask): void {
    const rng = this.#rng;
    const plan: Plan = this.#env.draining() ? 'succeed' : rng.weighted(PLAN_WEIGHTS);
    const timeoutMs = (TASK_TIMEOUT_SECONDS[this.taskDefName] ?? 1) * 1000;
    const now = this.#env.nowMs();
    if (plan === 'hang') {
      this.#state = { kind: 'idle' };
      return;
    }
    const delayMs = plan === 'late' ? timeoutMs + rng.between(100, 2000) : this.#env.draining() ? 10 : rng.between(20, Math.floor(timeoutMs * 0.8));
    this.#state = { kind: 'working', task, plan, reportAtMs: now + delayMs, reportsLeft: plan === 'twice' ? 2 : 1, retriesLeft: REPORT_RETRIES, sending: false };
  }

  #report(s: Extract<State, { kind: 'working' }>, nowMs: number): void {
    s.sending = true;
    const body: Body = { $case: 'reportTaskRun', value: reportFor(s.task, s.plan, nowMs) };
    this.#env.submit(body, (d) => {
      s.sending = false;
      if (!d.acked && s.retriesLeft > 0) {
        s.retriesLeft--;
        s.reportAtMs = this.#env.nowMs() + 100;
        return;
      }
      s.reportsLeft--;
      if (s.reportsLeft > 0) s.reportAtMs = this.#env.nowMs() + this.#rng.between(0, 1500);
      else if (this.#state === s) this.#state = { kind: 'idle' };
    });
  }
}

function reportFor(task: ScheduledTask, plan: Plan, nowMs: number): ReportTaskRun {
  const base = { taskRunId: task.taskRunId, time: tsFromMs(nowMs), attemptNumber: task.attemptNumber, logOutput: undefined, totalCheckpoints: 0 };
  switch (plan) {
    case 'fail':
      return { ...base, status: TaskStatus.TASK_FAILED, result: { $case: 'error', value: { type: 5, message: 'simulated failure' } } };
    case 'exception':
      return { ...base, status: TaskStatus.TASK_EXCEPTION, result: { $case: 'exception', value: { name: 'sim-oops', message: 'simulated', content: undefined } } };
    case 'badOutput':
      return { ...base, status: TaskStatus.TASK_SUCCESS, result: { $case: 'output', value: { value: { $case: 'str', value: 'not an int' } } } };
    default:
      return { ...base, status: TaskStatus.TASK_SUCCESS, result: { $case: 'output', value: { value: { $case: 'int', value: 42n } } } };
  }
}

/** The queue key of a task, as CommandContext stores it (the partition of its root WfRun). */
function scheduledTaskKeyOf(task: ScheduledTask, taskDefName: string, partitionCount: number): string {
  const id = task.taskRunId;
  if (id?.wfRunId === undefined) throw new Error('a ScheduledTask without its TaskRunId');
  return scheduledTaskKey(partitionForKey(rootWfRunId(id.wfRunId), partitionCount), TENANT, taskDefName, id);
}
