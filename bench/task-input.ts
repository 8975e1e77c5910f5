// The one TaskDef every workload runs, and how a worker reads its input. Each task carries the
// timestamps the worker needs to measure latency by itself, so no process has to tell another
// when something happened: `sent` is the intended send time of the RunWf (monotonic µs, taken
// by the client process), `prev` the time the previous task's report was sent (its output).
import type { ScheduledTask, VariableValue } from '@filly/proto';

export const BENCH_TASK_DEF = 'filly-bench-task';

/** Input variables of BENCH_TASK_DEF, all INT, in declaration order. */
export const TASK_INPUTS = ['client', 'sent', 'prev', 'step', 'steps'] as const;

export interface TaskInput {
  /** Load-client process that started the WfRun (gets the closed-loop credit back). */
  client: number;
  sent: number;
  prev: number;
  /** 1-based position in a chain; 0 for tasks that measure nothing (fan-out children). */
  step: number;
  /** Length of the chain: the task with step === steps completes the WfRun. */
  steps: number;
}

export function intValue(n: number): VariableValue {
  return { value: { $case: 'int', value: BigInt(Math.trunc(n)) } };
}

function asNumber(v: VariableValue | undefined): number {
  const inner = v?.value;
  if (inner?.$case === 'int') return Number(inner.value);
  return 0;
}

export function readTaskInput(task: ScheduledTask): TaskInput {
  const out: TaskInput = { client: 0, sent: 0, prev: 0, step: 0, steps: 0 };
  for (const v of task.variables) {
    switch (v.varName) {
      case 'client': out.client = asNumber(v.value); break;
      case 'sent': out.sent = asNumber(v.value); break;
      case 'prev': out.prev = asNumber(v.value); break;
      case 'step': out.step = asNumber(v.value); break;
      case 'steps': out.steps = asNumber(v.value); break;
      default: break;
    }
  }
  return out;
}
