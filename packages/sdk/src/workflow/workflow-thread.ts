import { UTActionTrigger_UTHook, WaitForThreadsStrategy } from '@filly/proto';
import type { TaskDefinition, TaskInputSpec, TaskOutputSpec } from '../worker/task-definition.ts';
import * as childWf from './child-workflows.ts';
import type { SpawnedChildWf } from './child-workflows.ts';
import type { ThreadFunc } from './compile-context.ts';
import { assignmentOf, type AnyValue, type Assignable, type Condition, type ValueSource, type ValueTag } from './expression.ts';
import * as events from './events.ts';
import type { ExternalEventNodeOutput, InterruptHandler, ThrowEventNodeOutput } from './events.ts';
import { addAnyFailureHandler, addErrorHandler, addExceptionHandler, type ErrorTypeArg } from './failure-handling.ts';
import type { NodeOutput } from './node-output.ts';
import { InlineStructBuilder, StructBuilder } from './structs.ts';
import type { ExecuteArgs } from './task-nodes.ts';
import { ThreadCore } from './thread-core.ts';
import * as threads from './threads.ts';
import type { SpawnedThread, SpawnedThreads, ThreadInputs, WaitForThreadsNodeOutput } from './threads.ts';
import * as userTasks from './user-tasks.ts';
import type { StrValue, UserTaskOutput } from './user-tasks.ts';

export type { ThreadFunc } from './compile-context.ts';
export type { ExecuteArgs, ExecuteOptions } from './task-nodes.ts';
export type { OutputTag } from './thread-core.ts';
export type { SpawnedThread } from './threads.ts';

/**
 * The builder handed to a workflow (or thread) function. Every call appends nodes to
 * this thread in order, named and wired as upstream LittleHorse's Java builder does.
 */
export class WorkflowThread extends ThreadCore {
  /** The variable a failure-handler or for-each thread declares to receive its input. */
  static readonly HANDLER_INPUT_VAR = 'INPUT';

  // ---- events and endings -------------------------------------------------------------

  /** Waits for an ExternalEvent of the named ExternalEventDef; the output is its content. */
  waitForEvent(externalEventDefName: string, options: { readonly timeoutSeconds?: number } = {}): ExternalEventNodeOutput {
    const out = events.waitForEvent(this.internals(), externalEventDefName);
    if (options.timeoutSeconds !== undefined) out.timeout(options.timeoutSeconds);
    return out;
  }

  /** Throws a WorkflowEvent of the named WorkflowEventDef. */
  throwEvent(workflowEventDefName: string, content: AnyValue): ThrowEventNodeOutput {
    return events.throwEvent(this.internals(), workflowEventDefName, content);
  }

  /** Blocks until `condition` holds (re-evaluated whenever a variable changes). */
  waitForCondition(condition: Condition | ValueSource<'BOOL'>): NodeOutput<'NONE'> {
    return events.waitForCondition(this.internals(), condition);
  }

  /** Ends the thread successfully, optionally with an output. */
  complete(output?: AnyValue): void {
    this.assertActive();
    const result = output !== undefined ? { $case: 'returnContent' as const, value: assignmentOf(output) } : undefined;
    this.graph.addNode('complete', { $case: 'exit', value: result !== undefined ? { result } : {} });
  }

  /** Ends the thread with a failure: a kebab-case name is a business EXCEPTION. */
  fail(failureName: string, message?: string, content?: AnyValue): void {
    this.assertActive();
    if (failureName.length === 0) throw new Error('a failure name must not be empty');
    this.graph.addNode(failureName, {
      $case: 'exit',
      value: {
        result: {
          $case: 'failureDef',
          value: { failureName, message: message ?? '', ...(content !== undefined ? { content: assignmentOf(content) } : {}) },
        },
      },
    });
  }

  // ---- failure handling ---------------------------------------------------------------

