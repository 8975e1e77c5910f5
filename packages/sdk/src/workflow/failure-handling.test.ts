import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHErrorType, PutWfSpecRequest, VariableType } from '@filly/proto';
import type { LittleHorseClient } from '../client/client.ts';
import { defineTask } from '../worker/task-definition.ts';
import { Workflow } from './workflow.ts';

// Expected values follow upstream's WorkflowThreadImpl: handler threads are named
// "exn-handler-<node>-<exception name, or 'null'>", "exn-handler-<node>-<LHErrorType, or
// FAILURE_TYPE_ERROR>" and "exn-handler-<node>-any-failure"; fail() is an EXIT node named
// after the failure; complete() an EXIT named "complete"; interrupts "interrupt-<event>".

type Json = Record<string, unknown>;
const lit = (value: Json): Json => ({ literalValue: value });

const work = defineTask({ name: 'work', input: {} }, () => undefined);
const fetchIt = defineTask({ name: 'fetch', input: {}, output: 'STR' }, () => 'x');

function json(wf: Workflow): { threadSpecs: Record<string, { nodes: Record<string, Json>; interruptDefs?: Json[] }> } {
  return PutWfSpecRequest.toJSON(wf.compile()) as never;
}

test('handleException / handleError / handleAnyFailure: every call form and its handler thread', () => {
  const wf = new Workflow('failures', (t) => {
    const out = t.execute(work, {});
    t.handleException(out, (h) => h.execute(work, {}));
    t.handleException(out, 'out-of-stock', (h) => h.execute(work, {}));
    t.handleError(out, (h) => h.execute(work, {}));
    t.handleError(out, 'TASK_FAILURE', (h) => h.execute(work, {}));
    t.handleError(out, LHErrorType.VAR_SUB_ERROR, (h) => h.execute(work, {}));
    t.handleAnyFailure(out, (h) => h.fail('still-broken', 'gave up', 'details'));
  });
  const spec = json(wf);
  const p = 'exn-handler-1-work-TASK';
  assert.deepEqual(Object.keys(spec.threadSpecs), [
    'entrypoint',
    `${p}-null`,
    `${p}-out-of-stock`,
    `${p}-FAILURE_TYPE_ERROR`,
    `${p}-TASK_FAILURE`,
    `${p}-VAR_SUB_ERROR`,
    `${p}-any-failure`,
  ]);
  assert.deepEqual(spec.threadSpecs['entrypoint']?.nodes['1-work-TASK'], {
    outgoingEdges: [{ sinkNodeName: '2-exit-EXIT' }],
    failureHandlers: [
      { handlerSpecName: `${p}-null`, anyFailureOfType: 'FAILURE_TYPE_EXCEPTION' },
      { handlerSpecName: `${p}-out-of-stock`, specificFailure: 'out-of-stock' },
      { handlerSpecName: `${p}-FAILURE_TYPE_ERROR`, anyFailureOfType: 'FAILURE_TYPE_ERROR' },
      { handlerSpecName: `${p}-TASK_FAILURE`, specificFailure: 'TASK_FAILURE' },
      { handlerSpecName: `${p}-VAR_SUB_ERROR`, specificFailure: 'VAR_SUB_ERROR' },
      { handlerSpecName: `${p}-any-failure` },
    ],
    task: { taskDefId: { name: 'work' } },
  });
  assert.deepEqual(spec.threadSpecs[`${p}-any-failure`]?.nodes, {
    '0-entrypoint-ENTRYPOINT': { outgoingEdges: [{ sinkNodeName: '1-still-broken-EXIT' }], entrypoint: {} },
    '1-still-broken-EXIT': {
      exit: { failureDef: { failureName: 'still-broken', message: 'gave up', content: lit({ str: 'details' }) } },
    },
  });
});

test('complete() with and without output; fail() without a message; no EXIT is added after one', () => {
  const wf = new Workflow('endings', (t) => {
    const flag = t.declareBool('flag');
    const got = t.execute(fetchIt, {});
    t.doIf(flag, (w) => w.complete());
    t.doIf(flag, (w) => w.fail('no-message'));
    t.complete(got);
  });
  const nodes = json(wf).threadSpecs['entrypoint']?.nodes ?? {};
  assert.deepEqual(nodes['3-complete-EXIT'], { exit: {} });
  assert.deepEqual(nodes['6-no-message-EXIT'], { exit: { failureDef: { failureName: 'no-message' } } });
  assert.deepEqual(nodes['8-complete-EXIT'], { exit: { returnContent: { nodeOutput: { nodeName: '1-fetch-TASK' } } } });
  assert.equal(Object.keys(nodes).length, 9, 'the final complete() is the last node: no extra exit');
});

test('interrupt handlers: interrupt def, handler thread, ExternalEventDef dependency and registration', () => {
  const wf = new Workflow('interruptible', (t) => {
    t.registerInterruptHandler('cancel', (h) => h.execute(work, {})).withEventType('STR');
    t.registerInterruptHandler('pause', (h) => h.sleepSeconds(5));
    t.execute(work, {});
  });
  const compiled = wf.compileWithDependencies();
  const spec = PutWfSpecRequest.toJSON(compiled.request) as { threadSpecs: Record<string, Json> };
  assert.deepEqual(Object.keys(spec.threadSpecs), ['entrypoint', 'interrupt-cancel', 'interrupt-pause']);
  assert.deepEqual(spec.threadSpecs['entrypoint']?.['interruptDefs'], [
    { externalEventDefId: { name: 'cancel' }, handlerSpecName: 'interrupt-cancel' },
    { externalEventDefId: { name: 'pause' }, handlerSpecName: 'interrupt-pause' },
  ]);
  assert.deepEqual(compiled.externalEventDefNames, ['cancel', 'pause']);
  assert.deepEqual(compiled.externalEventDefsToRegister, [
    { name: 'cancel', contentType: { returnType: { definedType: { $case: 'primitiveType', value: VariableType.STR }, masked: false } } },
  ]);
  assert.throws(
    () =>
      new Workflow('twice', (t) => {
        const handle = t.registerInterruptHandler('again', () => undefined);
        handle.withEventType(null);
        handle.withEventType('INT');
      }).compile(),
    /already registered/,
  );
});

test('register() creates the declared event defs before the WfSpec', async () => {
  const calls: string[] = [];
  const client = {
    putExternalEventDef: async (req: { name: string }) => void calls.push(`eed:${req.name}`),
    putWorkflowEventDef: async (req: { name: string }) => void calls.push(`wed:${req.name}`),
    putWfSpec: async (req: { name: string }) => {
      calls.push(`wf:${req.name}`);
      return {};
    },
  } as unknown as LittleHorseClient;
  const wf = new Workflow('registering', (t) => {
    t.waitForEvent('b-event').registeredAs(null);
    t.waitForEvent('a-event').registeredAs('JSON_OBJ');
    t.throwEvent('done', 'ok').registeredAs('STR');
  });
  await wf.register(client);
  assert.deepEqual(calls, ['eed:a-event', 'eed:b-event', 'wed:done', 'wf:registering']);
});

