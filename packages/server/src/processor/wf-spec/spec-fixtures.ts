// Builders of small, valid specs for tests: each test changes one thing and expects one error.
import { PutWfSpecRequest, TaskDef, ExternalEventDef, VariableType, WfRunVariableAccessLevel } from '@filly/proto';
import type { Node, ThreadVarDef, VariableAssignment, VariableValue } from '@filly/proto';
import type { MetadataLookup } from './node-checks.ts';

export const ENTRY = '0-entrypoint-ENTRYPOINT';
export const TASK = '1-greet-TASK';
export const EXIT = '2-exit-EXIT';

export const varRef = (name: string): VariableAssignment => ({ source: { $case: 'variableName', value: name } });
export const literal = (value: VariableValue): VariableAssignment => ({ source: { $case: 'literalValue', value } });
export const intValue = (n: number): VariableValue => ({ value: { $case: 'int', value: BigInt(n) } });
export const strValue = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });

export function varDef(name: string, type: VariableType, extra: Partial<ThreadVarDef> = {}): ThreadVarDef {
  return {
    varDef: { name, typeDef: { definedType: { $case: 'primitiveType', value: type }, masked: false } },
    required: false,
    searchable: false,
    jsonIndexes: [],
    accessLevel: WfRunVariableAccessLevel.PRIVATE_VAR,
    ...extra,
  };
}

export const edgeTo = (sink: string): Node['outgoingEdges'][number] => ({ sinkNodeName: sink, variableMutations: [] });

/** entrypoint → greet(name) → exit, with one STR variable `name`. */
export function simpleRequest(): PutWfSpecRequest {
  return PutWfSpecRequest.fromPartial({
    name: 'hello',
    entrypointThreadName: 'entrypoint',
    threadSpecs: {
      entrypoint: {
        variableDefs: [varDef('name', VariableType.STR)],
        nodes: {
          [ENTRY]: { node: { $case: 'entrypoint', value: {} }, outgoingEdges: [edgeTo(TASK)] },
          [TASK]: {
            node: { $case: 'task', value: { taskToExecute: { $case: 'taskDefId', value: { name: 'greet' } }, variables: [varRef('name')] } },
            outgoingEdges: [edgeTo(EXIT)],
          },
          [EXIT]: { node: { $case: 'exit', value: {} } },
        },
      },
    },
  });
}

/** The entrypoint ThreadSpec of a request built by simpleRequest (asserting it is there). */
export function entryThread(req: PutWfSpecRequest): NonNullable<PutWfSpecRequest['threadSpecs'][string]> {
  const t = req.threadSpecs['entrypoint'];
  if (t === undefined) throw new Error('fixture has no entrypoint thread');
  return t;
}

export function node(req: PutWfSpecRequest, name: string): Node {
  const n = entryThread(req).nodes[name];
  if (n === undefined) throw new Error(`fixture has no node ${name}`);
  return n;
}

export const greetTaskDef: TaskDef = TaskDef.fromPartial({
  id: { name: 'greet' },
  inputVars: [{ name: 'name', typeDef: { definedType: { $case: 'primitiveType', value: VariableType.STR } } }],
});

export function lookupOf(taskDefs: TaskDef[] = [greetTaskDef], eventDefs: string[] = ['approved']): MetadataLookup {
  return {
    taskDef: (name) => taskDefs.find((t) => t.id?.name === name),
    externalEventDef: (name) => (eventDefs.includes(name) ? ExternalEventDef.fromPartial({ id: { name } }) : undefined),
  };
}
