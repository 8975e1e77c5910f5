import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableType } from '@filly/proto';
import type { PutWfSpecRequest } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { DEFAULT_LIMITS } from '../../config/limits.ts';
import { validateWfSpecRequest } from './validate-wf-spec.ts';
import { EXIT, TASK, edgeTo, entryThread, literal, lookupOf, node, simpleRequest, strValue, varDef, varRef } from './spec-fixtures.ts';

function expectRefused(req: PutWfSpecRequest, message: RegExp): void {
  assert.throws(
    () => validateWfSpecRequest(req, lookupOf(), DEFAULT_LIMITS),
    (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT && message.test(e.message) && /Filly does not run/.test(e.message),
  );
}

test('node kinds the runtime cannot run are refused, naming thread and node', () => {
  const req = simpleRequest();
  entryThread(req).nodes['3-child-START_THREAD'] = {
    node: { $case: 'startThread', value: { threadSpecName: 'entrypoint', variables: {} } },
    outgoingEdges: [edgeTo(EXIT)],
    failureHandlers: [],
  };
  node(req, TASK).outgoingEdges = [edgeTo('3-child-START_THREAD')];
  expectRefused(req, /ThreadSpec 'entrypoint' node '3-child-START_THREAD': Filly does not run START_THREAD nodes yet/);
});

test('extra ThreadSpecs, interrupts, failure handlers and retention policies are refused', () => {
  const extra = simpleRequest();
  extra.threadSpecs['helper'] = entryThread(simpleRequest());
  expectRefused(extra, /ThreadSpec 'helper': .*ThreadSpecs other than the entrypoint/);

  const interrupt = simpleRequest();
  entryThread(interrupt).interruptDefs = [{ externalEventDefId: { name: 'approved' }, handlerSpecName: 'entrypoint' }];
  expectRefused(interrupt, /interrupt handlers/);

  const handler = simpleRequest();
  node(handler, TASK).failureHandlers = [{ handlerSpecName: 'entrypoint' }];
  expectRefused(handler, /node '1-greet-TASK': .*failure handlers/);

  const retention = simpleRequest();
  retention.retentionPolicy = { wfGcPolicy: { $case: 'secondsAfterWfTermination', value: 60n } };
  expectRefused(retention, /retention policies/);

  const child = simpleRequest();
  child.parentWfSpec = { wfSpecName: 'parent', wfSpecMajorVersion: 0 };
  expectRefused(child, /parent_wf_spec/);
});

test('STRUCT, typed-array and map variables are refused', () => {
  const arr = simpleRequest();
  entryThread(arr).variableDefs.push(varDef('xs', VariableType.INT, {
    varDef: { name: 'xs', typeDef: { definedType: { $case: 'inlineArrayDef', value: { arrayType: { definedType: { $case: 'primitiveType', value: VariableType.INT }, masked: false } } }, masked: false } },
  }));
  expectRefused(arr, /variable 'xs': Filly does not run typed array variables yet/);

  const struct = simpleRequest();
  entryThread(struct).variableDefs.push(varDef('s', VariableType.INT, {
    varDef: { name: 's', typeDef: { definedType: { $case: 'structDefId', value: { name: 'car', version: 0 } }, masked: false } },
  }));
  expectRefused(struct, /STRUCT variables/);
});

test('dynamic tasks, correlated events and struct builders are refused', () => {
  const dynamic = simpleRequest();
  const t = node(dynamic, TASK).node;
  assert.ok(t?.$case === 'task');
  t.value.taskToExecute = { $case: 'dynamicTask', value: literal(strValue('greet')) };
  expectRefused(dynamic, /dynamic TASK nodes/);

  const builder = simpleRequest();
  const b = node(builder, TASK).node;
  assert.ok(b?.$case === 'task');
  b.value.variables = [{ source: { $case: 'structBuilder', value: { structDefId: { name: 'car', version: 0 } } } }];
  expectRefused(builder, /STRUCT builders/);
  assert.ok(varRef('x').source);
});
