import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutWfSpecRequest, VariableType } from '@filly/proto';
import { Workflow } from './workflow.ts';

// Expected values follow upstream's WorkflowThreadImpl: "<n>-throw-<def>-THROW_EVENT",
// "<n>-<def>-EXTERNAL_EVENT" (a correlation key masked by default when the key variable
// is masked), "<n>-wait-for-condition-WAIT_FOR_CONDITION", "<n>-run-<spec>-RUN_CHILD_WF"
// (major_version -1 = latest) or "<n>-run-child-wf-RUN_CHILD_WF" for a spec named by a
// variable, and "<n>-wait-WAIT_FOR_CHILD_WF" reading the RUN_CHILD_WF node's output.

type Json = Record<string, unknown>;
const v = (name: string): Json => ({ variableName: name });
const lit = (value: Json): Json => ({ literalValue: value });
const out = (nodeName: string): Json => ({ nodeOutput: { nodeName } });
const edge = (sinkNodeName: string): Json => ({ sinkNodeName });

function json(wf: Workflow): Json & { threadSpecs: Record<string, { nodes: Record<string, Json>; variableDefs?: Json[] }> } {
  return PutWfSpecRequest.toJSON(wf.compile()) as never;
}

test('throwEvent, correlated external events and waitForCondition', () => {
  const wf = new Workflow('events', (t) => {
    const key = t.declareStr('key').masked();
    const plain = t.declareStr('plain');
    const done = t.declareBool('done');
    t.throwEvent('started', plain);
    t.waitForEvent('by-key').withCorrelationId(key);
    t.waitForEvent('by-plain').withCorrelationId(plain).timeout(30);
    t.waitForEvent('forced')
      .withCorrelationId('literal-key', true)
      .withCorrelatedEventConfig({ ttlSeconds: 60, deleteAfterFirstCorrelation: true })
      .registeredAs('INT');
    t.waitForCondition(done.isEqualTo(true));
  });
  assert.deepEqual(json(wf).threadSpecs['entrypoint']?.nodes, {
    '0-entrypoint-ENTRYPOINT': { outgoingEdges: [edge('1-throw-started-THROW_EVENT')], entrypoint: {} },
    '1-throw-started-THROW_EVENT': {
      outgoingEdges: [edge('2-by-key-EXTERNAL_EVENT')],
      throwEvent: { eventDefId: { name: 'started' }, content: v('plain') },
    },
    '2-by-key-EXTERNAL_EVENT': {
      outgoingEdges: [edge('3-by-plain-EXTERNAL_EVENT')],
      externalEvent: { externalEventDefId: { name: 'by-key' }, correlationKey: v('key'), maskCorrelationKey: true },
    },
    '3-by-plain-EXTERNAL_EVENT': {
      outgoingEdges: [edge('4-forced-EXTERNAL_EVENT')],
      externalEvent: { externalEventDefId: { name: 'by-plain' }, timeoutSeconds: lit({ int: '30' }), correlationKey: v('plain') },
    },
    '4-forced-EXTERNAL_EVENT': {
      outgoingEdges: [edge('5-wait-for-condition-WAIT_FOR_CONDITION')],
      externalEvent: { externalEventDefId: { name: 'forced' }, correlationKey: lit({ str: 'literal-key' }), maskCorrelationKey: true },
    },
    '5-wait-for-condition-WAIT_FOR_CONDITION': {
      outgoingEdges: [edge('6-exit-EXIT')],
      waitForCondition: { condition: { expression: { lhs: v('done'), comparator: 'EQUALS', rhs: lit({ bool: true }) } } },
    },
    '6-exit-EXIT': { exit: {} },
  });
  const deps = wf.compileWithDependencies();
  assert.deepEqual(deps.workflowEventDefNames, ['started']);
  assert.deepEqual(deps.externalEventDefNames, ['by-key', 'by-plain', 'forced']);
  assert.deepEqual(deps.externalEventDefsToRegister, [
    {
      name: 'forced',
      contentType: { returnType: { definedType: { $case: 'primitiveType', value: VariableType.INT }, masked: false } },
      correlatedEventConfig: { ttlSeconds: 60n, deleteAfterFirstCorrelation: true },
    },
  ]);
});

test('a correlation key registers the ExternalEventDef with a default correlated config', () => {
  const wf = new Workflow('corr', (t) => {
    t.waitForEvent('payment').registeredAs(null).withCorrelationId(t.declareStr('order'));
  });
  assert.deepEqual(wf.compileWithDependencies().externalEventDefsToRegister, [
    { name: 'payment', contentType: {}, correlatedEventConfig: { deleteAfterFirstCorrelation: false } },
  ]);
});

test('runWf by name and by variable, waitForChildWf, child WfSpec with a parent', () => {
  const parent = new Workflow('parent', (t) => {
    const which = t.declareStr('which');
    const id = t.declareInt('id').asPublic();
    const child = t.runWf('child-spec', { id, note: 'hi' });
    const dynamic = t.runWf(which);
    const result = t.waitForChildWf(child);
    t.waitForChildWf(dynamic);
    t.complete(result);
  });
  assert.deepEqual(json(parent).threadSpecs['entrypoint']?.nodes, {
    '0-entrypoint-ENTRYPOINT': { outgoingEdges: [edge('1-run-child-spec-RUN_CHILD_WF')], entrypoint: {} },
    '1-run-child-spec-RUN_CHILD_WF': {
      outgoingEdges: [edge('2-run-child-wf-RUN_CHILD_WF')],
      runChildWf: { wfSpecName: 'child-spec', majorVersion: -1, inputs: { id: v('id'), note: lit({ str: 'hi' }) } },
    },
    '2-run-child-wf-RUN_CHILD_WF': {
      outgoingEdges: [edge('3-wait-WAIT_FOR_CHILD_WF')],
      runChildWf: { wfSpecVar: v('which'), majorVersion: -1 },
    },
    '3-wait-WAIT_FOR_CHILD_WF': {
      outgoingEdges: [edge('4-wait-WAIT_FOR_CHILD_WF')],
      waitForChildWf: { childWfRunId: out('1-run-child-spec-RUN_CHILD_WF'), childWfRunSourceNode: '1-run-child-spec-RUN_CHILD_WF' },
    },
    '4-wait-WAIT_FOR_CHILD_WF': {
      outgoingEdges: [edge('5-complete-EXIT')],
      waitForChildWf: { childWfRunId: out('2-run-child-wf-RUN_CHILD_WF'), childWfRunSourceNode: '2-run-child-wf-RUN_CHILD_WF' },
    },
    '5-complete-EXIT': { exit: { returnContent: out('3-wait-WAIT_FOR_CHILD_WF') } },
  });
  assert.deepEqual(parent.compileWithDependencies().childWfSpecNames, ['child-spec']);

  const child = new Workflow('child-spec', (t) => {
    t.declareInt('id').asInherited();
  }).withParent('parent');
  const childJson = json(child);
  assert.deepEqual(childJson['parentWfSpec'], { wfSpecName: 'parent' });
  assert.deepEqual(childJson.threadSpecs['entrypoint']?.variableDefs, [
    { varDef: { name: 'id', typeDef: { primitiveType: 'INT' } }, accessLevel: 'INHERITED_VAR' },
  ]);
});

test('a child WfRun can only be waited for by the thread that started it', () => {
  assert.throws(
    () =>
      new Workflow('w', (t) => {
        const child = t.runWf('c');
        t.spawnThread('other', (o) => void o.waitForChildWf(child));
      }).compile(),
    /started in another thread/,
  );
});