  /** Catches a business exception thrown by `node`: the named one, or any exception. */
  handleException(node: NodeOutput<ValueTag>, handler: ThreadFunc): void;
  handleException(node: NodeOutput<ValueTag>, exceptionName: string | undefined, handler: ThreadFunc): void;
  handleException(node: NodeOutput<ValueTag>, a: string | undefined | ThreadFunc, b?: ThreadFunc): void {
    const [name, handler] = splitArgs(a, b);
    addExceptionHandler(this.internals(), 'node', node.nodeName, name, handler);
  }

  /** Catches a LittleHorse ERROR raised by `node`: one type, or any error. */
  handleError(node: NodeOutput<ValueTag>, handler: ThreadFunc): void;
  handleError(node: NodeOutput<ValueTag>, errorType: ErrorTypeArg | undefined, handler: ThreadFunc): void;
  handleError(node: NodeOutput<ValueTag>, a: ErrorTypeArg | undefined | ThreadFunc, b?: ThreadFunc): void {
    const [type, handler] = splitArgs(a, b);
    addErrorHandler(this.internals(), 'node', node.nodeName, type, handler);
  }

  /** Catches any failure of `node`. */
  handleAnyFailure(node: NodeOutput<ValueTag>, handler: ThreadFunc): void {
    addAnyFailureHandler(this.internals(), 'node', node.nodeName, handler);
  }

  /** Runs `handler` as an interrupt thread whenever the named ExternalEvent arrives. */
  registerInterruptHandler(externalEventDefName: string, handler: ThreadFunc): InterruptHandler {
    const { threadName, handle } = events.registerInterruptHandler(this.internals(), externalEventDefName, handler);
    this.interrupts.push({ externalEventDefId: { name: externalEventDefName }, handlerSpecName: threadName });
    return handle;
  }

  // ---- child threads ------------------------------------------------------------------

  /** Starts a child thread; its number is kept in an INT variable named after the node. */
  spawnThread(threadName: string, func: ThreadFunc, inputs: ThreadInputs = {}): SpawnedThread {
    return threads.spawnThread(this.internals(), threadName, func, inputs);
  }

  /** Starts one child thread per element of a JSON_ARR or native Array value. */
  spawnThreadForEach(
    iterable: ValueSource<'JSON_ARR'> | ValueSource<'ARRAY'> | ValueSource<'ANY'>,
    threadName: string,
    func: ThreadFunc,
    inputs: ThreadInputs = {},
  ): SpawnedThreads {
    return threads.spawnThreadForEach(this.internals(), iterable, threadName, func, inputs);
  }

  /** Waits until all the given threads finish (fails if one fails without a handler). */
  waitForThreads(first: SpawnedThreads | SpawnedThread, ...rest: SpawnedThread[]): WaitForThreadsNodeOutput {
    return threads.waitForThreads(this.internals(), threads.toSpawnedThreads(first, rest), WaitForThreadsStrategy.WAIT_FOR_ALL);
  }
  /** Waits until the first of the given threads (in order) finishes. */
  waitForFirstOf(first: SpawnedThreads | SpawnedThread, ...rest: SpawnedThread[]): WaitForThreadsNodeOutput {
    return threads.waitForThreads(this.internals(), threads.toSpawnedThreads(first, rest), WaitForThreadsStrategy.WAIT_FOR_FIRST);
  }
  /** Waits until any one of the given threads finishes. */
  waitForAnyOf(first: SpawnedThreads | SpawnedThread, ...rest: SpawnedThread[]): WaitForThreadsNodeOutput {
    return threads.waitForThreads(this.internals(), threads.toSpawnedThreads(first, rest), WaitForThreadsStrategy.WAIT_FOR_ANY);
  }

  // ---- child workflows ----------------------------------------------------------------

  /** Starts a child WfRun (latest major version) of a WfSpec named literally or by a STR value. */
  runWf(wfSpec: string | ValueSource<'STR'> | ValueSource<'ANY'>, inputs: Readonly<Record<string, AnyValue>> = {}): SpawnedChildWf {
    return childWf.runWf(this.internals(), wfSpec, inputs);
  }
  /** Waits for a child WfRun started by this thread; the output is the child's output. */
  waitForChildWf(child: SpawnedChildWf): NodeOutput<'ANY'> {
    return childWf.waitForChildWf(this.internals(), child);
  }

