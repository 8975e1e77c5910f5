import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Comparator, TaskDef, VariableMutationType, VariableType, WfRunVariableAccessLevel } from '@filly/proto';
import type { PutWfSpecRequest } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { DEFAULT_LIMITS } from '../../config/limits.ts';
import { validateWfSpecRequest } from './validate-wf-spec.ts';
import type { ThreadLimits } from './thread-checks.ts';
import {
  ENTRY, EXIT, TASK, edgeTo, entryThread, greetTaskDef, intValue, literal, lookupOf, node, simpleRequest, strValue, varDef, varRef,
} from './spec-fixtures.ts';

function validate(req: PutWfSpecRequest, lookup = lookupOf(), limits: ThreadLimits = DEFAULT_LIMITS): void {
  validateWfSpecRequest(req, lookup, limits);
}

function expectInvalid(req: PutWfSpecRequest, message: RegExp, lookup = lookupOf(), limits: ThreadLimits = DEFAULT_LIMITS): void {
  assert.throws(
    () => validate(req, lookup, limits),
    (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT && message.test(e.message),
  );
}

test('the fixture spec is valid', () => {
  validate(simpleRequest());
});

test('WfSpec name must be a valid name', () => {
  const req = simpleRequest();
  req.name = 'bad_name';
  expectInvalid(req, /WfSpec name 'bad_name' is not a valid name/);
});

test('entrypoint thread must exist', () => {
  const req = simpleRequest();
  req.entrypointThreadName = 'main';
  expectInvalid(req, /entrypoint thread 'main' is not one of its ThreadSpecs/);
});

test('exactly one ENTRYPOINT node per thread', () => {
  const none = simpleRequest();
  delete entryThread(none).nodes[ENTRY];
  expectInvalid(none, /ThreadSpec 'entrypoint': has no ENTRYPOINT node/);

  const two = simpleRequest();
  entryThread(two).nodes['x-ENTRYPOINT'] = { node: { $case: 'entrypoint', value: {} }, outgoingEdges: [edgeTo(TASK)], failureHandlers: [] };
  expectInvalid(two, /has 2 ENTRYPOINT nodes/);
});

test('every edge sink must exist, and no self loops or edges into the entrypoint', () => {
  const missing = simpleRequest();
  node(missing, TASK).outgoingEdges = [edgeTo('nowhere')];
  expectInvalid(missing, /node '1-greet-TASK' edge 0 \(to 'nowhere'\): leads to node 'nowhere', which does not exist/);

  const self = simpleRequest();
  node(self, TASK).outgoingEdges = [edgeTo(TASK), edgeTo(EXIT)];
  expectInvalid(self, /may not lead to itself/);

  const back = simpleRequest();
  node(back, TASK).outgoingEdges = [edgeTo(ENTRY)];
  expectInvalid(back, /no edge may lead into the ENTRYPOINT/);
});

test('only EXIT nodes may lack outgoing edges, and EXIT nodes have none', () => {
  const deadEnd = simpleRequest();
  node(deadEnd, TASK).outgoingEdges = [];
  expectInvalid(deadEnd, /node '1-greet-TASK': has no outgoing edges/);

  const exitWithEdge = simpleRequest();
  node(exitWithEdge, EXIT).outgoingEdges = [edgeTo(TASK)];
  expectInvalid(exitWithEdge, /node '2-exit-EXIT': an EXIT node must have no outgoing edges/);
});

test('unreachable nodes are refused', () => {
  const req = simpleRequest();
  entryThread(req).nodes['9-orphan-NOP'] = { node: { $case: 'nop', value: {} }, outgoingEdges: [edgeTo(EXIT)], failureHandlers: [] };
  expectInvalid(req, /'9-orphan-NOP' cannot be reached from the ENTRYPOINT/);
});

test('TASK nodes need an existing TaskDef and the right number of inputs', () => {
  expectInvalid(simpleRequest(), /refers to TaskDef 'greet', which does not exist/, lookupOf([]));
  const req = simpleRequest();
  const task = node(req, TASK).node;
  assert.ok(task?.$case === 'task');
  task.value.variables = [];
  expectInvalid(req, /TaskDef 'greet' takes 1 input\(s\), but the node passes 0/);
});

test('TASK inputs must have a compatible type when it is known', () => {
  const req = simpleRequest();
  entryThread(req).variableDefs = [varDef('name', VariableType.JSON_OBJ)];
  expectInvalid(req, /input 0 \('name'\): TaskDef 'greet' expects STR, but the node passes JSON_OBJ/);

  // INT renders as text, so it may go where a STR is expected.
  const widened = simpleRequest();
  entryThread(widened).variableDefs = [varDef('name', VariableType.INT)];
  validate(widened);

  const intTask = TaskDef.fromPartial({
    id: { name: 'greet' },
    inputVars: [{ name: 'n', typeDef: { definedType: { $case: 'primitiveType', value: VariableType.INT } } }],
  });
  expectInvalid(simpleRequest(), /expects INT, but the node passes STR/, lookupOf([intTask]));
  // An explicit cast makes it acceptable.
  const cast = simpleRequest();
  const t = node(cast, TASK).node;
  assert.ok(t?.$case === 'task');
  t.value.variables = [{ ...varRef('name'), targetType: { definedType: { $case: 'primitiveType', value: VariableType.INT }, masked: false } }];
  validate(cast, lookupOf([intTask]));
});

test('deprecated VariableDef.type is read like type_def', () => {
  const req = simpleRequest();
  entryThread(req).variableDefs = [varDef('name', VariableType.STR, { varDef: { name: 'name', type: VariableType.JSON_ARR } })];
  expectInvalid(req, /expects STR, but the node passes JSON_ARR/);
});

test('variables referenced by nodes, conditions and mutations must be declared', () => {
  const input = simpleRequest();
  entryThread(input).variableDefs = [];
  expectInvalid(input, /input 0 \('name'\): refers to variable 'name', which is not declared in scope/);

  const cond = simpleRequest();
  node(cond, TASK).outgoingEdges = [{
    sinkNodeName: EXIT,
    variableMutations: [],
    edgeCondition: { $case: 'legacyCondition', value: { comparator: Comparator.EQUALS, left: varRef('ghost'), right: literal(intValue(1)) } },
  }];
  expectInvalid(cond, /edge 0 \(to '2-exit-EXIT'\) condition \(left side\): refers to variable 'ghost'/);

  const mut = simpleRequest();
  node(mut, TASK).outgoingEdges = [{ sinkNodeName: EXIT, variableMutations: [{ lhsName: 'ghost', operation: VariableMutationType.ASSIGN }] }];
  expectInvalid(mut, /mutates variable 'ghost', which is not declared in scope/);

  const fmt = simpleRequest();
  const t = node(fmt, TASK).node;
  assert.ok(t?.$case === 'task');
  t.value.variables = [{ source: { $case: 'formatString', value: { format: literal(strValue('hi {0}')), args: [varRef('who')] } } }];
  expectInvalid(fmt, /\(format argument 0\): refers to variable 'who'/);
});

test('conditions must be BOOL and assignments must fit their variable', () => {
  const cond = simpleRequest();
  node(cond, TASK).outgoingEdges = [{ sinkNodeName: EXIT, variableMutations: [], edgeCondition: { $case: 'condition', value: literal(intValue(3)) } }];
  expectInvalid(cond, /condition: must be BOOL, but it is INT/);

  const assign = simpleRequest();
  entryThread(assign).variableDefs.push(varDef('count', VariableType.INT));
  node(assign, TASK).outgoingEdges = [{
    sinkNodeName: EXIT,
    variableMutations: [{ lhsName: 'count', operation: VariableMutationType.ASSIGN, rhsValue: { $case: 'rhsAssignment', value: literal(strValue('x')) } }],
  }];
  expectInvalid(assign, /cannot assign a STR to 'count' of type INT/);
});

test('EXTERNAL_EVENT nodes need an existing ExternalEventDef and an INT timeout', () => {
  const make = (def: string, timeout = literal(intValue(30))): PutWfSpecRequest => {
    const req = simpleRequest();
    entryThread(req).nodes['3-wait-EXTERNAL_EVENT'] = {
      node: { $case: 'externalEvent', value: { externalEventDefId: { name: def }, timeoutSeconds: timeout, maskCorrelationKey: false } },
      outgoingEdges: [edgeTo(EXIT)],
      failureHandlers: [],
    };
    node(req, TASK).outgoingEdges = [edgeTo('3-wait-EXTERNAL_EVENT')];
    return req;
  };
  validate(make('approved'));
  expectInvalid(make('nope'), /refers to ExternalEventDef 'nope', which does not exist/);
  expectInvalid(make('approved', literal(strValue('soon'))), /timeout: must be INT, but it is STR/);
});

test('SLEEP nodes need a well-typed length', () => {
  const make = (len: NonNullable<import('@filly/proto').SleepNode['sleepLength']> | undefined): PutWfSpecRequest => {
    const req = simpleRequest();
    entryThread(req).nodes['3-nap-SLEEP'] = { node: { $case: 'sleep', value: { sleepLength: len } }, outgoingEdges: [edgeTo(EXIT)], failureHandlers: [] };
    node(req, TASK).outgoingEdges = [edgeTo('3-nap-SLEEP')];
    return req;
  };
  validate(make({ $case: 'rawSeconds', value: literal(intValue(5)) }));
  validate(make({ $case: 'timestamp', value: literal(intValue(5)) }));
  expectInvalid(make({ $case: 'rawSeconds', value: literal(strValue('5')) }), /sleep seconds: must be INT, but it is STR/);
  validate(make({ $case: 'isoDate', value: literal(intValue(5)) })); // any scalar renders as text
  expectInvalid(make({ $case: 'isoDate', value: literal({ value: { $case: 'jsonArr', value: '[]' } }) }), /sleep date: must be STR, but it is JSON_ARR/);
  expectInvalid(make({ $case: 'timestamp', value: literal(strValue('x')) }), /sleep timestamp: must be TIMESTAMP or INT, but it is STR/);
  expectInvalid(make(undefined), /SLEEP node has no duration/);
});

test('variable names must be valid and unique; defaults must match their type', () => {
  const dup = simpleRequest();
  entryThread(dup).variableDefs.push(varDef('name', VariableType.STR));
  expectInvalid(dup, /variable 'name' is declared twice in that thread/);

  const bad = simpleRequest();
  entryThread(bad).variableDefs.push(varDef('has space', VariableType.STR));
  expectInvalid(bad, /variable name 'has space' is not a valid name/);

  const def = simpleRequest();
  entryThread(def).variableDefs.push(varDef('n', VariableType.INT, {
    varDef: { name: 'n', typeDef: { definedType: { $case: 'primitiveType', value: VariableType.INT }, masked: false }, defaultValue: strValue('1') },
  }));
  expectInvalid(def, /variable 'n': default value does not match its type INT/);

  const json = simpleRequest();
  entryThread(json).variableDefs.push(varDef('j', VariableType.JSON_OBJ, {
    varDef: { name: 'j', typeDef: { definedType: { $case: 'primitiveType', value: VariableType.JSON_OBJ }, masked: false }, defaultValue: { value: { $case: 'jsonObj', value: '[1]' } } },
  }));
  expectInvalid(json, /default value does not match its type JSON_OBJ/);
});

test('INHERITED variables need a parent WfSpec', () => {
  const req = simpleRequest();
  entryThread(req).variableDefs.push(varDef('x', VariableType.INT, { accessLevel: WfRunVariableAccessLevel.INHERITED_VAR }));
  expectInvalid(req, /only child WfSpecs .* may declare INHERITED variables/);
});

test('limits on nodes and variables per thread', () => {
  expectInvalid(simpleRequest(), /has 3 nodes; at most 2 are allowed/, lookupOf(), { maxNodesPerThreadSpec: 2, maxVariablesPerThreadSpec: 10 });
  expectInvalid(simpleRequest(), /declares 1 variables; at most 0 are allowed/, lookupOf(), { maxNodesPerThreadSpec: 10, maxVariablesPerThreadSpec: 0 });
});

test('retry policy must be sane', () => {
  const req = simpleRequest();
  const t = node(req, TASK).node;
  assert.ok(t?.$case === 'task');
  t.value.retries = -1;
  expectInvalid(req, /retries must not be negative/);
  t.value.retries = 2;
  t.value.exponentialBackoff = { baseIntervalMs: 100, maxDelayMs: 50n, multiplier: 2 };
  expectInvalid(req, /max_delay_ms must not be less than base_interval_ms/);
});

test('EXIT nodes of one thread must agree on what they return', () => {
  const req = simpleRequest();
  entryThread(req).nodes['3-other-EXIT'] = { node: { $case: 'exit', value: { result: { $case: 'returnContent', value: literal(intValue(1)) } } }, outgoingEdges: [], failureHandlers: [] };
  node(req, TASK).outgoingEdges = [
    { sinkNodeName: '3-other-EXIT', variableMutations: [], edgeCondition: { $case: 'condition', value: literal({ value: { $case: 'bool', value: true } }) } },
    edgeTo(EXIT),
  ];
  expectInvalid(req, /disagree: one returns a value and the other returns nothing/);
});

test('greetTaskDef fixture stays consistent', () => {
  assert.equal(greetTaskDef.inputVars.length, 1);
});
