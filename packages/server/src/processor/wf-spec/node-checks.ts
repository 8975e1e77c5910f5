// Per-kind checks of one Node: what it references (TaskDefs, ExternalEventDefs, threads, nodes,
// variables) exists, and the values it computes have the types it needs.
import { VariableType } from '@filly/proto';
import type { ExternalEventDef, Node, TaskDef, TaskNode } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { isValidName } from '../names.ts';
import { checkAssignment, checkAssignmentFits, checkAssignmentOfType } from './assignments.ts';
import type { StaticType, ThreadScope } from './assignments.ts';
import type { StructDefLookup } from '../structs/struct-def-lookup.ts';
import { checkUserTaskNode, type UserTaskDefLookup } from '../user-tasks/user-task-node-checks.ts';
import { assignableWithoutCast, declaredTypeDef, primitiveName, primitiveOf } from './types.ts';

/** Metadata a WfSpec may reference, read from the store by the handler. */
export interface MetadataLookup {
  taskDef(name: string): TaskDef | undefined;
  externalEventDef(name: string): ExternalEventDef | undefined;
  /** Absent: WorkflowEventDefs are not checked (unit-test lookups). */
  workflowEventDefExists?(name: string): boolean;
  /** StructDefs by name and version (-1 = latest); absent means none exist. */
  structDef?: StructDefLookup;
  /** UserTaskDefs by name and version (undefined = newest); absent means none exist. */
  userTaskDef?: UserTaskDefLookup;
}

export interface NodeCheckEnv {
  readonly scope: ThreadScope;
  readonly lookup: MetadataLookup;
  hasThread(name: string): boolean;
}

/** LHErrorType names: reserved for the engine's own ERRORs, so a spec may not throw them. */
export const RESERVED_FAILURE_NAMES: ReadonlySet<string> = new Set([
  'CHILD_FAILURE', 'VAR_SUB_ERROR', 'VAR_MUTATION_ERROR', 'USER_TASK_CANCELLED', 'TIMEOUT',
  'TASK_FAILURE', 'VAR_ERROR', 'TASK_ERROR', 'INTERNAL_ERROR',
]);

/**
 * Checks the node's own content. Returns the static type an EXIT node returns (undefined when
 * unknowable), 'void' for an EXIT that returns nothing, and null for every other kind.
 */
export function checkNodeContent(node: Node, env: NodeCheckEnv, label: string): StaticType | 'void' | null {
  const n = node.node;
  if (n === undefined) throw invalidArgument(`${label}: the node has no type.`);
  switch (n.$case) {
    case 'entrypoint':
    case 'nop':
      return null;
    case 'exit': {
      const r = n.value.result;
      if (r === undefined) return 'void';
      if (r.$case === 'returnContent') return checkAssignment(r.value, env.scope, `${label} return value`);
      checkFailureName(r.value.failureName, label);
      if (r.value.content !== undefined) checkAssignment(r.value.content, env.scope, `${label} failure content`);
      return null;
    }
    case 'task':
      checkTaskNode(n.value, env, label);
      return null;
    case 'externalEvent': {
      const defName = n.value.externalEventDefId?.name;
      if (!defName) throw invalidArgument(`${label}: EXTERNAL_EVENT node names no ExternalEventDef.`);
      if (env.lookup.externalEventDef(defName) === undefined) {
        throw invalidArgument(`${label}: refers to ExternalEventDef '${defName}', which does not exist.`);
      }
      if (n.value.timeoutSeconds !== undefined) {
        checkAssignmentOfType(n.value.timeoutSeconds, [VariableType.INT], env.scope, `${label} timeout`);
      }
      if (n.value.correlationKey !== undefined) checkAssignment(n.value.correlationKey, env.scope, `${label} correlation key`);
      return null;
    }
    case 'sleep': {
      const len = n.value.sleepLength;
      if (len === undefined) throw invalidArgument(`${label}: SLEEP node has no duration, timestamp or date.`);
      if (len.$case === 'rawSeconds') checkAssignmentOfType(len.value, [VariableType.INT], env.scope, `${label} sleep seconds`);
      else if (len.$case === 'isoDate') checkAssignmentOfType(len.value, [VariableType.STR], env.scope, `${label} sleep date`);
      else checkAssignmentOfType(len.value, [VariableType.TIMESTAMP, VariableType.INT], env.scope, `${label} sleep timestamp`);
      return null;
    }
    case 'startThread':
    case 'startMultipleThreads': {
      const target = n.value.threadSpecName;
      if (!env.hasThread(target)) throw invalidArgument(`${label}: starts ThreadSpec '${target}', which does not exist.`);
      for (const [v, a] of Object.entries(n.value.variables)) checkAssignment(a, env.scope, `${label} input '${v}'`);
      if (n.$case === 'startMultipleThreads') {
        if (n.value.iterable === undefined) throw invalidArgument(`${label}: START_MULTIPLE_THREADS node has no iterable.`);
        checkAssignment(n.value.iterable, env.scope, `${label} iterable`);
      }
      return null;
    }
    case 'waitForThreads': {
      const w = n.value.threadsToWaitFor;
      if (w === undefined) throw invalidArgument(`${label}: WAIT_FOR_THREADS node names no threads.`);
      if (w.$case === 'threadList') checkAssignment(w.value, env.scope, `${label} thread list`);
      else {
        w.value.threads.forEach((t, i) => {
          if (t.threadRunNumber === undefined) throw invalidArgument(`${label}: thread ${i} has no thread run number.`);
          checkAssignmentOfType(t.threadRunNumber, [VariableType.INT], env.scope, `${label} thread ${i}`);
        });
      }
      for (const h of n.value.perThreadFailureHandlers) checkHandlerThread(h.handlerSpecName, env, label);
      return null;
    }
    case 'waitForCondition': {
      const c = n.value.nodeCondition;
      if (c === undefined) throw invalidArgument(`${label}: WAIT_FOR_CONDITION node has no condition.`);
      if (c.$case === 'condition') checkAssignmentOfType(c.value, [VariableType.BOOL], env.scope, `${label} condition`);
      return null;
    }
    case 'throwEvent':
      if (!n.value.eventDefId?.name) throw invalidArgument(`${label}: THROW_EVENT node names no WorkflowEventDef.`);
      if (env.lookup.workflowEventDefExists?.(n.value.eventDefId.name) === false) {
        throw invalidArgument(`${label}: refers to missing WorkflowEventDef '${n.value.eventDefId.name}'.`);
      }
      if (n.value.content !== undefined) checkAssignment(n.value.content, env.scope, `${label} content`);
      return null;
    case 'userTask':
      checkUserTaskNode(n.value, env, env.lookup.userTaskDef, label);
      return null;
    case 'runChildWf':
      if (n.value.wfSpec === undefined) throw invalidArgument(`${label}: RUN_CHILD_WF node names no WfSpec.`);
      for (const [v, a] of Object.entries(n.value.inputs)) checkAssignment(a, env.scope, `${label} input '${v}'`);
      return null;
    case 'waitForChildWf':
      if (n.value.childWfRunId === undefined) throw invalidArgument(`${label}: WAIT_FOR_CHILD_WF node has no child WfRun id.`);
      checkAssignment(n.value.childWfRunId, env.scope, `${label} child WfRun id`);
      if (!env.scope.hasNode(n.value.childWfRunSourceNode)) {
        throw invalidArgument(`${label}: refers to source node '${n.value.childWfRunSourceNode}', which does not exist.`);
      }
      return null;
  }
}

