// Helpers for the thread runtime's unit tests: WfSpecs with several ThreadSpecs installed straight
// into a FakeWorld, node builders for the thread node kinds, and task completion per thread.
import {
  LHStatus,
  TaskStatus,
  WaitForThreadsStrategy,
  WfSpec,
  type FailureHandlerDef,
  type InterruptDef,
  type Node,
  type ScheduledTask,
  type ThreadVarDef,
  type VariableAssignment,
  type VariableValue,
  type WfRun,
} from '@filly/proto';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { wfSpecIdPointer } from '../wf-spec/pointer-codec.ts';
import type { FakeWorld } from '../testing/fake-context.ts';
import type { WfRunDriver } from '../testing/wf-run-driver.ts';

export interface ThreadDef {
  nodes: Record<string, Partial<Node>>;
  variableDefs?: ThreadVarDef[];
  interruptDefs?: InterruptDef[];
}

/** Installs a WfSpec whose entrypoint ThreadSpec is named 'entrypoint'. */
export function installThreadedSpec(world: FakeWorld, name: string, threads: Record<string, ThreadDef>): WfSpec {
  const threadSpecs: Record<string, { nodes: Record<string, Partial<Node>>; variableDefs: ThreadVarDef[]; interruptDefs: InterruptDef[] }> = {};
  for (const [threadName, t] of Object.entries(threads)) {
    threadSpecs[threadName] = { nodes: t.nodes, variableDefs: t.variableDefs ?? [], interruptDefs: t.interruptDefs ?? [] };
  }
  const spec = WfSpec.fromPartial({ id: { name, majorVersion: 0, revision: 0 }, entrypointThreadName: 'entrypoint', threadSpecs });
  const id = spec.id;
  if (id === undefined) throw new Error('unreachable');
  world.put(Records.wfSpec, keys.wfSpecKey(world.tenant, id), spec);
  world.put(wfSpecIdPointer, keys.wfSpecLatestKey(world.tenant, name), id);
  world.put(wfSpecIdPointer, keys.wfSpecMajorLatestKey(world.tenant, name, 0), id);
  return spec;
}

export const tn = {
  startThread: (threadSpecName: string, variables: Record<string, VariableAssignment> = {}): Partial<Node> => ({
    node: { $case: 'startThread', value: { threadSpecName, variables } },
  }),
  startMultiple: (threadSpecName: string, iterable: VariableAssignment): Partial<Node> => ({
    node: { $case: 'startMultipleThreads', value: { threadSpecName, variables: {}, iterable } },
  }),
  waitFor: (
    threads: VariableAssignment[],
    opts: { handlers?: FailureHandlerDef[]; strategy?: WaitForThreadsStrategy } = {},
  ): Partial<Node> => ({
    node: {
      $case: 'waitForThreads',
      value: {
        threadsToWaitFor: { $case: 'threads', value: { threads: threads.map((threadRunNumber) => ({ threadRunNumber })) } },
        perThreadFailureHandlers: opts.handlers ?? [],
        strategy: opts.strategy ?? WaitForThreadsStrategy.WAIT_FOR_ALL,
      },
    },
  }),
  waitForList: (list: VariableAssignment): Partial<Node> => ({
    node: {
      $case: 'waitForThreads',
      value: { threadsToWaitFor: { $case: 'threadList', value: list }, perThreadFailureHandlers: [], strategy: WaitForThreadsStrategy.WAIT_FOR_ALL },
    },
  }),
  waitForCondition: (condition: VariableAssignment): Partial<Node> => ({
    node: { $case: 'waitForCondition', value: { nodeCondition: { $case: 'condition', value: condition } } },
  }),
  exitReturning: (content: VariableAssignment): Partial<Node> => ({
    node: { $case: 'exit', value: { result: { $case: 'returnContent', value: content } } },
  }),
};

export const catchAny = (handlerSpecName: string): FailureHandlerDef => ({ handlerSpecName, failureToCatch: undefined });
export const catchName = (handlerSpecName: string, name: string): FailureHandlerDef => ({
  handlerSpecName,
  failureToCatch: { $case: 'specificFailure', value: name },
});

/** The queued task of one thread (exactly one expected). */
export function taskOfThread(world: FakeWorld, thread: number): ScheduledTask {
  const mine = world.queuedTasks().filter((t) => {
    const src = t.source?.taskRunSource;
    return src?.$case === 'taskNode' && src.value.nodeRunId?.threadRunNumber === thread;
  });
  if (mine.length !== 1) throw new Error(`${mine.length} tasks queued for thread ${thread}`);
  const first = mine[0];
  if (first === undefined) throw new Error('unreachable');
  return first;
}

export function finishTask(
  driver: WfRunDriver,
  thread: number,
  outcome: { output?: VariableValue } | { failed: true } | { exception: string; content?: VariableValue },
): void {
  const claimed = driver.claim(taskOfThread(driver.world, thread));
  if ('failed' in outcome) driver.report(claimed, TaskStatus.TASK_FAILED);
  else if ('exception' in outcome) {
    driver.report(claimed, TaskStatus.TASK_EXCEPTION, { exception: { name: outcome.exception, message: 'business says no', content: outcome.content } });
  } else driver.report(claimed, TaskStatus.TASK_SUCCESS, { output: outcome.output });
}

export function statusOf(wfRun: WfRun, thread: number): LHStatus | undefined {
  return wfRun.threadRuns.find((t) => t.number === thread)?.status;
}
