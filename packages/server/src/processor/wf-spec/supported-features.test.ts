import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableType } from '@filly/proto';
import type { PutWfSpecRequest } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { DEFAULT_LIMITS } from '../../config/limits.ts';
import { validateWfSpecRequest } from './validate-wf-spec.ts';
import { ENTRY, EXIT, TASK, edgeTo, entryThread, literal, lookupOf, node, simpleRequest, strValue, varDef, varRef } from './spec-fixtures.ts';

function expectRefused(req: PutWfSpecRequest, message: RegExp): void {
  assert.throws(
    () => validateWfSpecRequest(req, lookupOf(), DEFAULT_LIMITS),
    (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT && message.test(e.message) && /Filly does not run/.test(e.message),
  );
}

test('thread retention policies are accepted (threads are archived)', () => {
  const retention = simpleRequest();
  const helper = helperThread();
  helper.retentionPolicy = { threadGcPolicy: { $case: 'secondsAfterThreadTermination', value: 60n } };
  retention.threadSpecs['helper'] = helper;
  assert.doesNotThrow(() => validateWfSpecRequest(retention, lookupOf(), DEFAULT_LIMITS));
});

/** A ThreadSpec that declares nothing and goes straight from its entrypoint to its exit. */
function helperThread(): NonNullable<PutWfSpecRequest['threadSpecs'][string]> {
  const nodes = {
    [ENTRY]: { node: { $case: 'entrypoint' as const, value: {} }, outgoingEdges: [edgeTo(EXIT)], failureHandlers: [] },
    [EXIT]: { node: { $case: 'exit' as const, value: {} }, outgoingEdges: [], failureHandlers: [] },
  };
  return { nodes, variableDefs: [], interruptDefs: [], retentionPolicy: undefined };
}

test('child threads, failure handlers and interrupts are accepted', () => {
  const req = simpleRequest();
  req.threadSpecs['helper'] = helperThread();
  entryThread(req).interruptDefs = [{ externalEventDefId: { name: 'approved' }, handlerSpecName: 'helper' }];
  entryThread(req).nodes['3-child-START_THREAD'] = {
    node: { $case: 'startThread', value: { threadSpecName: 'helper', variables: {} } },
    outgoingEdges: [edgeTo(EXIT)],
    failureHandlers: [{ handlerSpecName: 'helper', failureToCatch: undefined }],
  };
  node(req, TASK).outgoingEdges = [edgeTo('3-child-START_THREAD')];
  node(req, TASK).failureHandlers = [{ handlerSpecName: 'helper', failureToCatch: { $case: 'specificFailure', value: 'TASK_ERROR' } }];
  assert.doesNotThrow(() => validateWfSpecRequest(req, lookupOf(), DEFAULT_LIMITS));
});

test('inline struct types are refused; typed arrays and StructDef types are not', () => {
  const arr = simpleRequest();
  entryThread(arr).variableDefs.push(varDef('xs', VariableType.INT, {
    varDef: { name: 'xs', typeDef: { definedType: { $case: 'inlineArrayDef', value: { arrayType: { definedType: { $case: 'primitiveType', value: VariableType.INT }, masked: false } } }, masked: false } },
  }));
  validateWfSpecRequest(arr, lookupOf(), DEFAULT_LIMITS);

  const inline = simpleRequest();
  entryThread(inline).variableDefs.push(varDef('s', VariableType.INT, {
    varDef: { name: 's', typeDef: { definedType: { $case: 'inlineStructDef', value: { fields: {} } }, masked: false } },
  }));
  expectRefused(inline, /inline struct types/);
});

test('dynamic tasks are refused', () => {
  const dynamic = simpleRequest();
  const t = node(dynamic, TASK).node;
  assert.ok(t?.$case === 'task');
  t.value.taskToExecute = { $case: 'dynamicTask', value: literal(strValue('greet')) };
  expectRefused(dynamic, /dynamic TASK nodes/);

  assert.ok(varRef('x').source);
});
