// Legal status changes of WfRuns, ThreadRuns, NodeRuns and task attempts, from upstream
// LittleHorse's semantics (ThreadRunModel, NodeRunModel, TaskRunModel): terminal statuses never
// change (except a rescued ERROR thread, which this workload never asks for), nothing returns to
// STARTING, a task attempt only moves forward. One store write may cover several commands, so a
// change is legal when some chain of single steps leads there (the reflexive-transitive closure).
import { LHStatus, TaskStatus } from '@filly/proto';

type Steps = ReadonlyMap<number, readonly number[]>;

const S = LHStatus;
/** Single steps of a ThreadRun (and of the WfRun, which mirrors its entrypoint thread). */
const THREAD_STEPS: Steps = new Map<number, number[]>([
  [S.STARTING, [S.RUNNING, S.COMPLETED, S.ERROR, S.EXCEPTION, S.HALTING, S.HALTED]],
  [S.RUNNING, [S.COMPLETED, S.ERROR, S.EXCEPTION, S.HALTING, S.HALTED]],
  // A halting thread finishes halting, or its halt reasons go away, or a failure ends it.
  [S.HALTING, [S.HALTED, S.RUNNING, S.ERROR, S.EXCEPTION]],
  // Un-halting returns to RUNNING, or straight to the unhandled failure of the current node.
  [S.HALTED, [S.RUNNING, S.ERROR, S.EXCEPTION]],
  [S.COMPLETED, []],
  [S.ERROR, []],
  [S.EXCEPTION, []],
]);

/** Single steps of a NodeRun (NodeRunModel.arrive / fail / maybeHalt / unHalt). */
const NODE_STEPS: Steps = new Map<number, number[]>([
  [S.STARTING, [S.RUNNING, S.COMPLETED, S.ERROR, S.EXCEPTION, S.HALTING, S.HALTED]],
  [S.RUNNING, [S.COMPLETED, S.ERROR, S.EXCEPTION, S.HALTING, S.HALTED]],
  [S.HALTING, [S.HALTED, S.RUNNING, S.COMPLETED, S.ERROR, S.EXCEPTION]],
  [S.HALTED, [S.RUNNING, S.COMPLETED, S.ERROR, S.EXCEPTION]],
  [S.COMPLETED, []],
  [S.ERROR, []],
  [S.EXCEPTION, []],
]);

const T = TaskStatus;
const ATTEMPT_RESULTS = [T.TASK_SUCCESS, T.TASK_FAILED, T.TASK_TIMEOUT, T.TASK_EXCEPTION, T.TASK_OUTPUT_SERDE_ERROR, T.TASK_INPUT_VAR_SUB_ERROR];
/** Single steps of one TaskAttempt: waiting for backoff, queued, claimed, finished. */
const ATTEMPT_STEPS: Steps = new Map<number, number[]>([
  [T.TASK_PENDING, [T.TASK_SCHEDULED, T.TASK_INPUT_VAR_SUB_ERROR]],
  [T.TASK_SCHEDULED, [T.TASK_RUNNING, T.TASK_INPUT_VAR_SUB_ERROR]],
  [T.TASK_RUNNING, ATTEMPT_RESULTS.filter((s) => s !== T.TASK_INPUT_VAR_SUB_ERROR)],
  ...ATTEMPT_RESULTS.map((s): [number, number[]] => [s, []]),
]);

/** Statuses an attempt may have when it first appears. */
export const ATTEMPT_INITIAL: ReadonlySet<number> = new Set([T.TASK_PENDING, T.TASK_SCHEDULED, T.TASK_INPUT_VAR_SUB_ERROR]);
/** An attempt whose result allows another attempt after it (upstream: only these are retried). */
export const RETRYABLE: ReadonlySet<number> = new Set([T.TASK_FAILED, T.TASK_TIMEOUT]);

function closure(steps: Steps): ReadonlyMap<number, ReadonlySet<number>> {
  const out = new Map<number, Set<number>>();
  for (const from of steps.keys()) {
    const seen = new Set<number>([from]);
    const stack = [from];
    // Bounded: each status enters the stack at most once.
    while (stack.length > 0) {
      const cur = stack.pop()!;
      for (const next of steps.get(cur) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    out.set(from, seen);
  }
  return out;
}

const THREAD_REACH = closure(THREAD_STEPS);
const NODE_REACH = closure(NODE_STEPS);
const ATTEMPT_REACH = closure(ATTEMPT_STEPS);

export type StatusKind = 'WfRun' | 'ThreadRun' | 'NodeRun' | 'TaskAttempt';

/** Undefined when `before -> after` is legal, else a description of the illegal change. */
export function illegalTransition(kind: StatusKind, before: number, after: number): string | undefined {
  const reach = kind === 'NodeRun' ? NODE_REACH : kind === 'TaskAttempt' ? ATTEMPT_REACH : THREAD_REACH;
  const allowed = reach.get(before);
  if (allowed === undefined) return `${kind} had an unknown status ${before}`;
  if (allowed.has(after)) return undefined;
  const names: Record<number, string | undefined> = kind === 'TaskAttempt' ? T_NAMES : S_NAMES;
  return `${kind} went ${names[before] ?? before} -> ${names[after] ?? after}`;
}

const S_NAMES: Record<number, string | undefined> = Object.fromEntries(Object.entries(S).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k]));
const T_NAMES: Record<number, string | undefined> = Object.fromEntries(Object.entries(T).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k]));

export const lhStatusName = (s: number): string => S_NAMES[s] ?? String(s);
export const taskStatusName = (s: number): string => T_NAMES[s] ?? String(s);
