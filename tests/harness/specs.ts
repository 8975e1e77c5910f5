// Compact WfSpec construction for tests, in the proto JSON form users deploy with lhctl.
// Nodes are named like the official builders name them ("1-greet-TASK").
import { PutTaskDefRequest, PutWfSpecRequest, type WfRun, LHStatus } from '@filly/proto';
import type { TestClient } from './grpc-client.ts';

export type JsonNode = Record<string, unknown> & { outgoingEdges?: Array<Record<string, unknown>> };

export function taskNode(taskDefName: string, variables: unknown[] = [], extra: Record<string, unknown> = {}): JsonNode {
  return { task: { taskDefId: { name: taskDefName }, variables, ...extra } };
}

export const varRef = (name: string): unknown => ({ variableName: name });
export const lit = (value: Record<string, unknown>): unknown => ({ literalValue: value });
export const nodeOut = (nodeName: string): unknown => ({ nodeOutput: { nodeName } });

/** A single-thread WfSpec whose nodes run in the given order, entrypoint first, exit last. */
export function linearSpec(name: string, steps: Array<[string, JsonNode]>, variableDefs: unknown[] = []): PutWfSpecRequest {
  const nodes: Record<string, JsonNode> = {};
  const names = ['0-entrypoint-ENTRYPOINT', ...steps.map(([n]) => n), `${steps.length + 1}-exit-EXIT`];
  nodes[names[0]!] = { entrypoint: {} };
  steps.forEach(([n, node]) => (nodes[n] = node));
  nodes[names[names.length - 1]!] = { exit: {} };
  for (let i = 0; i < names.length - 1; i++) {
    const node = nodes[names[i]!]!;
    node.outgoingEdges = node.outgoingEdges ?? [{ sinkNodeName: names[i + 1] }];
  }
  return PutWfSpecRequest.fromJSON({ name, entrypointThreadName: 'entrypoint', threadSpecs: { entrypoint: { nodes, variableDefs } } });
}

export function spec(name: string, nodes: Record<string, JsonNode>, variableDefs: unknown[] = []): PutWfSpecRequest {
  return PutWfSpecRequest.fromJSON({ name, entrypointThreadName: 'entrypoint', threadSpecs: { entrypoint: { nodes, variableDefs } } });
}

export const varDef = (name: string, type: string, extra: Record<string, unknown> = {}): unknown => ({
  varDef: { name, typeDef: { primitiveType: type } },
  accessLevel: 'PUBLIC_VAR',
  ...extra,
});

export async function putTaskDef(client: TestClient, name: string, inputs: Array<[string, string]> = [], returnType?: string): Promise<void> {
  await client.call.putTaskDef(PutTaskDefRequest.fromJSON({
    name,
    inputVars: inputs.map(([n, t]) => ({ name: n, typeDef: { primitiveType: t } })),
    returnType: returnType === undefined ? {} : { returnType: { primitiveType: returnType } },
  }));
}

export const TERMINAL = new Set([LHStatus.COMPLETED, LHStatus.ERROR, LHStatus.EXCEPTION]);

/** Polls GetWfRun until the predicate holds; bounded in time. */
export async function waitForWfRun(client: TestClient, id: string, until: (w: WfRun) => boolean, timeoutMs = 15_000): Promise<WfRun> {
  const deadline = Date.now() + timeoutMs;
  let last: WfRun | undefined;
  while (Date.now() < deadline) {
    last = await client.call.getWfRun({ id, parentWfRunId: undefined });
    if (until(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`WfRun ${id} did not reach the expected state in ${timeoutMs} ms; last status ${last ? LHStatus[last.status] : 'none'}`);
}

export const isTerminal = (w: WfRun): boolean => TERMINAL.has(w.status);
