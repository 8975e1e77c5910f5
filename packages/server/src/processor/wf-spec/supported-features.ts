// What Filly's runtime can execute today. A WfSpec using anything else is refused at PutWfSpec
// (INVALID_ARGUMENT) rather than accepted and left to fail at run time. To widen support, delete
// a refusal here; the structural validation for those features already runs elsewhere.
import type { Node, PutWfSpecRequest, ThreadSpec, TypeDefinition, VariableAssignment } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { declaredTypeDef } from './types.ts';

type NodeKind = NonNullable<Node['node']>['$case'];

/** Upstream's names for node kinds, used in messages. */
export const NODE_KIND_NAMES: Readonly<Record<NodeKind, string>> = {
  entrypoint: 'ENTRYPOINT',
  exit: 'EXIT',
  task: 'TASK',
  externalEvent: 'EXTERNAL_EVENT',
  startThread: 'START_THREAD',
  waitForThreads: 'WAIT_FOR_THREADS',
  nop: 'NOP',
  sleep: 'SLEEP',
  userTask: 'USER_TASK',
  startMultipleThreads: 'START_MULTIPLE_THREADS',
  throwEvent: 'THROW_EVENT',
  waitForCondition: 'WAIT_FOR_CONDITION',
  runChildWf: 'RUN_CHILD_WF',
  waitForChildWf: 'WAIT_FOR_CHILD_WF',
};

const SUPPORTED_NODE_KINDS: ReadonlySet<NodeKind> = new Set(['entrypoint', 'exit', 'task', 'nop', 'sleep', 'externalEvent', 'userTask', 'throwEvent',
  'startThread', 'waitForThreads', 'startMultipleThreads', 'waitForCondition', 'runChildWf', 'waitForChildWf']);

const notYet = (where: string, what: string): Error => invalidArgument(`${where}: Filly does not run ${what} yet.`);

/** Refuses WfSpec-level features. Call after the entrypoint thread is known to exist. */
export function refuseUnsupportedWfSpecFeatures(req: PutWfSpecRequest): void {
  for (const threadName of Object.keys(req.threadSpecs).sort()) {
    const spec = req.threadSpecs[threadName];
    if (spec !== undefined) refuseUnsupportedThreadFeatures(threadName, spec);
  }
}

function refuseUnsupportedThreadFeatures(threadName: string, thread: ThreadSpec): void {
  const where = `ThreadSpec '${threadName}'`;
  for (const tvd of thread.variableDefs) {
    if (tvd.varDef === undefined) continue;
    refuseUnsupportedType(declaredTypeDef(tvd.varDef), `${where} variable '${tvd.varDef.name}'`);
  }
  for (const nodeName of Object.keys(thread.nodes).sort()) {
    const node = thread.nodes[nodeName];
    if (node === undefined) continue;
    const nodeWhere = `${where} node '${nodeName}'`;
    const kind = node.node?.$case;
    if (kind !== undefined && !SUPPORTED_NODE_KINDS.has(kind)) throw notYet(nodeWhere, `${NODE_KIND_NAMES[kind]} nodes`);
    if (node.node?.$case === 'task' && node.node.value.taskToExecute?.$case === 'dynamicTask') {
      throw notYet(nodeWhere, 'dynamic TASK nodes (task names computed at run time)');
    }
  }
}

/** Inline struct types (a schema without a StructDef) have no runtime meaning yet. */
export function refuseUnsupportedType(td: TypeDefinition, where: string): void {
  if (td.definedType?.$case === 'inlineStructDef') throw notYet(where, 'inline struct types (declare a StructDef instead)');
}

/** Called for every VariableAssignment the validator visits. */
export function refuseUnsupportedAssignment(a: VariableAssignment, where: string): void {
  if (a.targetType !== undefined) refuseUnsupportedType(a.targetType, where);
}
