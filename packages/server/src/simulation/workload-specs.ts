// The metadata the simulated workload registers through real PutTaskDef / PutExternalEventDef /
// PutWfSpec commands (so PutWfSpec validation runs too), and the variables each WfSpec's runs get.
// Small timeouts and delays keep simulated time short.
import { PutExternalEventDefRequest, PutTaskDefRequest, PutWfSpecRequest, type VariableValue } from '@filly/proto';
import type { Command } from '@filly/proto/internal';
import type { Prng } from './prng.ts';

export const TASK_A = 'sim-a';
export const TASK_B = 'sim-b';
export const TASK_DEFS = [TASK_A, TASK_B] as const;
export const EVENT_DEF = 'sim-evt';

/** Seconds a claimed attempt may run before it times out, per TaskDef (as the WfSpecs say). */
export const TASK_TIMEOUT_SECONDS: Readonly<Record<string, number>> = { [TASK_A]: 3, [TASK_B]: 2 };

type JsonNode = Record<string, unknown> & { outgoingEdges?: Array<Record<string, unknown>> };

const task = (name: string, extra: Record<string, unknown> = {}): JsonNode => ({
  task: { taskDefId: { name }, timeoutSeconds: TASK_TIMEOUT_SECONDS[name], variables: [], ...extra },
});
const lit = (value: Record<string, unknown>): unknown => ({ literalValue: value });

function linear(name: string, steps: JsonNode[], variableDefs: unknown[] = []): PutWfSpecRequest {
  const names = ['0-entrypoint-ENTRYPOINT', ...steps.map((_, i) => `${i + 1}-step`), `${steps.length + 1}-exit-EXIT`];
  const nodes: Record<string, JsonNode> = { [names[0]!]: { entrypoint: {} }, [names[names.length - 1]!]: { exit: {} } };
  steps.forEach((s, i) => (nodes[names[i + 1]!] = s));
  for (let i = 0; i + 1 < names.length; i++) nodes[names[i]!]!.outgoingEdges = [{ sinkNodeName: names[i + 1] }];
  return PutWfSpecRequest.fromJSON({ name, entrypointThreadName: 'entrypoint', threadSpecs: { entrypoint: { nodes, variableDefs } } });
}

function branch(name: string): PutWfSpecRequest {
  const cond = (comparator: string): unknown => ({ expression: { lhs: { variableName: 'n' }, comparator, rhs: lit({ int: 5 }) } });
  const nodes: Record<string, JsonNode> = {
    '0-entrypoint-ENTRYPOINT': { entrypoint: {}, outgoingEdges: [{ sinkNodeName: '1-fork-NOP' }] },
    '1-fork-NOP': {
      nop: {},
      outgoingEdges: [
        { sinkNodeName: '2-high-TASK', condition: cond('GREATER_THAN') },
        { sinkNodeName: '3-low-TASK', condition: cond('LESS_THAN_EQ') },
      ],
    },
    '2-high-TASK': { ...task(TASK_A, { retries: 1 }), outgoingEdges: [{ sinkNodeName: '4-join-NOP' }] },
    '3-low-TASK': { ...task(TASK_B), outgoingEdges: [{ sinkNodeName: '4-join-NOP' }] },
    '4-join-NOP': { nop: {}, outgoingEdges: [{ sinkNodeName: '5-exit-EXIT' }] },
    '5-exit-EXIT': { exit: {} },
  };
  const variableDefs = [{ varDef: { name: 'n', typeDef: { primitiveType: 'INT' } }, accessLevel: 'PUBLIC_VAR' }];
  return PutWfSpecRequest.fromJSON({ name, entrypointThreadName: 'entrypoint', threadSpecs: { entrypoint: { nodes, variableDefs } } });
}

export interface SimWfSpec {
  name: string;
  request: PutWfSpecRequest;
  waitsForEvent: boolean;
  variables: (rng: Prng) => Record<string, VariableValue>;
}

const none = (): Record<string, VariableValue> => ({});

export const WF_SPECS: readonly SimWfSpec[] = [
  { name: 'sim-linear', waitsForEvent: false, variables: none, request: linear('sim-linear', [task(TASK_A, { retries: 2 }), task(TASK_B)]) },
  {
    name: 'sim-backoff',
    waitsForEvent: false,
    variables: none,
    request: linear('sim-backoff', [task(TASK_A, { retries: 3, exponentialBackoff: { baseIntervalMs: 200, maxDelayMs: 2000, multiplier: 2 } })]),
  },
  { name: 'sim-sleep', waitsForEvent: false, variables: none, request: linear('sim-sleep', [task(TASK_A), { sleep: { rawSeconds: lit({ int: 2 }) } }, task(TASK_B)]) },
  {
    name: 'sim-event',
    waitsForEvent: true,
    variables: none,
    request: linear('sim-event', [{ externalEvent: { externalEventDefId: { name: EVENT_DEF }, timeoutSeconds: lit({ int: 8 }) } }, task(TASK_A)]),
  },
  {
    name: 'sim-branch',
    waitsForEvent: false,
    variables: (rng) => ({ n: { value: { $case: 'int', value: BigInt(rng.int(11)) } } }),
    request: branch('sim-branch'),
  },
];

/** The metadata commands' bodies, in the order they must be applied. */
export function metadataBodies(): Array<NonNullable<Command['body']>> {
  return [
    ...TASK_DEFS.map((name): NonNullable<Command['body']> => ({
      $case: 'putTaskDef',
      value: PutTaskDefRequest.fromJSON({ name, inputVars: [], returnType: { returnType: { primitiveType: 'INT' } } }),
    })),
    { $case: 'putExternalEventDef', value: PutExternalEventDefRequest.fromJSON({ name: EVENT_DEF }) },
    ...WF_SPECS.map((s): NonNullable<Command['body']> => ({ $case: 'putWfSpec', value: s.request })),
  ];
}
