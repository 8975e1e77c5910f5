// TASK: arriving creates a TaskRun (inputs resolved in TaskDef order) and queues its first
// attempt; the NodeRun completes when the TaskRun succeeds and fails when it finally fails.
import { TaskStatus, VariableType, type Node, type NodeRun, type TaskDef, type TaskRun, type ThreadRun, type VarNameAndVal } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { Records } from '../records.ts';
import { taskDefByName } from '../metadata-reads.ts';
import { VarSubError } from '../values/errors.ts';
import { castTo, coerceForAssignment } from '../values/cast.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';
import { isMasked, typeDefOfVariableDef } from '../values/types.ts';
import { assign, wrap } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { isNull, NULL_VALUE } from '../wf-run/variables.ts';
import { dispatchLatestAttempt, failureOfTaskRun, isTaskRunStillRunning, newTaskRun, taskRunKeyOf } from './task-runs.ts';

function taskNodeOf(node: Node) {
  if (node.node?.$case !== 'task') throw new Error('not a TASK node');
  return node.node.value;
}

function taskRunOf(rt: RunRuntime, nodeRun: NodeRun): TaskRun | undefined {
  const id = nodeRun.nodeType?.$case === 'task' ? nodeRun.nodeType.value.taskRunId : undefined;
  return id === undefined ? undefined : rt.get(Records.taskRun, taskRunKeyOf(rt.ctx, id));
}

export const taskKind: NodeKind = {
  create: () => ({ $case: 'task', value: { taskRunId: undefined } }),

  arrive(rt, thread, nodeRun, node) {
    const taskNode = taskNodeOf(node);
    const taskDef = resolveTaskDef(rt, thread, node);
    let inputs: VarNameAndVal[];
    try {
      inputs = resolveInputs(rt, thread, node, taskDef);
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed calculating TaskRun Input Vars: ${err.message}`));
    }
    const id = nodeRun.id;
    if (id === undefined || taskDef.id === undefined) throw new Error('NodeRun or TaskDef without id');
    const taskRun = newTaskRun(
      { wfRunId: rt.wfRunId, taskGuid: rt.ctx.newGuid() },
      taskDef.id,
      inputs,
      { taskRunSource: { $case: 'taskNode', value: { nodeRunId: id } }, wfSpecId: nodeRun.wfSpecId },
      rt.nowMs,
      taskNode,
    );
    dispatchLatestAttempt(rt.ctx, taskRun);
    if (nodeRun.nodeType?.$case === 'task') nodeRun.nodeType.value.taskRunId = taskRun.id;
    if (taskRun.id === undefined) throw new Error('unreachable');
    rt.put(Records.taskRun, taskRunKeyOf(rt.ctx, taskRun.id), taskRun);
  },

  checkCompleted(rt, _thread, nodeRun) {
    const taskRun = taskRunOf(rt, nodeRun);
    if (taskRun === undefined) throw new Error(`TASK NodeRun ${nodeRun.nodeName} has no TaskRun`);
    if (isTaskRunStillRunning(taskRun)) return false;
    if (taskRun.status === TaskStatus.TASK_SUCCESS) return true;
    throw new NodeFailure(failureOfTaskRun(taskRun));
  },

  // A task already handed to a worker cannot be called back: the thread halts once it finishes.
  canHalt(rt, nodeRun) {
    const taskRun = taskRunOf(rt, nodeRun);
    return taskRun === undefined || !isTaskRunStillRunning(taskRun);
  },
};

export function resolveTaskDef(rt: RunRuntime, thread: ThreadRun, node: Node): TaskDef {
  const what = taskNodeOf(node).taskToExecute;
  if (what?.$case === 'dynamicTask') {
    let name: string;
    try {
      const v = assign(rt, thread, what.value);
      const str = v.value?.$case === 'str' ? v : wrap(() => castTo(v, { definedType: { $case: 'primitiveType', value: VariableType.STR }, masked: false }));
      if (str.value?.$case !== 'str') throw new VarSubError('dynamic task name is not a STR');
      name = str.value.value;
      const found = taskDefByName(rt.ctx, rt.ctx.tenant, name);
      if (found === undefined) throw new VarSubError(`No TaskDef named ${name}!`);
      return found;
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed calculating dynamic task: ${err.message}`));
    }
  }
  if (what?.$case !== 'taskDefId') throw new Error('TASK node names no TaskDef');
  const found = taskDefByName(rt.ctx, rt.ctx.tenant, what.value.name);
  // The TaskDef was deleted after the WfSpec was registered.
  if (found === undefined) throw new NodeFailure(newFailure(ErrorName.TASK_ERROR, 'Appears that TaskDef was deleted!'));
  return found;
}

export function resolveInputs(rt: RunRuntime, thread: ThreadRun, node: Node, taskDef: TaskDef): VarNameAndVal[] {
  const assignments = taskNodeOf(node).variables;
  if (assignments.length !== taskDef.inputVars.length) {
    throw new VarSubError('Impossible: got different number of taskdef vars and node input vars');
  }
  return taskDef.inputVars.map((def, i) => {
    const assn = assignments[i];
    if (assn === undefined) throw new VarSubError(`Variable ${def.name} is unassigned.`);
    const raw = assign(rt, thread, assn);
    const declared = wrap(() => typeDefOfVariableDef(def));
    const value = isNull(raw)
      ? NULL_VALUE
      : (wrap(() => coerceForAssignment(raw, declared, structDefLookupOf(rt.ctx, rt.ctx.tenant)), (m) => `Input ${def.name}: ${m}`) ?? NULL_VALUE);
    return { varName: def.name, value, masked: isMasked(def) };
  });
}