  // ---- user tasks ---------------------------------------------------------------------

  /** Creates a UserTaskRun of the named UserTaskDef for a user and/or a group. */
  assignUserTask(userTaskDefName: string, userId?: StrValue | null, userGroup?: StrValue | null): UserTaskOutput {
    return userTasks.assignUserTask(this.internals(), userTaskDefName, userId, userGroup);
  }
  /** If the assigned user has not finished after `deadlineSeconds`, gives the task back to its group. */
  releaseToGroupOnDeadline(userTask: UserTaskOutput, deadlineSeconds: Assignable<'INT'>): void {
    userTasks.releaseToGroupOnDeadline(this.internals(), userTask, deadlineSeconds);
  }
  /** If not finished `deadlineSeconds` after assignment, reassigns to another user and/or group. */
  reassignUserTask(userTask: UserTaskOutput, userId: StrValue | null, userGroup: StrValue | null, deadlineSeconds: Assignable<'INT'>): void {
    userTasks.reassignUserTask(this.internals(), userTask, userId, userGroup, deadlineSeconds);
  }
  /** Runs a reminder task `delaySeconds` after the user task arrives. */
  scheduleReminderTask<I extends TaskInputSpec, O extends TaskOutputSpec>(
    userTask: UserTaskOutput,
    delaySeconds: Assignable<'INT'>,
    task: TaskDefinition<I, O>,
    args: ExecuteArgs<I>,
  ): void {
    userTasks.scheduleReminderTask(this.internals(), userTask, delaySeconds, task, args, UTActionTrigger_UTHook.ON_ARRIVAL);
  }
  /** Runs a reminder task `delaySeconds` after the user task is assigned. */
  scheduleReminderTaskOnAssignment<I extends TaskInputSpec, O extends TaskOutputSpec>(
    userTask: UserTaskOutput,
    delaySeconds: Assignable<'INT'>,
    task: TaskDefinition<I, O>,
    args: ExecuteArgs<I>,
  ): void {
    userTasks.scheduleReminderTask(this.internals(), userTask, delaySeconds, task, args, UTActionTrigger_UTHook.ON_TASK_ASSIGNED);
  }
  /** Cancels the UserTaskRun `delaySeconds` after it arrives. */
  cancelUserTaskRunAfter(userTask: UserTaskOutput, delaySeconds: Assignable<'INT'>): void {
    userTasks.cancelUserTaskRunAfter(this.internals(), userTask, delaySeconds, UTActionTrigger_UTHook.ON_ARRIVAL);
  }
  /** Cancels the UserTaskRun `delaySeconds` after it is assigned. */
  cancelUserTaskRunAfterAssignment(userTask: UserTaskOutput, delaySeconds: Assignable<'INT'>): void {
    userTasks.cancelUserTaskRunAfter(this.internals(), userTask, delaySeconds, UTActionTrigger_UTHook.ON_TASK_ASSIGNED);
  }

  // ---- structs ------------------------------------------------------------------------

  /** A StructDef instance built at run time; the latest StructDef version unless given. */
  buildStruct(structDefName: string, version?: number): StructBuilder {
    return new StructBuilder(structDefName, version);
  }
  /** A nested struct value for StructBuilder.put(). */
  buildInlineStruct(): InlineStructBuilder {
    return new InlineStructBuilder();
  }
}

/** Sorts out the (node, handler) and (node, name, handler) call forms. */
function splitArgs<A>(a: A | undefined | ThreadFunc, b: ThreadFunc | undefined): [A | undefined, ThreadFunc] {
  if (b !== undefined) {
    if (typeof a === 'function') throw new Error('the failure name must be a name, not a function');
    return [a as A | undefined, b];
  }
  if (typeof a !== 'function') throw new Error('a handler function is required');
  return [undefined, a as ThreadFunc];
}