function checkTaskNode(task: TaskNode, env: NodeCheckEnv, label: string): void {
  const what = task.taskToExecute;
  if (what === undefined) throw invalidArgument(`${label}: TASK node names no TaskDef.`);
  if (what.$case === 'dynamicTask') {
    checkAssignmentOfType(what.value, [VariableType.STR], env.scope, `${label} task name`);
    task.variables.forEach((a, i) => checkAssignment(a, env.scope, `${label} input ${i}`));
  } else {
    const name = what.value.name;
    const def = env.lookup.taskDef(name);
    if (def === undefined) throw invalidArgument(`${label}: refers to TaskDef '${name}', which does not exist.`);
    if (task.variables.length !== def.inputVars.length) {
      throw invalidArgument(`${label}: TaskDef '${name}' takes ${def.inputVars.length} input(s), but the node passes ${task.variables.length}.`);
    }
    task.variables.forEach((a, i) => {
      const input = def.inputVars[i];
      if (input === undefined) return;
      const inputLabel = `${label} input ${i} ('${input.name}')`;
      const got = checkAssignment(a, env.scope, inputLabel);
      const want = primitiveOf(declaredTypeDef(input));
      if (got !== undefined && want !== undefined && !assignableWithoutCast(got, want)) {
        throw invalidArgument(`${inputLabel}: TaskDef '${name}' expects ${primitiveName(want)}, but the node passes ${primitiveName(got)}.`);
      }
      // STRUCT, array and map inputs: struct builders and typed values are checked against the input's type.
      if (want === undefined) checkAssignmentFits(a, declaredTypeDef(input), env.scope, inputLabel);
    });
  }
  if (task.timeoutSeconds < 0) throw invalidArgument(`${label}: timeout_seconds must not be negative.`);
  if (task.retries < 0) throw invalidArgument(`${label}: retries must not be negative.`);
  const b = task.exponentialBackoff;
  if (b !== undefined) {
    if (b.baseIntervalMs <= 0) throw invalidArgument(`${label}: exponential backoff base_interval_ms must be positive.`);
    if (!(b.multiplier >= 1)) throw invalidArgument(`${label}: exponential backoff multiplier must be at least 1.`);
    if (b.maxDelayMs < BigInt(b.baseIntervalMs)) {
      throw invalidArgument(`${label}: exponential backoff max_delay_ms must not be less than base_interval_ms.`);
    }
  }
}

function checkFailureName(name: string, label: string): void {
  if (RESERVED_FAILURE_NAMES.has(name)) throw invalidArgument(`${label}: failure name '${name}' is reserved for engine errors.`);
  if (!isValidName(name)) throw invalidArgument(`${label}: failure name '${name}' is not a valid name.`);
}

export function checkHandlerThread(threadName: string, env: NodeCheckEnv, label: string): void {
  if (!env.hasThread(threadName)) throw invalidArgument(`${label}: handler ThreadSpec '${threadName}' does not exist.`);
}
