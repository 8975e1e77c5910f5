import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutWfSpecRequest } from '@filly/proto';
import { defineTask } from '../worker/task-definition.ts';
import { Workflow } from './workflow.ts';

// Upstream's Workflow: withRetentionPolicy sets the WfSpec's retention policy,
// withDefaultThreadRetentionPolicy every ThreadSpec's unless the thread sets its own
// (WorkflowThread.withRetentionPolicy), setParent the parent_wf_spec reference, and the
// default task timeout / retries / backoff apply to every TaskNode the builder creates.

type Json = Record<string, unknown>;
const remind = defineTask({ name: 'remind', input: {} }, () => undefined);

test('WfSpec and ThreadSpec retention, parent reference, task defaults on every task node', () => {
  const wf = new Workflow('opts', (t) => {
    t.spawnThread('short-lived', (c) => c.withRetentionPolicy(60));
    t.handleAnyFailure(t.execute(remind, {}), (h) => h.sleepSeconds(1));
    const ut = t.assignUserTask('check', 'me');
    t.scheduleReminderTask(ut, 5, remind, {});
  })
    .withRetentionSeconds(3600)
    .withDefaultThreadRetentionSeconds(600)
    .withParent('root')
    .withDefaultTaskTimeout(15)
    .withDefaultTaskRetries(3)
    .withDefaultExponentialBackoff({ baseIntervalMs: 100, maxDelayMs: 5000, multiplier: 2 });
  const json = PutWfSpecRequest.toJSON(wf.compile()) as Json & { threadSpecs: Record<string, Json & { nodes: Record<string, Json> }> };
  assert.deepEqual(json['retentionPolicy'], { secondsAfterWfTermination: '3600' });
  assert.deepEqual(json['parentWfSpec'], { wfSpecName: 'root' });
  const threadRetention = Object.fromEntries(Object.entries(json.threadSpecs).map(([name, spec]) => [name, spec['retentionPolicy']]));
  assert.deepEqual(threadRetention, {
    entrypoint: { secondsAfterThreadTermination: '600' },
    'short-lived': { secondsAfterThreadTermination: '60' },
    'exn-handler-2-remind-TASK-any-failure': { secondsAfterThreadTermination: '600' },
  });
  const nodes = json.threadSpecs['entrypoint']?.nodes ?? {};
  const defaults = {
    taskDefId: { name: 'remind' },
    timeoutSeconds: 15,
    retries: 3,
    exponentialBackoff: { baseIntervalMs: 100, maxDelayMs: '5000', multiplier: 2 },
  };
  assert.deepEqual(nodes['2-remind-TASK']?.['task'], defaults);
  const actions = (nodes['3-check-USER_TASK']?.['userTask'] as { actions: Json[] }).actions;
  assert.deepEqual(actions, [{ task: { task: defaults }, delaySeconds: { literalValue: { int: '5' } } }]);
});

test('without retention settings no policy is emitted', () => {
  const json = PutWfSpecRequest.toJSON(new Workflow('plain', () => undefined).compile()) as Json & { threadSpecs: Record<string, Json> };
  assert.equal(json['retentionPolicy'], undefined);
  assert.equal(json.threadSpecs['entrypoint']?.['retentionPolicy'], undefined);
});

test('a workflow using every feature encodes, decodes to the same request, and is deterministic', () => {
  const build = (): Workflow =>
    new Workflow('everything', (t) => {
      const items = t.declareJsonArr('items');
      const car = t.declareStruct('car', 'car');
      const child = t.spawnThread('c', (c) => c.execute(remind, {}), { x: 1 });
      t.waitForThreads(child, t.spawnThread('d', () => undefined)).handleAnyFailureOnChild(() => undefined);
      t.waitForThreads(t.spawnThreadForEach(items, 'each', () => undefined));
      const ut = t.assignUserTask('ut', 'me', 'us').withNotes('n');
      t.reassignUserTask(ut, null, 'them', 10);
      t.handleException(ut, 'cancelled', (h) => h.fail('gone', 'bye'));
      car.assign(t.buildStruct('car').put('a', t.buildInlineStruct().put('b', true)));
      t.waitForEvent('e').withCorrelationId(car.get('a')).registeredAs(null);
      t.throwEvent('w', car);
      t.waitForChildWf(t.runWf('kid', { car }));
      t.registerInterruptHandler('stop', (h) => h.complete());
    }).withDefaultThreadRetentionSeconds(5);
  const bytes = build().compileToBytes();
  assert.deepEqual(build().compileToBytes(), bytes);
  const request = build().compile();
  assert.deepEqual(PutWfSpecRequest.decode(bytes), PutWfSpecRequest.fromPartial(request));
  assert.deepEqual(PutWfSpecRequest.fromJSON(PutWfSpecRequest.toJSON(request)), PutWfSpecRequest.decode(bytes));
});
