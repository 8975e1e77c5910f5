import { WaitForThreadsStrategy, type VariableAssignment, type WaitForThreadsNode } from '@filly/proto';
import type { ThreadFunc, ThreadInternals } from './compile-context.ts';
import { assignmentOf, type AnyValue, type ValueSource } from './expression.ts';
import { addAnyFailureHandler, addErrorHandler, addExceptionHandler, type ErrorTypeArg } from './failure-handling.ts';
import { NodeOutput } from './node-output.ts';
import type { WfRunVariable } from './wf-run-variable.ts';

/** A thread started by spawnThread(); wait for it with waitForThreads(). */
export interface SpawnedThread {
  readonly threadName: string;
  /** The INT variable (named after the START_THREAD node) holding the child's number. */
  readonly threadNumber: WfRunVariable<'INT'>;
}

/** Bound on threads listed in one WAIT_FOR_THREADS node. */
const MAX_THREADS_PER_WAIT = 1_000;

/**
 * Threads to wait for: a fixed set (SpawnedThreads.of(a, b)), or all threads started by
 * one spawnThreadForEach() (their numbers are kept in a JSON_ARR variable).
 */
export class SpawnedThreads {
  readonly #fixed: readonly SpawnedThread[] | undefined;
  readonly #list: WfRunVariable<'JSON_ARR'> | undefined;

  private constructor(fixed: readonly SpawnedThread[] | undefined, list: WfRunVariable<'JSON_ARR'> | undefined) {
    this.#fixed = fixed;
    this.#list = list;
  }

  static of(...threads: SpawnedThread[]): SpawnedThreads {
    if (threads.length === 0) throw new Error('SpawnedThreads.of() needs at least one thread');
    if (threads.length > MAX_THREADS_PER_WAIT) throw new Error(`at most ${MAX_THREADS_PER_WAIT} threads per wait`);
    return new SpawnedThreads([...threads], undefined);
  }

  /** @internal The threads started by a START_MULTIPLE_THREADS node. */
  static fromList(list: WfRunVariable<'JSON_ARR'>): SpawnedThreads {
    return new SpawnedThreads(undefined, list);
  }

  /** @internal */
  toWaitNode(strategy: WaitForThreadsStrategy): WaitForThreadsNode {
    if (this.#list !== undefined) {
      return { threadsToWaitFor: { $case: 'threadList', value: this.#list.toAssignment() }, perThreadFailureHandlers: [], strategy };
    }
    const threads = (this.#fixed ?? []).map((t) => {
      if (t.threadNumber.valueType !== 'INT') throw new Error('only INT thread-number variables can be waited for');
      return { threadRunNumber: t.threadNumber.toAssignment() };
    });
    return { threadsToWaitFor: { $case: 'threads', value: { threads } }, perThreadFailureHandlers: [], strategy };
  }
}

/** Output of a WAIT_FOR_THREADS node: attach handlers run when a child thread fails. */
export class WaitForThreadsNodeOutput extends NodeOutput<'NONE'> {
  readonly #t: ThreadInternals;

  /** @internal */
  constructor(nodeName: string, t: ThreadInternals) {
    super(nodeName, 'NONE', t.access);
    this.#t = t;
  }

  /** Runs `handler` when a child fails with the named exception (or any exception if undefined). */
  handleExceptionOnChild(exceptionName: string | undefined, handler: ThreadFunc): this {
    addExceptionHandler(this.#t, 'child', this.nodeName, exceptionName, handler);
    return this;
  }
  /** Runs `handler` when a child fails with the given error type (or any error if undefined). */
  handleErrorOnChild(errorType: ErrorTypeArg | undefined, handler: ThreadFunc): this {
    addErrorHandler(this.#t, 'child', this.nodeName, errorType, handler);
    return this;
  }
  handleAnyFailureOnChild(handler: ThreadFunc): this {
    addAnyFailureHandler(this.#t, 'child', this.nodeName, handler);
    return this;
  }
}

export type ThreadInputs = Readonly<Record<string, AnyValue>>;

function assignmentsOf(inputs: ThreadInputs): Record<string, VariableAssignment> {
  const out: Record<string, VariableAssignment> = {};
  for (const key of Object.keys(inputs)) out[key] = assignmentOf(inputs[key]);
  return out;
}

export function spawnThread(t: ThreadInternals, threadName: string, func: ThreadFunc, inputs: ThreadInputs): SpawnedThread {
  t.assertActive();
  const name = t.ctx.addSubThread(threadName, func);
  const nodeName = t.graph.addNode(name, { $case: 'startThread', value: { threadSpecName: name, variables: assignmentsOf(inputs) } });
  // The node's output is the child's thread number; keep it for waitForThreads().
  const threadNumber = t.declarePrimitive(nodeName, 'INT');
  threadNumber.assign(new NodeOutput(nodeName, 'INT', t.access));
  return { threadName: name, threadNumber };
}

/** One child thread per element of `iterable`; each receives its element as INPUT. */
export function spawnThreadForEach(
  t: ThreadInternals,
  iterable: ValueSource,
  threadName: string,
  func: ThreadFunc,
  inputs: ThreadInputs,
): SpawnedThreads {
  t.assertActive();
  const name = t.ctx.addSubThread(threadName, func);
  const nodeName = t.graph.addNode(threadName, {
    $case: 'startMultipleThreads',
    value: { threadSpecName: name, variables: assignmentsOf(inputs), iterable: iterable.toAssignment() },
  });
  const numbers = t.declarePrimitive(nodeName, 'JSON_ARR');
  numbers.assign(new NodeOutput(nodeName, 'JSON_ARR', t.access));
  return SpawnedThreads.fromList(numbers);
}

export function waitForThreads(t: ThreadInternals, threads: SpawnedThreads, strategy: WaitForThreadsStrategy): WaitForThreadsNodeOutput {
  t.assertActive();
  const nodeName = t.graph.addNode('threads', { $case: 'waitForThreads', value: threads.toWaitNode(strategy) });
  return new WaitForThreadsNodeOutput(nodeName, t);
}

/** Accepts waitForThreads(a, b), waitForThreads(SpawnedThreads.of(a, b)) or a for-each result. */
export function toSpawnedThreads(first: SpawnedThreads | SpawnedThread, rest: readonly SpawnedThread[]): SpawnedThreads {
  if (first instanceof SpawnedThreads) {
    if (rest.length > 0) throw new Error('pass either one SpawnedThreads or individual SpawnedThread handles, not both');
    return first;
  }
  return SpawnedThreads.of(first, ...rest);
}
