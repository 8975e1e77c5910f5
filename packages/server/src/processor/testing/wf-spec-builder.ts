// Tiny builders for metadata in unit tests: WfSpecs made with WfSpec.fromPartial, TaskDefs and
// ExternalEventDefs, installed straight into a FakeWorld's store (no PutWfSpec validation).
import {
  ExternalEventDef,
  TaskDef,
  VariableType,
  WfSpec,
  type Edge,
  type Node,
  type ThreadVarDef,
  type TypeDefinition,
  type VariableAssignment,
  type VariableMutation,
  type VariableValue,
} from '@filly/proto';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { wfSpecIdPointer } from '../wf-spec/pointer-codec.ts';
import type { FakeWorld } from './fake-context.ts';

// ---- values and assignments -------------------------------------------------------------------

export const v = {
  int: (n: number | bigint): VariableValue => ({ value: { $case: 'int', value: BigInt(n) } }),
  str: (s: string): VariableValue => ({ value: { $case: 'str', value: s } }),
  bool: (b: boolean): VariableValue => ({ value: { $case: 'bool', value: b } }),
  double: (d: number): VariableValue => ({ value: { $case: 'double', value: d } }),
  json: (x: unknown): VariableValue => ({ value: { $case: 'jsonObj', value: JSON.stringify(x) } }),
  null: (): VariableValue => ({ value: undefined }),
};

export const a = {
  lit: (value: VariableValue): VariableAssignment => ({ source: { $case: 'literalValue', value } }),
  variable: (name: string, jsonPath?: string): VariableAssignment => ({
    source: { $case: 'variableName', value: name },
    path: jsonPath === undefined ? undefined : { $case: 'jsonPath', value: jsonPath },
  }),
  format: (format: string, ...args: VariableAssignment[]): VariableAssignment => ({
    source: { $case: 'formatString', value: { format: a.lit(v.str(format)), args } },
  }),
  nodeOutput: (nodeName: string): VariableAssignment => ({ source: { $case: 'nodeOutput', value: { nodeName } } }),
};

export const primitive = (t: VariableType, masked = false): TypeDefinition => ({
  definedType: { $case: 'primitiveType', value: t },
  masked,
});

export function varDef(name: string, type: VariableType, opts: { required?: boolean; defaultValue?: VariableValue; masked?: boolean } = {}): ThreadVarDef {
  return {
    varDef: { name, typeDef: primitive(type, opts.masked ?? false), defaultValue: opts.defaultValue },
    required: opts.required ?? false,
    searchable: false,
    jsonIndexes: [],
    accessLevel: 0,
  };
}

// ---- nodes and edges --------------------------------------------------------------------------

export const n = {
  entrypoint: (): Partial<Node> => ({ node: { $case: 'entrypoint', value: {} } }),
  exit: (): Partial<Node> => ({ node: { $case: 'exit', value: {} } }),
  exitFailing: (failureName: string, message: string): Partial<Node> => ({
    node: { $case: 'exit', value: { result: { $case: 'failureDef', value: { failureName, message } } } },
  }),
  nop: (): Partial<Node> => ({ node: { $case: 'nop', value: {} } }),
  task: (
    taskDefName: string,
    variables: VariableAssignment[] = [],
    opts: { retries?: number; timeoutSeconds?: number; backoff?: { baseIntervalMs: number; maxDelayMs: number; multiplier: number } } = {},
  ): Partial<Node> => ({
    node: {
      $case: 'task',
      value: {
        taskToExecute: { $case: 'taskDefId', value: { name: taskDefName } },
        timeoutSeconds: opts.timeoutSeconds ?? 0,
        retries: opts.retries ?? 0,
        exponentialBackoff:
          opts.backoff === undefined ? undefined : { ...opts.backoff, maxDelayMs: BigInt(opts.backoff.maxDelayMs) },
        variables,
      },
    },
  }),
  sleepSeconds: (seconds: VariableAssignment): Partial<Node> => ({
    node: { $case: 'sleep', value: { sleepLength: { $case: 'rawSeconds', value: seconds } } },
  }),
  sleepUntilIso: (iso: VariableAssignment): Partial<Node> => ({
    node: { $case: 'sleep', value: { sleepLength: { $case: 'isoDate', value: iso } } },
  }),
  externalEvent: (defName: string, timeoutSeconds?: number): Partial<Node> => ({
    node: {
      $case: 'externalEvent',
      value: {
        externalEventDefId: { name: defName },
        timeoutSeconds: timeoutSeconds === undefined ? undefined : a.lit(v.int(timeoutSeconds)),
        maskCorrelationKey: false,
      },
    },
  }),
};

export function edge(sinkNodeName: string, opts: { condition?: VariableAssignment; mutations?: VariableMutation[] } = {}): Edge {
  return {
    sinkNodeName,
    edgeCondition: opts.condition === undefined ? undefined : { $case: 'condition', value: opts.condition },
    variableMutations: opts.mutations ?? [],
  };
}

/** Nodes in order, each with one unconditional edge to the next (the last has none). */
export function chain(...steps: Array<[string, Partial<Node>]>): Record<string, Partial<Node>> {
  const out: Record<string, Partial<Node>> = {};
  steps.forEach(([name, node], i) => {
    const next = steps[i + 1];
    out[name] = { ...node, outgoingEdges: node.outgoingEdges ?? (next === undefined ? [] : [edge(next[0])]) };
  });
  return out;
}

// ---- metadata in the store --------------------------------------------------------------------

export function installWfSpec(
  world: FakeWorld,
  name: string,
  nodes: Record<string, Partial<Node>>,
  variableDefs: ThreadVarDef[] = [],
  version: { majorVersion: number; revision: number } = { majorVersion: 0, revision: 0 },
): WfSpec {
  const spec = WfSpec.fromPartial({
    id: { name, ...version },
    entrypointThreadName: 'entrypoint',
    threadSpecs: { entrypoint: { nodes, variableDefs } },
  });
  const id = spec.id;
  if (id === undefined) throw new Error('unreachable');
  world.put(Records.wfSpec, keys.wfSpecKey(world.tenant, id), spec);
  world.put(wfSpecIdPointer, keys.wfSpecLatestKey(world.tenant, name), id);
  world.put(wfSpecIdPointer, keys.wfSpecMajorLatestKey(world.tenant, name, id.majorVersion), id);
  return spec;
}

export function installTaskDef(
  world: FakeWorld,
  name: string,
  inputs: Array<[string, VariableType] | [string, VariableType, { masked: boolean }]> = [],
  returns?: TypeDefinition | 'void',
): TaskDef {
  const taskDef = TaskDef.fromPartial({
    id: { name },
    inputVars: inputs.map(([varName, t, o]) => ({ name: varName, typeDef: primitive(t, o?.masked ?? false) })),
    returnType: returns === undefined ? undefined : { returnType: returns === 'void' ? undefined : returns },
  });
  world.put(Records.taskDef, keys.taskDefKey(world.tenant, name), taskDef);
  return taskDef;
}

export function installExternalEventDef(world: FakeWorld, name: string, content?: TypeDefinition): ExternalEventDef {
  const def = ExternalEventDef.fromPartial({
    id: { name },
    typeInformation: content === undefined ? undefined : { returnType: content },
  });
  world.put(Records.externalEventDef, keys.externalEventDefKey(world.tenant, name), def);
  return def;
}

export { VariableType };
