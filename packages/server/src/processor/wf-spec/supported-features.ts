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

const SUPPORTED_NODE_KINDS: ReadonlySet<NodeKind> = new Set(['entrypoint', 'exit', 'task', 'nop', 'sleep', 'externalEvent']);

const notYet = (where: string, what: string): Error => invalidArgument(`${where}: Filly does not run ${what} yet.`);

/** Refuses WfSpec-level features. Call after the entrypoint thread is known to exist. */
export function refuseUnsupportedWfSpecFeatures(req: PutWfSpecRequest): void {
  if (req.parentWfSpec !== undefined) throw notYet(`WfSpec '${req.name}'`, 'child WfSpecs (parent_wf_spec)');
  if (req.retentionPolicy !== undefined) throw notYet(`WfSpec '${req.name}'`, 'retention policies');
  for (const threadName of Object.keys(req.threadSpecs).sort()) {
    if (threadName !== req.entrypointThreadName) {
      throw notYet(`ThreadSpec '${threadName}'`, 'ThreadSpecs other than the entrypoint thread');
    }
  }
  const entry = req.threadSpecs[req.entrypointThreadName];
  if (entry !== undefined) refuseUnsupportedThreadFeatures(req.entrypointThreadName, entry);
}

function refuseUnsupportedThreadFeatures(threadName: string, thread: ThreadSpec): void {
  const where = `ThreadSpec '${threadName}'`;
  if (thread.interruptDefs.length > 0) throw notYet(where, 'interrupt handlers (interrupt_defs)');
  if (thread.retentionPolicy !== undefined) throw notYet(where, 'thread retention policies');
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
    if (node.failureHandlers.length > 0) throw notYet(nodeWhere, 'failure handlers');
    if (node.node?.$case === 'task' && node.node.value.taskToExecute?.$case === 'dynamicTask') {
      throw notYet(nodeWhere, 'dynamic TASK nodes (task names computed at run time)');
    }
    if (node.node?.$case === 'externalEvent' && node.node.value.correlationKey !== undefined) {
      throw notYet(nodeWhere, 'correlated EXTERNAL_EVENT nodes (correlation_key)');
    }
  }
}

/** STRUCT, typed-array and map variables need runtime support Filly lacks. */
export function refuseUnsupportedType(td: TypeDefinition, where: string): void {
  const kind = td.definedType?.$case;
  if (kind === 'structDefId' || kind === 'inlineStructDef') throw notYet(where, 'STRUCT variables');
  if (kind === 'inlineArrayDef') throw notYet(where, 'typed array variables');
  if (kind === 'inlineMapDef') throw notYet(where, 'map variables');
}

/** Called for every VariableAssignment the validator visits. */
export function refuseUnsupportedAssignment(a: VariableAssignment, where: string): void {
  if (a.source?.$case === 'structBuilder') throw notYet(where, 'STRUCT builders');
  if (a.targetType !== undefined) refuseUnsupportedType(a.targetType, where);
}
