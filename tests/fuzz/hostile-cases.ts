// Hand-made hostile requests the random generator would rarely hit: WfSpecs with cycles, dangling
// edges and unknown references, bad cron strings, bad JSON paths, deep JSON and deep messages,
// over-size payloads. Each says which statuses are acceptable (beyond "not INTERNAL/UNKNOWN").
import {
  PutExternalEventRequest, PutTaskDefRequest, PutWfSpecRequest, RunWfRequest, ScheduleWfRequest, SearchWfRunRequest,
  WfRunId,
} from '@filly/proto';
import { deepJson } from './values.ts';
import { WireType, WireWriter, utf8 } from './wire.ts';

export interface HostileCase {
  method: string;
  label: string;
  bytes: Uint8Array;
  /** Acceptable status codes; undefined: any but INTERNAL, UNKNOWN and a hang. */
  expect?: readonly number[];
}

const OK = 0;
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;
const RESOURCE_EXHAUSTED = 8;
const REFUSED = [INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION];

type Nodes = Record<string, Record<string, unknown>>;

function wfSpec(name: string, nodes: Nodes, extra: Record<string, unknown> = {}, variableDefs: unknown[] = []): Uint8Array {
  const req = PutWfSpecRequest.fromJSON({ name, entrypointThreadName: 'entrypoint', threadSpecs: { entrypoint: { nodes, variableDefs } }, ...extra });
  return PutWfSpecRequest.encode(req).finish();
}

const entry = (to: string): Record<string, unknown> => ({ entrypoint: {}, outgoingEdges: [{ sinkNodeName: to }] });
const nop = (...to: string[]): Record<string, unknown> => ({ nop: {}, outgoingEdges: to.map((sinkNodeName) => ({ sinkNodeName })) });
const exit = { exit: {} };
const strVar = (name: string, type = 'STR'): unknown => ({ varDef: { name, typeDef: { primitiveType: type } }, accessLevel: 'PUBLIC_VAR' });

function wfSpecCases(): HostileCase[] {
  const bigNodes: Nodes = { '0-e-ENTRYPOINT': entry('n0') };
  for (let i = 0; i < 2_100; i++) bigNodes[`n${i}`] = nop(i + 1 < 2_100 ? `n${i + 1}` : 'x');
  bigNodes['x'] = exit;
  const manyVars = Array.from({ length: 1_100 }, (_, i) => strVar(`v${i}`));
  const cases: Array<[string, Uint8Array, readonly number[] | undefined]> = [
    ['cycle without an exit', wfSpec('fz-cycle', { '0-e-ENTRYPOINT': entry('a'), a: nop('b'), b: nop('a') }), undefined],
    ['cycle through the entrypoint', wfSpec('fz-cycle2', { '0-e-ENTRYPOINT': entry('a'), a: nop('0-e-ENTRYPOINT', 'x'), x: exit }), undefined],
    ['self loop', wfSpec('fz-selfloop', { '0-e-ENTRYPOINT': entry('a'), a: nop('a', 'x'), x: exit }), undefined],
    ['dangling edge', wfSpec('fz-dangling', { '0-e-ENTRYPOINT': entry('nowhere'), x: exit }), REFUSED],
    ['no entrypoint node', wfSpec('fz-noentry', { a: nop('x'), x: exit }), REFUSED],
    ['two entrypoints', wfSpec('fz-twoentry', { '0-e-ENTRYPOINT': entry('x'), '1-e-ENTRYPOINT': entry('x'), x: exit }), REFUSED],
    ['node with no kind', wfSpec('fz-nokind', { '0-e-ENTRYPOINT': entry('a'), a: { outgoingEdges: [{ sinkNodeName: 'x' }] }, x: exit }), REFUSED],
    ['unknown entrypoint thread', wfSpec('fz-nothread', { '0-e-ENTRYPOINT': entry('x'), x: exit }, { entrypointThreadName: 'ghost' }), REFUSED],
    ['node output of an unknown node', wfSpec('fz-nodeout', {
      '0-e-ENTRYPOINT': entry('t'), t: { task: { taskDefId: { name: 'fuzz-task' }, variables: [{ nodeOutput: { nodeName: 'ghost' } }] }, outgoingEdges: [{ sinkNodeName: 'x' }] }, x: exit,
    }), REFUSED],
    ['unknown variable in a mutation', wfSpec('fz-mutation', {
      '0-e-ENTRYPOINT': { entrypoint: {}, outgoingEdges: [{ sinkNodeName: 'x', variableMutations: [{ lhsName: 'ghost', operation: 'ASSIGN', rhsAssignment: { literalValue: { int: 1 } } }] }] }, x: exit,
    }), REFUSED],
    ['spawn of an unknown thread spec', wfSpec('fz-spawn', { '0-e-ENTRYPOINT': entry('s'), s: { startThread: { threadSpecName: 'ghost' }, outgoingEdges: [{ sinkNodeName: 'x' }] }, x: exit }), REFUSED],
    ['failure handler to an unknown thread', wfSpec('fz-handler', {
      '0-e-ENTRYPOINT': entry('t'), t: { task: { taskDefId: { name: 'fuzz-task' }, variables: [{ literalValue: { str: 'a' } }] }, failureHandlers: [{ handlerSpecName: 'ghost' }], outgoingEdges: [{ sinkNodeName: 'x' }] }, x: exit,
    }), REFUSED],
    ['unknown TaskDef', wfSpec('fz-notask', { '0-e-ENTRYPOINT': entry('t'), t: { task: { taskDefId: { name: 'ghost-task' } }, outgoingEdges: [{ sinkNodeName: 'x' }] }, x: exit }), REFUSED],
    ['bad json path on a JSON_OBJ variable', wfSpec('fz-jsonpath', {
      '0-e-ENTRYPOINT': entry('t'), t: { task: { taskDefId: { name: 'fuzz-task' }, variables: [{ jsonPath: '$[', variableName: 'j' }] }, outgoingEdges: [{ sinkNodeName: 'x' }] }, x: exit,
    }, {}, [strVar('j', 'JSON_OBJ')]), undefined],
    ['json path on a STR variable', wfSpec('fz-jsonpath2', {
      '0-e-ENTRYPOINT': entry('t'), t: { task: { taskDefId: { name: 'fuzz-task' }, variables: [{ jsonPath: '$.a..b[', variableName: 's' }] }, outgoingEdges: [{ sinkNodeName: 'x' }] }, x: exit,
    }, {}, [strVar('s')]), undefined],
    ['negative sleep', wfSpec('fz-sleep', { '0-e-ENTRYPOINT': entry('s'), s: { sleep: { rawSeconds: { literalValue: { int: '-9223372036854775808' } } }, outgoingEdges: [{ sinkNodeName: 'x' }] }, x: exit }), undefined],
    ['more nodes than maxNodesPerThreadSpec', wfSpec('fz-bignodes', bigNodes), [INVALID_ARGUMENT, RESOURCE_EXHAUSTED]],
    ['more variables than maxVariablesPerThreadSpec', wfSpec('fz-bigvars', { '0-e-ENTRYPOINT': entry('x'), x: exit }, {}, manyVars), [INVALID_ARGUMENT, RESOURCE_EXHAUSTED]],
  ];
  return cases.map(([label, bytes, expect]) => ({ method: 'putWfSpec', label, bytes, expect }));
}

