import {
  FailureHandlerDef_LHFailureType,
  LHErrorType,
  VariableMutationType,
  WaitForThreadsStrategy,
  lHErrorTypeToJSON,
  type ExponentialBackoffRetryPolicy,
  type FailureHandlerDef,
  type InterruptDef,
  type ThreadSpec,
  type VariableMutation,
} from '@filly/proto';
import type { OutputJsType, VarTypeName } from '../common/variable-types.ts';
import { toVariableValue } from '../common/variable-value.ts';
import type { TaskDefinition, TaskInputSpec, TaskOutputSpec } from '../worker/task-definition.ts';
import { buildIf, buildWhile, WorkflowIfStatement } from './branching.ts';
import {
  assignmentOf,
  Condition,
  LHExpression,
  LHFormatString,
  type AnyValue,
  type Assignable,
  type ValueSource,
  type ValueTag,
} from './expression.ts';
import { ExternalEventNodeOutput, NodeOutput, TaskNodeOutput, backoffPolicy, type BackoffPolicy } from './node-output.ts';
import { ThreadGraph } from './thread-graph.ts';
import { WfRunVariable } from './wf-run-variable.ts';

export type ThreadFunc = (wf: WorkflowThread) => void;

/** What a thread needs from the workflow being compiled. */
export interface CompileContext {
  addSubThread(name: string, func: ThreadFunc): string;
  recordMutation(m: VariableMutation): void;
  readonly defaultTimeoutSeconds: number | undefined;
  readonly defaultRetries: number;
  readonly defaultBackoff: ExponentialBackoffRetryPolicy | undefined;
  readonly taskDefNames: Set<string>;
  readonly externalEventDefNames: Set<string>;
  readonly workflowEventDefNames: Set<string>;
}

export type ExecuteArgs<I extends TaskInputSpec> = { readonly [K in keyof I]: Assignable<I[K]> };
export type OutputTag<O extends TaskOutputSpec> = O extends VarTypeName ? O : 'NONE';

export interface ExecuteOptions {
  readonly retries?: number;
  readonly timeoutSeconds?: number;
  readonly exponentialBackoff?: BackoffPolicy;
}

/** A thread started by spawnThread(); wait for it with waitForThreads(). */
export interface SpawnedThread {
  readonly threadName: string;
  readonly threadNumber: WfRunVariable<'INT'>;
}

/**
 * The builder handed to a workflow (or thread) function. Every call appends nodes to
 * this thread in order; see the upstream LittleHorse SDKs for the vocabulary.
 */
export class WorkflowThread {
  readonly threadName: string;
  readonly #ctx: CompileContext;
  readonly #g = new ThreadGraph();
  readonly #variables: WfRunVariable<VarTypeName>[] = [];
  readonly #interrupts: InterruptDef[] = [];
  #active = true;

  /** @internal Created by Workflow.compile(). */
  constructor(threadName: string, ctx: CompileContext) {
    this.threadName = threadName;
    this.#ctx = ctx;
  }

  declareStr(name: string, defaultValue?: string): WfRunVariable<'STR'> {
    return this.#declare(name, 'STR', defaultValue);
  }
  declareInt(name: string, defaultValue?: number | bigint): WfRunVariable<'INT'> {
    return this.#declare(name, 'INT', defaultValue);
  }
  declareDouble(name: string, defaultValue?: number): WfRunVariable<'DOUBLE'> {
    return this.#declare(name, 'DOUBLE', defaultValue);
  }
  declareBool(name: string, defaultValue?: boolean): WfRunVariable<'BOOL'> {
    return this.#declare(name, 'BOOL', defaultValue);
  }
  declareJsonObj(name: string, defaultValue?: Record<string, unknown>): WfRunVariable<'JSON_OBJ'> {
    return this.#declare(name, 'JSON_OBJ', defaultValue);
  }
  declareJsonArr(name: string, defaultValue?: unknown[]): WfRunVariable<'JSON_ARR'> {
    return this.#declare(name, 'JSON_ARR', defaultValue);
  }
  declareBytes(name: string, defaultValue?: Uint8Array): WfRunVariable<'BYTES'> {
    return this.#declare(name, 'BYTES', defaultValue);
  }
  declareTimestamp(name: string, defaultValue?: Date): WfRunVariable<'TIMESTAMP'> {
    return this.#declare(name, 'TIMESTAMP', defaultValue);
  }
  declareWfRunId(name: string): WfRunVariable<'WF_RUN_ID'> {
    return this.#declare(name, 'WF_RUN_ID', undefined);
  }

