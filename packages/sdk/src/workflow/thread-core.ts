import {
  VariableMutationType,
  type Comparator,
  type InterruptDef,
  type ThreadRetentionPolicy,
  type ThreadSpec,
  type VariableMutation,
} from '@filly/proto';
import type { OutputJsType, VarTypeName } from '../common/variable-types.ts';
import { toVariableValue } from '../common/variable-value.ts';
import type { TaskDefinition, TaskInputSpec, TaskOutputSpec } from '../worker/task-definition.ts';
import { buildIf, buildWhile, WorkflowIfStatement } from './branching.ts';
import type { CompileContext, ThreadInternals } from './compile-context.ts';
import { assignmentOf, Condition, LHExpression, LHFormatString, type AnyValue, type Assignable, type ValueSource, type ValueTag } from './expression.ts';
import { NodeOutput, TaskNodeOutput, type NodeAccess } from './node-output.ts';
import { buildTaskNode, type ExecuteArgs, type ExecuteOptions } from './task-nodes.ts';
import { ThreadGraph } from './thread-graph.ts';
import { tagOfSpec, type ArrayTypeSpec, type MapKeyType, type StructTypeSpec, type TagOfSpec, type TypeSpec } from './type-spec.ts';
import { WfRunVariable } from './wf-run-variable.ts';

export type OutputTag<O extends TaskOutputSpec> = O extends VarTypeName ? O : 'NONE';

/** Bound on variables per thread. */
const MAX_VARIABLES_PER_THREAD = 1_000;

/**
 * The core of a thread builder: variables, tasks, branching, loops, sleeps and
 * expressions. WorkflowThread adds the features built on other node types.
 */
export class ThreadCore {
  readonly threadName: string;
  protected readonly ctx: CompileContext;
  protected readonly graph = new ThreadGraph();
  protected readonly interrupts: InterruptDef[] = [];
  readonly #variables: WfRunVariable<ValueTag>[] = [];
  #retention: ThreadRetentionPolicy | undefined;
  #active = true;