function cronCases(): HostileCase[] {
  const crons = ['61 * * * *', 'not a cron', '*/0 * * * *', '', '* * * * * * * *', '0 0 31 2 *', '1-0 * * * *', 'x'.repeat(10_000), '*/99999999999999999999 * * * *'];
  return crons.map((cronExpression) => ({
    method: 'scheduleWf',
    label: `cron "${cronExpression.slice(0, 30)}"`,
    bytes: ScheduleWfRequest.encode(ScheduleWfRequest.fromPartial({ wfSpecName: 'fuzz-wf', cronExpression, id: undefined })).finish(),
    // "0 0 31 2 *" is valid syntax that never fires; accepting it is fine.
    expect: cronExpression === '0 0 31 2 *' ? [OK, INVALID_ARGUMENT] : [INVALID_ARGUMENT],
  }));
}

/** VariableValue { array { items: [ VariableValue { array { ... } } ] } }, depth levels deep. */
export function nestedValueBytes(depth: number): Uint8Array {
  let inner: Uint8Array = new WireWriter().tag(7, WireType.VARINT).varint(1n).finish();
  for (let i = 0; i < depth; i++) {
    const array = new WireWriter().lenDelimited(1, inner).finish();
    inner = new WireWriter().lenDelimited(12, array).finish();
  }
  return inner;
}

/** WfRunId { parent_wf_run_id { parent_wf_run_id { ... } } }. */
function nestedWfRunId(depth: number): Uint8Array {
  let inner: Uint8Array = new WireWriter().lenDelimited(1, utf8('a')).finish();
  for (let i = 0; i < depth; i++) inner = new WireWriter().lenDelimited(1, utf8('a')).lenDelimited(2, inner).finish();
  return inner;
}

function runWfWithVariable(name: string, value: Uint8Array): Uint8Array {
  const entryBytes = new WireWriter().lenDelimited(1, utf8(name)).lenDelimited(2, value).finish();
  return new WireWriter().lenDelimited(1, utf8('fuzz-wf')).lenDelimited(4, entryBytes).finish();
}

