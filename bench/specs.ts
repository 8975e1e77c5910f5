// The TaskDef and WfSpecs the workloads run, in the proto JSON form lhctl deploys. Every WfRun
// ends with a BENCH_TASK_DEF task whose step === steps: its report completes the WfRun.
import { PutTaskDefRequest, PutWfSpecRequest } from '@filly/proto';
import { BENCH_TASK_DEF, TASK_INPUTS } from './task-input.ts';

type Json = Record<string, unknown>;

const varRef = (name: string): Json => ({ variableName: name });
const lit = (n: number): Json => ({ literalValue: { int: String(n) } });
const nodeOut = (nodeName: string): Json => ({ nodeOutput: { nodeName } });
const intVar = (name: string): Json => ({ varDef: { name, typeDef: { primitiveType: 'INT' } }, accessLevel: 'PRIVATE_VAR' });

/** The variables every bench WfRun gets from its load client. */
const RUN_VARS = [intVar('client'), intVar('sent')];

export function benchTaskDef(): PutTaskDefRequest {
  return PutTaskDefRequest.fromJSON({
    name: BENCH_TASK_DEF,
    inputVars: TASK_INPUTS.map((name) => ({ name, typeDef: { primitiveType: 'INT' } })),
    returnType: { returnType: { primitiveType: 'INT' } },
  });
}

function benchTask(prev: Json, step: number, steps: number): Json {
  return { task: { taskDefId: { name: BENCH_TASK_DEF }, variables: [varRef('client'), varRef('sent'), prev, lit(step), lit(steps)] } };
}

/** Links nodes in order: entrypoint, the given ones, exit. Names must follow "<n>-<what>-<KIND>". */
function chain(steps: Array<[string, Json]>): Record<string, Json> {
  const names = ['0-entrypoint-ENTRYPOINT', ...steps.map(([n]) => n), `${steps.length + 1}-exit-EXIT`];
  const nodes: Record<string, Json> = { [names[0]!]: { entrypoint: {} } };
  for (const [n, node] of steps) nodes[n] = node;
  nodes[names[names.length - 1]!] = { exit: {} };
  for (let i = 0; i < names.length - 1; i++) {
    const node = nodes[names[i]!]!;
    if (node['outgoingEdges'] === undefined) node['outgoingEdges'] = [{ sinkNodeName: names[i + 1] }];
  }
  return nodes;
}

function wfSpec(name: string, threads: Record<string, { nodes: Record<string, Json>; variableDefs: Json[] }>): PutWfSpecRequest {
  return PutWfSpecRequest.fromJSON({ name, entrypointThreadName: 'entrypoint', threadSpecs: threads });
}

/** W1: RunWf → one task → COMPLETED. */
export function oneTaskSpec(name: string): PutWfSpecRequest {
  return wfSpec(name, { entrypoint: { nodes: chain([['1-work-TASK', benchTask(lit(0), 1, 1)]]), variableDefs: RUN_VARS } });
}

/** W2: `steps` tasks in a row; each gets the previous one's output (its report time). */
export function sequentialSpec(name: string, steps: number): PutWfSpecRequest {
  if (!(Number.isInteger(steps) && steps >= 2 && steps <= 1_000)) throw new RangeError('steps must be 2..1000');
  const nodes: Array<[string, Json]> = [];
  for (let i = 1; i <= steps; i++) {
    const prev = i === 1 ? lit(0) : nodeOut(`${i - 1}-step-TASK`);
    nodes.push([`${i}-step-TASK`, benchTask(prev, i, steps)]);
  }
  return wfSpec(name, { entrypoint: { nodes: chain(nodes), variableDefs: RUN_VARS } });
}

/**
 * W3: one child thread per element of `items` (START_MULTIPLE_THREADS), each running a task,
 * joined by WAIT_FOR_THREADS; then the final task. The child receives its element as INPUT.
 */
export function fanOutSpec(name: string): PutWfSpecRequest {
  const spawn: Json = {
    startMultipleThreads: { threadSpecName: 'child', iterable: varRef('items'), variables: {} },
    outgoingEdges: [{
      sinkNodeName: '2-join-WAIT_FOR_THREADS',
      variableMutations: [{ lhsName: 'children', operation: 'ASSIGN', nodeOutput: {} }],
    }],
  };
  const join: Json = { waitForThreads: { threadList: varRef('children'), strategy: 'WAIT_FOR_ALL' } };
  const childTask: Json = { task: { taskDefId: { name: BENCH_TASK_DEF }, variables: [lit(0), lit(0), varRef('INPUT'), lit(0), lit(0)] } };
  const jsonArr = (n: string): Json => ({ varDef: { name: n, typeDef: { primitiveType: 'JSON_ARR' } }, accessLevel: 'PRIVATE_VAR' });
  return wfSpec(name, {
    entrypoint: {
      nodes: chain([['1-fan-out-START_MULTIPLE_THREADS', spawn], ['2-join-WAIT_FOR_THREADS', join], ['3-done-TASK', benchTask(lit(0), 1, 1)]]),
      variableDefs: [...RUN_VARS, jsonArr('items'), jsonArr('children')],
    },
    child: { nodes: chain([['1-work-TASK', childTask]]), variableDefs: [intVar('INPUT')] },
  });
}

/** W4: SLEEP `seconds`, then the final task. */
export function sleepSpec(name: string, seconds: number): PutWfSpecRequest {
  return wfSpec(name, {
    entrypoint: {
      nodes: chain([['1-nap-SLEEP', { sleep: { rawSeconds: lit(seconds) } }], ['2-work-TASK', benchTask(lit(0), 1, 1)]]),
      variableDefs: RUN_VARS,
    },
  });
}