  /** @internal Created by Workflow.compile(). */
  constructor(threadName: string, ctx: CompileContext) {
    this.threadName = threadName;
    this.ctx = ctx;
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
  /** A variable holding an instance of a StructDef (the latest version unless given). */
  declareStruct(name: string, structDefName: string, structDefVersion?: number): WfRunVariable<'STRUCT'> {
    const spec: StructTypeSpec = structDefVersion !== undefined ? { struct: structDefName, version: structDefVersion } : { struct: structDefName };
    return this.declareTyped(name, spec);
  }
  /** A native typed Array, e.g. declareArray('ids', 'INT') or declareArray('cars', { struct: 'car' }). */
  declareArray(name: string, elementType: TypeSpec): WfRunVariable<'ARRAY'> {
    const spec: ArrayTypeSpec = { arrayOf: elementType };
    return this.declareTyped(name, spec);
  }
  /** A native typed Map with primitive keys, e.g. declareMap('prices', 'STR', 'DOUBLE'). */
  declareMap(name: string, keyType: MapKeyType, valueType: TypeSpec): WfRunVariable<'MAP'> {
    return this.declareTyped(name, { mapOf: [keyType, valueType] });
  }
  /** A variable of any TypeSpec; its static tag follows the spec. */
  declareTyped<S extends TypeSpec>(name: string, spec: S): WfRunVariable<TagOfSpec<S>> {
    return this.#register(WfRunVariable.declareTyped(name, spec, tagOfSpec(spec), (m) => this.ctx.recordMutation(m)));
  }

  /** Runs a task. Arguments are checked against the task's declared input types. */
  execute<I extends TaskInputSpec, O extends TaskOutputSpec>(
    task: TaskDefinition<I, O>,
    args: ExecuteArgs<I>,
    options: ExecuteOptions = {},
  ): TaskNodeOutput<OutputTag<O>> {
    this.assertActive();
    const name = this.graph.addNode(task.name, { $case: 'task', value: buildTaskNode(this.ctx, task, args, options) });
    const tag = (task.output ?? 'NONE') as OutputTag<O>;
    return new TaskNodeOutput(name, tag, this.access());
  }

  /** A STR assembled at run time: `wf.format('{0}-{1}', a, b)`. */
  format(format: string, ...args: AnyValue[]): LHFormatString {
    return new LHFormatString(format, args);
  }

  doIf(condition: Condition | ValueSource<'BOOL'>, body: (wf: this) => void): WorkflowIfStatement<this> {
    this.assertActive();
    const branch = buildIf(this.graph, condition.toAssignment(), () => body(this));
    return new WorkflowIfStatement(this.graph, branch, this);
  }

  doIfElse(condition: Condition | ValueSource<'BOOL'>, ifBody: (wf: this) => void, elseBody: (wf: this) => void): void {
    this.doIf(condition, ifBody).doElse(elseBody);
  }

  /** Repeats `body` while `condition` holds (checked before each iteration). */
  doWhile(condition: Condition, body: (wf: this) => void): void {
    this.assertActive();
    buildWhile(this.graph, condition.toAssignment(), condition.negate().toAssignment(), () => body(this));
  }

  sleepSeconds(seconds: Assignable<'INT'>): void {
    this.assertActive();
    this.graph.addNode('sleep', { $case: 'sleep', value: { sleepLength: { $case: 'rawSeconds', value: assignmentOf(seconds, 'INT') } } });
  }

  /** Sleeps until the time in a TIMESTAMP (or INT epoch-millis) value. */
  sleepUntil(time: ValueSource<'TIMESTAMP'> | ValueSource<'INT'> | ValueSource<'ANY'>): void {
    this.assertActive();
    this.graph.addNode('sleep', { $case: 'sleep', value: { sleepLength: { $case: 'timestamp', value: time.toAssignment() } } });
  }

  /** A comparison written with an explicit comparator, as upstream's `condition(lhs, cmp, rhs)`. */
  condition(lhs: AnyValue, comparator: Comparator, rhs: AnyValue): Condition {
    return new Condition(lhs, comparator, rhs);
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
  pow(base: AnyValue, exponent: AnyValue): LHExpression {
    return new LHExpression(base, VariableMutationType.POW, exponent);
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

  /** Generic mutation, as in the upstream `mutate(var, type, rhs)`. */
  mutate(variable: WfRunVariable<ValueTag>, operation: VariableMutationType, rhs: AnyValue): void {
    variable.mutate(operation, rhs);
  }

  /** Deletes this thread's ThreadRuns this long after they terminate (overrides the workflow default). */
  withRetentionPolicy(secondsAfterThreadTermination: number): void {
    if (!Number.isInteger(secondsAfterThreadTermination) || secondsAfterThreadTermination <= 0) throw new Error('retention must be > 0');
    this.#retention = { threadGcPolicy: { $case: 'secondsAfterThreadTermination', value: BigInt(secondsAfterThreadTermination) } };
  }

  assertActive(): void {
    if (!this.#active) throw new Error(`thread ${this.threadName} is no longer being built`);
  }

  /** @internal Records a variable mutation for the next edge. */
  recordMutation(m: VariableMutation): void {
    this.assertActive();
    this.graph.addMutation(m);
  }

  /** @internal Closes the thread (adds the final EXIT) and returns its spec. */
  finish(): ThreadSpec {
    if (!this.graph.isExit(this.graph.lastNodeName)) this.graph.addNode('exit', { $case: 'exit', value: {} });
    this.#active = false;
    const retention = this.#retention ?? this.ctx.defaultThreadRetention;
    return {
      nodes: Object.fromEntries(this.graph.nodes),
      variableDefs: this.#variables.map((v) => v.toThreadVarDef()),
      interruptDefs: this.interrupts,
      ...(retention !== undefined ? { retentionPolicy: retention } : {}),
    };
  }

  /** What the feature modules (threads.ts, user-tasks.ts, ...) need from this thread. */
  protected internals(): ThreadInternals {
    return {
      threadName: this.threadName,
      ctx: this.ctx,
      graph: this.graph,
      access: this.access(),
      assertActive: () => this.assertActive(),
      declarePrimitive: (name, type) => this.#declare(name, type, undefined),
    };
  }

  protected access(): NodeAccess {
    return { node: (n) => this.graph.node(n), assertActive: () => this.assertActive() };
  }

  /** A NodeOutput of a node of this thread. */
  protected outputOf<T extends ValueTag>(nodeName: string, tag: T): NodeOutput<T> {
    return new NodeOutput(nodeName, tag, this.access());
  }

  #declare<T extends VarTypeName>(name: string, type: T, defaultValue: OutputJsType<T> | undefined): WfRunVariable<T> {
    const def = defaultValue !== undefined ? toVariableValue(defaultValue, type) : undefined;
    return this.#register(WfRunVariable.declare(name, type, def, (m) => this.ctx.recordMutation(m)));
  }

  #register<T extends ValueTag>(v: WfRunVariable<T>): WfRunVariable<T> {
    this.assertActive();
    if (this.#variables.some((d) => d.name === v.name)) throw new Error(`variable ${v.name} declared twice in thread ${this.threadName}`);
    if (this.#variables.length >= MAX_VARIABLES_PER_THREAD) throw new Error(`a thread may declare at most ${MAX_VARIABLES_PER_THREAD} variables`);
    this.#variables.push(v as unknown as WfRunVariable<ValueTag>);
    return v;
  }
}
