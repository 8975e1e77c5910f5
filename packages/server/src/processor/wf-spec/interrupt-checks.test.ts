import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableType, type PutWfSpecRequest } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { DEFAULT_LIMITS } from '../../config/limits.ts';
import { validateWfSpecRequest } from './validate-wf-spec.ts';
import { ENTRY, EXIT, TASK, edgeTo, entryThread, lookupOf, simpleRequest, varDef } from './spec-fixtures.ts';

function withInterrupt(handlerVars: ReturnType<typeof varDef>[]): PutWfSpecRequest {
  const req = simpleRequest();
  req.threadSpecs['on-poke'] = {
    nodes: {
      [ENTRY]: { node: { $case: 'entrypoint', value: {} }, outgoingEdges: [edgeTo(EXIT)], failureHandlers: [] },
      [EXIT]: { node: { $case: 'exit', value: {} }, outgoingEdges: [], failureHandlers: [] },
    },
    variableDefs: handlerVars,
    interruptDefs: [],
    retentionPolicy: undefined,
  };
  entryThread(req).interruptDefs = [{ externalEventDefId: { name: 'approved' }, handlerSpecName: 'on-poke' }];
  return req;
}

const refused = (req: PutWfSpecRequest, message: RegExp): void =>
  assert.throws(
    () => validateWfSpecRequest(req, lookupOf(), DEFAULT_LIMITS),
    (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT && message.test(e.message),
  );

test('an interrupt handler declares nothing or only INPUT', () => {
  assert.doesNotThrow(() => validateWfSpecRequest(withInterrupt([]), lookupOf(), DEFAULT_LIMITS));
  assert.doesNotThrow(() => validateWfSpecRequest(withInterrupt([varDef('INPUT', VariableType.STR)]), lookupOf(), DEFAULT_LIMITS));
  refused(withInterrupt([varDef('other', VariableType.STR)]), /can only have 'INPUT' as an input var/);
  refused(withInterrupt([varDef('INPUT', VariableType.STR), varDef('x', VariableType.INT)]), /should only have 'INPUT' var/);
});

test('an ExternalEventDef cannot be both an interrupt and an EXTERNAL_EVENT node', () => {
  const req = withInterrupt([]);
  entryThread(req).nodes['9-wait-EXTERNAL_EVENT'] = {
    node: { $case: 'externalEvent', value: { externalEventDefId: { name: 'approved' }, maskCorrelationKey: false } },
    outgoingEdges: [edgeTo(TASK)],
    failureHandlers: [],
  };
  entryThread(req).nodes[ENTRY] = { node: { $case: 'entrypoint', value: {} }, outgoingEdges: [edgeTo('9-wait-EXTERNAL_EVENT')], failureHandlers: [] };
  refused(req, /used both by an EXTERNAL_EVENT node and as an interrupt/);
});