function payloadCases(): HostileCase[] {
  const run = (label: string, variables: Record<string, unknown>, expect?: readonly number[]): HostileCase => ({
    method: 'runWf', label, expect,
    bytes: RunWfRequest.encode(RunWfRequest.fromJSON({ wfSpecName: 'fuzz-json', variables })).finish(),
  });
  const oversized = 'z'.repeat(1_100_000);
  return [
    run('JSON_OBJ nested 65 deep', { j: { jsonObj: deepJson(65, 'obj') } }),
    run('JSON_OBJ nested 5000 deep', { j: { jsonObj: deepJson(5_000, 'obj') } }),
    run('JSON_OBJ of 100k nested arrays', { j: { jsonObj: deepJson(100_000, 'arr') } }),
    // Upstream stores an unparsable JSON_OBJ as {} rather than refusing it.
    run('JSON_OBJ that is not JSON', { j: { jsonObj: '{"a":' } }, [OK, INVALID_ARGUMENT]),
    run('JSON_OBJ holding an array', { j: { jsonObj: '[1,2]' } }),
    run('JSON_OBJ with 50k keys', { j: { jsonObj: JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))) } }),
    run('variable of the wrong type', { j: { int: '5' } }, [INVALID_ARGUMENT]),
    run('undeclared variable', { ghost: { str: 'x' } }, [INVALID_ARGUMENT]),
    run('oversized variable', { j: { jsonObj: `{"a":"${oversized}"}` } }, [RESOURCE_EXHAUSTED]),
    { method: 'runWf', label: 'Array value nested 3000 deep', bytes: runWfWithVariable('j', nestedValueBytes(3_000)) },
    { method: 'runWf', label: 'Array value nested 100 deep', bytes: runWfWithVariable('j', nestedValueBytes(100)) },
    { method: 'runWf', label: 'int64 overflow as id length', bytes: new WireWriter().lenDelimited(1, utf8('fuzz-wf')).tag(2, WireType.VARINT).varint(2n ** 64n - 1n).tag(3, WireType.VARINT).varint(-(2n ** 63n)).finish() },
    { method: 'getWfRun', label: 'WfRunId with 5000 parents', bytes: nestedWfRunId(5_000), expect: [INVALID_ARGUMENT] },
    { method: 'getWfRun', label: 'WfRunId with 40 parents', bytes: nestedWfRunId(40), expect: [INVALID_ARGUMENT] },
    {
      method: 'putExternalEvent', label: 'external event with deep JSON content',
      bytes: PutExternalEventRequest.encode(PutExternalEventRequest.fromJSON({
        wfRunId: { id: 'fuzz-run-2' }, externalEventDefId: { name: 'fuzz-event' }, content: { jsonObj: deepJson(10_000, 'obj') },
      })).finish(),
    },
    {
      method: 'putExternalEvent', label: 'oversized external event',
      bytes: PutExternalEventRequest.encode(PutExternalEventRequest.fromJSON({
        wfRunId: { id: 'fuzz-run-2' }, externalEventDefId: { name: 'fuzz-event' }, content: { str: oversized },
      })).finish(),
      expect: [RESOURCE_EXHAUSTED],
    },
    {
      method: 'putTaskDef', label: 'TaskDef of 5000 inputs',
      bytes: PutTaskDefRequest.encode(PutTaskDefRequest.fromJSON({ name: 'fz-wide', inputVars: Array.from({ length: 5_000 }, (_, i) => ({ name: `i${i}`, typeDef: { primitiveType: 'STR' } })) })).finish(),
    },
    { method: 'putTaskDef', label: 'description over maxRecordBytes', bytes: PutTaskDefRequest.encode({ name: 'fz-big', inputVars: [], description: oversized }).finish(), expect: [RESOURCE_EXHAUSTED] },
    { method: 'putTaskDef', label: 'message over the 2 MB transport limit', bytes: PutTaskDefRequest.encode({ name: 'fz-huge', inputVars: [], description: oversized + oversized }).finish(), expect: [RESOURCE_EXHAUSTED] },
    { method: 'searchWfRun', label: 'negative limit', bytes: SearchWfRunRequest.encode(SearchWfRunRequest.fromPartial({ wfSpecName: 'fuzz-wf', limit: -1 })).finish() },
    { method: 'searchWfRun', label: 'garbage bookmark', bytes: SearchWfRunRequest.encode(SearchWfRunRequest.fromPartial({ wfSpecName: 'fuzz-wf', bookmark: Buffer.from('{"p":-5,"k":[1]}') })).finish(), expect: [INVALID_ARGUMENT] },
    {
      method: 'searchWfRun', label: 'timestamps at int64 bounds',
      bytes: SearchWfRunRequest.encode(SearchWfRunRequest.fromPartial({
        wfSpecName: 'fuzz-wf', earliestStart: { seconds: -(2n ** 63n), nanos: -1 }, latestStart: { seconds: 2n ** 63n - 1n, nanos: 2 ** 31 - 1 },
      })).finish(),
    },
    { method: 'getWfRun', label: 'id of 1 MB', bytes: WfRunId.encode({ id: 'a'.repeat(1_000_000), parentWfRunId: undefined }).finish(), expect: [INVALID_ARGUMENT, RESOURCE_EXHAUSTED] },
  ];
}

export function hostileCases(): HostileCase[] {
  return [...wfSpecCases(), ...cronCases(), ...payloadCases()];
}