  /** Runs a task. Arguments are checked against the task's declared input types. */
  execute<I extends TaskInputSpec, O extends TaskOutputSpec>(
    task: TaskDefinition<I, O>,
    args: ExecuteArgs<I>,
    options: ExecuteOptions = {},
  ): TaskNodeOutput<OutputTag<O>> {
    this.assertActive();
    const variables = task.inputNames.map((name) => {
      if (!(name in args)) throw new Error(`execute(${task.name}): missing argument "${name}"`);
      return assignmentOf((args as Record<string, unknown>)[name], task.input[name]);
    });
    const extra = Object.keys(args).filter((k) => !task.inputNames.includes(k));
    if (extra.length > 0) throw new Error(`execute(${task.name}): unknown argument(s) ${extra.join(', ')}`);
    this.#ctx.taskDefNames.add(task.name);
    const backoff = options.exponentialBackoff !== undefined ? backoffPolicy(options.exponentialBackoff) : this.#ctx.defaultBackoff;
    const name = this.#g.addNode(task.name, {
      $case: 'task',
      value: {
        taskToExecute: { $case: 'taskDefId', value: { name: task.name } },
        timeoutSeconds: options.timeoutSeconds ?? this.#ctx.defaultTimeoutSeconds ?? 0,
        retries: options.retries ?? this.#ctx.defaultRetries,
        ...(backoff !== undefined ? { exponentialBackoff: backoff } : {}),
        variables,
      },
    });
    const tag = (task.output ?? 'NONE') as OutputTag<O>;
    return new TaskNodeOutput(name, tag, this.#access());
  }

  /** A STR assembled at run time: `wf.format('{0}-{1}', a, b)`. */
  format(format: string, ...args: AnyValue[]): LHFormatString {
    return new LHFormatString(format, args);
  }

  doIf(condition: Condition | ValueSource<'BOOL'>, body: ThreadFunc): WorkflowIfStatement<WorkflowThread> {
    this.assertActive();
    const branch = buildIf(this.#g, condition.toAssignment(), () => body(this));
    return new WorkflowIfStatement(this.#g, branch, this);
  }

  doIfElse(condition: Condition | ValueSource<'BOOL'>, ifBody: ThreadFunc, elseBody: ThreadFunc): void {
    this.doIf(condition, ifBody).doElse(elseBody);
  }

  /** Repeats `body` while `condition` holds (checked before each iteration). */
  doWhile(condition: Condition, body: ThreadFunc): void {
    this.assertActive();
    buildWhile(this.#g, condition.toAssignment(), condition.negate().toAssignment(), () => body(this));
  }

  sleepSeconds(seconds: Assignable<'INT'>): void {
    this.assertActive();
    this.#g.addNode('sleep', { $case: 'sleep', value: { sleepLength: { $case: 'rawSeconds', value: assignmentOf(seconds, 'INT') } } });
  }

  /** Sleeps until the time in a TIMESTAMP (or INT epoch-millis) value. */
  sleepUntil(time: ValueSource<'TIMESTAMP'> | ValueSource<'INT'> | ValueSource<'ANY'>): void {
    this.assertActive();
    this.#g.addNode('sleep', { $case: 'sleep', value: { sleepLength: { $case: 'timestamp', value: time.toAssignment() } } });
  }

  /** Waits for an ExternalEvent of the named ExternalEventDef; the output is its content. */
  waitForEvent(externalEventDefName: string, options: { readonly timeoutSeconds?: number } = {}): ExternalEventNodeOutput {
    this.assertActive();
    this.#ctx.externalEventDefNames.add(externalEventDefName);
    const name = this.#g.addNode(externalEventDefName, {
      $case: 'externalEvent',
      value: { externalEventDefId: { name: externalEventDefName }, maskCorrelationKey: false },
    });
    const out = new ExternalEventNodeOutput(name, 'ANY', this.#access());
    if (options.timeoutSeconds !== undefined) out.timeout(options.timeoutSeconds);
    return out;
  }

  /** Throws a WorkflowEvent of the named WorkflowEventDef. */
  throwEvent(workflowEventDefName: string, content: AnyValue): void {
    this.assertActive();
    this.#ctx.workflowEventDefNames.add(workflowEventDefName);
    this.#g.addNode(`throw-${workflowEventDefName}`, {
      $case: 'throwEvent',
      value: { eventDefId: { name: workflowEventDefName }, content: assignmentOf(content) },
    });
  }

  /** Ends the thread successfully, optionally with an output. */
  complete(output?: AnyValue): void {
    this.assertActive();
    const result = output !== undefined ? { $case: 'returnContent' as const, value: assignmentOf(output) } : undefined;
    this.#g.addNode('complete', { $case: 'exit', value: result !== undefined ? { result } : {} });
  }

  /** Ends the thread with a failure: a kebab-case name is a business EXCEPTION. */
  fail(failureName: string, message?: string, content?: AnyValue): void {
    this.assertActive();
    this.#g.addNode(failureName, {
      $case: 'exit',
      value: {
        result: {
          $case: 'failureDef',
          value: {
            failureName,
            message: message ?? '',
            ...(content !== undefined ? { content: assignmentOf(content) } : {}),
          },
        },
      },
    });
  }

  add(lhs: AnyValue, rhs: AnyValue): LHExpression {
    return new LHExpression(lhs, VariableMutationType.ADD, rhs);
  }
  subtract(lhs: AnyValue, rhs: AnyValue): LHExpression {
    return new LHExpression(lhs, VariableMutationType.SUBTRACT, rhs);
  }
  multiply(lhs: AnyValue, rhs: AnyValue): LHExpression {
    return new LHExpression(lhs, VariableMutationType.MULTIPLY, rhs);
  }
  divide(lhs: AnyValue, rhs: AnyValue): LHExpression {
    return new LHExpression(lhs, VariableMutationType.DIVIDE, rhs);
  }
  extend(lhs: AnyValue, rhs: AnyValue): LHExpression {
    return new LHExpression(lhs, VariableMutationType.EXTEND, rhs);
  }
  removeIfPresent(lhs: AnyValue, rhs: AnyValue): LHExpression {
    return new LHExpression(lhs, VariableMutationType.REMOVE_IF_PRESENT, rhs);
  }
  removeIndex(lhs: AnyValue, index: AnyValue): LHExpression {
    return new LHExpression(lhs, VariableMutationType.REMOVE_INDEX, index);
  }
  removeKey(lhs: AnyValue, key: AnyValue): LHExpression {
    return new LHExpression(lhs, VariableMutationType.REMOVE_KEY, key);
  }

  /** Catches a business exception (by name, or any exception) thrown by `node`. */
  handleException(node: NodeOutput<ValueTag>, exceptionName: string | undefined, handler: ThreadFunc): void {
    const catching: FailureHandlerDef['failureToCatch'] =
      exceptionName !== undefined
        ? { $case: 'specificFailure', value: exceptionName }
        : { $case: 'anyFailureOfType', value: FailureHandlerDef_LHFailureType.FAILURE_TYPE_EXCEPTION };
    this.#addHandler(node, `exn-handler-${node.nodeName}-${exceptionName ?? 'null'}`, catching, handler);
  }

  /** Catches a LittleHorse ERROR (of one type, or any) raised by `node`. */
  handleError(node: NodeOutput<ValueTag>, errorType: LHErrorType | undefined, handler: ThreadFunc): void {
    const label = errorType !== undefined ? lHErrorTypeToJSON(errorType) : 'FAILURE_TYPE_ERROR';
    const catching: FailureHandlerDef['failureToCatch'] =
      errorType !== undefined
        ? { $case: 'specificFailure', value: lHErrorTypeToJSON(errorType) }
        : { $case: 'anyFailureOfType', value: FailureHandlerDef_LHFailureType.FAILURE_TYPE_ERROR };
    this.#addHandler(node, `exn-handler-${node.nodeName}-${label}`, catching, handler);
  }

  handleAnyFailure(node: NodeOutput<ValueTag>, handler: ThreadFunc): void {
    this.#addHandler(node, `exn-handler-${node.nodeName}-any-failure`, undefined, handler);
  }

  /** Runs `handler` as an interrupt thread whenever the named ExternalEvent arrives. */
  registerInterruptHandler(externalEventDefName: string, handler: ThreadFunc): void {
    this.assertActive();
    const threadName = this.#ctx.addSubThread(`interrupt-${externalEventDefName}`, handler);
    this.#ctx.externalEventDefNames.add(externalEventDefName);
    this.#interrupts.push({ externalEventDefId: { name: externalEventDefName }, handlerSpecName: threadName });
  }

  /** Starts a child thread; its number is kept in an INT variable named after the node. */
  spawnThread(threadName: string, func: ThreadFunc, inputs: Readonly<Record<string, AnyValue>> = {}): SpawnedThread {
    this.assertActive();
    const name = this.#ctx.addSubThread(threadName, func);
    const variables: Record<string, ReturnType<typeof assignmentOf>> = {};
    for (const key of Object.keys(inputs)) variables[key] = assignmentOf(inputs[key]);
    const nodeName = this.#g.addNode(name, { $case: 'startThread', value: { threadSpecName: name, variables } });
    const threadNumber = this.declareInt(nodeName);
    threadNumber.assign(new NodeOutput(nodeName, 'INT', this.#access()));
    return { threadName: name, threadNumber };
  }

  /** Waits until all the given threads finish. */
  waitForThreads(...threads: SpawnedThread[]): NodeOutput<'NONE'> {
    this.assertActive();
    const name = this.#g.addNode('threads', {
      $case: 'waitForThreads',
      value: {
        threadsToWaitFor: { $case: 'threads', value: { threads: threads.map((t) => ({ threadRunNumber: t.threadNumber.toAssignment() })) } },
        perThreadFailureHandlers: [],
        strategy: WaitForThreadsStrategy.WAIT_FOR_ALL,
      },
    });
    return new NodeOutput(name, 'NONE', this.#access());
  }

  /** Generic mutation, as in the upstream `mutate(var, type, rhs)`. */
  mutate(variable: WfRunVariable<ValueTag>, operation: VariableMutationType, rhs: AnyValue): void {
    variable.mutate(operation, rhs);
  }

  assertActive(): void {
    if (!this.#active) throw new Error(`thread ${this.threadName} is no longer being built`);
  }

  /** @internal Records a variable mutation for the next edge. */
  recordMutation(m: VariableMutation): void {
    this.assertActive();
    this.#g.addMutation(m);
  }

  /** @internal Closes the thread (adds the final EXIT) and returns its spec. */
  finish(): ThreadSpec {
    if (!this.#g.isExit(this.#g.lastNodeName)) this.#g.addNode('exit', { $case: 'exit', value: {} });
    this.#active = false;
    return {
      nodes: Object.fromEntries(this.#g.nodes),
      variableDefs: this.#variables.map((v) => v.toThreadVarDef()),
      interruptDefs: this.#interrupts,
    };
  }

  #declare<T extends VarTypeName>(name: string, type: T, defaultValue: OutputJsType<T> | undefined): WfRunVariable<T> {
    this.assertActive();
    if (this.#variables.some((v) => v.name === name)) throw new Error(`variable ${name} declared twice in thread ${this.threadName}`);
    const def = defaultValue !== undefined ? toVariableValue(defaultValue, type) : undefined;
    const v = WfRunVariable.declare(name, type, def, (m) => this.#ctx.recordMutation(m));
    this.#variables.push(v as unknown as WfRunVariable<VarTypeName>);
    return v;
  }

  #addHandler(node: NodeOutput<ValueTag>, threadName: string, catching: FailureHandlerDef['failureToCatch'], handler: ThreadFunc): void {
    this.assertActive();
    const name = this.#ctx.addSubThread(threadName, handler);
    const def: FailureHandlerDef = { handlerSpecName: name, ...(catching !== undefined ? { failureToCatch: catching } : {}) };
    this.#g.node(node.nodeName).failureHandlers.push(def);
  }

  #access(): { node: (n: string) => ReturnType<ThreadGraph['node']>; assertActive: () => void } {
    return { node: (n) => this.#g.node(n), assertActive: () => this.assertActive() };
  }
}
