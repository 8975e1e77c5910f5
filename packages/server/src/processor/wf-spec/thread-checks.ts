// Structural checks of one ThreadSpec: one ENTRYPOINT, edges that lead somewhere real, no dead
// ends but EXIT nodes, every node reachable, size limits, and consistent EXIT return types.
import type { ThreadSpec } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { requireValidInnerName } from '../names.ts';
import { checkEdgeConditionAndMutations } from './assignments.ts';
import type { StaticType } from './assignments.ts';
import { checkHandlerThread, checkNodeContent } from './node-checks.ts';
import type { NodeCheckEnv } from './node-checks.ts';
import { primitiveName } from './types.ts';

export interface ThreadLimits {
  readonly maxNodesPerThreadSpec: number;
  readonly maxVariablesPerThreadSpec: number;
}

export function checkThreadSpec(threadName: string, thread: ThreadSpec, env: NodeCheckEnv, limits: ThreadLimits): void {
  const where = `ThreadSpec '${threadName}'`;
  requireValidInnerName(threadName, 'ThreadSpec name');
  const nodeNames = Object.keys(thread.nodes).sort();
  if (nodeNames.length > limits.maxNodesPerThreadSpec) {
    throw invalidArgument(`${where}: has ${nodeNames.length} nodes; at most ${limits.maxNodesPerThreadSpec} are allowed.`);
  }
  if (thread.variableDefs.length > limits.maxVariablesPerThreadSpec) {
    throw invalidArgument(`${where}: declares ${thread.variableDefs.length} variables; at most ${limits.maxVariablesPerThreadSpec} are allowed.`);
  }
  const entrypoints = nodeNames.filter((n) => thread.nodes[n]?.node?.$case === 'entrypoint');
  if (entrypoints.length === 0) throw invalidArgument(`${where}: has no ENTRYPOINT node.`);
  if (entrypoints.length > 1) {
    throw invalidArgument(`${where}: has ${entrypoints.length} ENTRYPOINT nodes (${entrypoints.join(', ')}); exactly one is required.`);
  }

  let exitType: { node: string; type: StaticType | 'void' } | undefined;
  for (const nodeName of nodeNames) {
    const node = thread.nodes[nodeName];
    if (node === undefined) continue;
    requireValidInnerName(nodeName, `${where}: node name`);
    const label = `${where} node '${nodeName}'`;
    const result = checkNodeContent(node, env, label);
    const isExit = node.node?.$case === 'exit';
    if (isExit && node.outgoingEdges.length > 0) throw invalidArgument(`${label}: an EXIT node must have no outgoing edges.`);
    if (!isExit && node.outgoingEdges.length === 0) {
      throw invalidArgument(`${label}: has no outgoing edges; only EXIT nodes may end a thread.`);
    }
    node.outgoingEdges.forEach((edge, i) => {
      const edgeLabel = `${label} edge ${i} (to '${edge.sinkNodeName}')`;
      const sink = thread.nodes[edge.sinkNodeName];
      if (sink === undefined) throw invalidArgument(`${edgeLabel}: leads to node '${edge.sinkNodeName}', which does not exist.`);
      if (edge.sinkNodeName === nodeName) throw invalidArgument(`${edgeLabel}: a node may not lead to itself.`);
      if (sink.node?.$case === 'entrypoint') throw invalidArgument(`${edgeLabel}: no edge may lead into the ENTRYPOINT node.`);
      checkEdgeConditionAndMutations(edge, env.scope, edgeLabel);
    });
    node.failureHandlers.forEach((h) => {
      checkHandlerThread(h.handlerSpecName, env, `${label} failure handler`);
      if (h.failureToCatch?.$case === 'specificFailure' && h.failureToCatch.value === '') {
        throw invalidArgument(`${label} failure handler: specific_failure must name a failure.`);
      }
    });
    if (result !== null) exitType = checkExitAgrees(exitType, nodeName, result, where);
  }

  checkInterrupts(thread, env, where);
  checkReachable(thread, nodeNames, entrypoints[0] ?? '', where);
}

function checkExitAgrees(
  seen: { node: string; type: StaticType | 'void' } | undefined,
  nodeName: string,
  type: StaticType | 'void',
  where: string,
): { node: string; type: StaticType | 'void' } | undefined {
  if (seen === undefined) return { node: nodeName, type };
  if ((seen.type === 'void') !== (type === 'void')) {
    throw invalidArgument(`${where}: EXIT nodes '${seen.node}' and '${nodeName}' disagree: one returns a value and the other returns nothing.`);
  }
  if (seen.type === undefined) return { node: nodeName, type };
  if (type !== undefined && type !== 'void' && seen.type !== 'void' && type !== seen.type) {
    throw invalidArgument(
      `${where}: EXIT nodes '${seen.node}' and '${nodeName}' return different types (${primitiveName(seen.type)} and ${primitiveName(type)}).`,
    );
  }
  return seen;
}

function checkInterrupts(thread: ThreadSpec, env: NodeCheckEnv, where: string): void {
  for (const idef of thread.interruptDefs) {
    const defName = idef.externalEventDefId?.name;
    if (!defName) throw invalidArgument(`${where}: an interrupt names no ExternalEventDef.`);
    if (env.lookup.externalEventDef(defName) === undefined) {
      throw invalidArgument(`${where}: interrupt refers to ExternalEventDef '${defName}', which does not exist.`);
    }
    checkHandlerThread(idef.handlerSpecName, env, `${where} interrupt '${defName}'`);
  }
}

/** Every node must be reachable from the ENTRYPOINT by following edges. */
function checkReachable(thread: ThreadSpec, nodeNames: readonly string[], entry: string, where: string): void {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  // Each node enters the queue at most once, so this loop is bounded by the node count.
  for (let i = 0; i < queue.length; i++) {
    const current = thread.nodes[queue[i] ?? ''];
    for (const edge of current?.outgoingEdges ?? []) {
      if (seen.has(edge.sinkNodeName)) continue;
      seen.add(edge.sinkNodeName);
      queue.push(edge.sinkNodeName);
    }
  }
  const unreachable = nodeNames.filter((n) => !seen.has(n));
  if (unreachable.length > 0) {
    throw invalidArgument(`${where}: node(s) ${unreachable.map((n) => `'${n}'`).join(', ')} cannot be reached from the ENTRYPOINT.`);
  }
}
