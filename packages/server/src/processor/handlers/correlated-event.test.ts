import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorrelatedEvent, ExternalEventDef, LHStatus, type Node, type VariableValue } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { ApiError, Code } from '../api-error.ts';
import { applyCommand } from '../apply.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { a, chain, installWfSpec, n, primitive, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';

const waitNode = (timeoutSeconds?: number): Partial<Node> => ({
  node: {
    $case: 'externalEvent',
    value: {
      externalEventDefId: { name: 'payment' },
      timeoutSeconds: timeoutSeconds === undefined ? undefined : a.lit(v.int(timeoutSeconds)),
      correlationKey: a.variable('order'),
      maskCorrelationKey: true,
    },
  },
});

function world(config: { ttlSeconds?: number; deleteAfterFirstCorrelation?: boolean } = {}, timeoutSeconds?: number): FakeWorld {
  const w = new FakeWorld({ nowMs: 1_000_000 });
  const def = ExternalEventDef.fromPartial({
    id: { name: 'payment' },
    typeInformation: { returnType: primitive(VariableType.STR) },
    correlatedEventConfig: {
      ttlSeconds: config.ttlSeconds === undefined ? undefined : BigInt(config.ttlSeconds),
      deleteAfterFirstCorrelation: config.deleteAfterFirstCorrelation ?? false,
    },
  });
  w.put(Records.externalEventDef, keys.externalEventDefKey(w.tenant, 'payment'), def);
  w.put(Records.externalEventDef, keys.externalEventDefKey(w.tenant, 'plain'), ExternalEventDef.fromPartial({ id: { name: 'plain' } }));
  installWfSpec(w, 'pay', chain(['entry', n.entrypoint()], ['wait', waitNode(timeoutSeconds)], ['exit', n.exit()]), [
    varDef('order', VariableType.STR),
  ]);
  return w;
}

const putEvent = (w: FakeWorld, key: string, content: VariableValue = v.str('paid'), def = 'payment'): CorrelatedEvent => {
  const bytes = w.exec(applyCommand, { $case: 'putCorrelatedEvent', value: { key, externalEventDefId: { name: def }, content } });
  assert.ok(bytes);
  return CorrelatedEvent.decode(bytes);
};

const storedEvent = (w: FakeWorld, key: string): CorrelatedEvent | undefined =>
  w.get(Records.correlatedEvent, keys.correlatedEventKey(w.partition, w.tenant, key, 'payment'));
const storedMarker = (w: FakeWorld, key: string) => w.get(Records.correlationMarker, keys.correlationMarkerKey(w.partition, w.tenant, key, 'payment'));
/** Applies the follow-up commands (markers, deliveries) that are due now. */
const settle = (w: FakeWorld): number => w.fireTimersUntil(applyCommand, w.nowMs + 1);

function startRun(w: FakeWorld, id: string, order: VariableValue = v.str('order-1')): WfRunDriver {
  const d = new WfRunDriver(w, id);
  d.run('pay', { order });
  return d;
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  return undefined;
}

test('a NodeRun waiting first registers a marker; the event then reaches it as a pinned ExternalEvent', () => {
  const w = world();
  const d = startRun(w, 'wf-a');
  const nr = d.nodeRun(1);
  assert.equal(nr?.nodeType?.$case === 'externalEvent' ? nr.nodeType.value.correlationKey : undefined, 'order-1');
  assert.equal(settle(w), 1);
  assert.deepEqual(storedMarker(w, 'order-1')?.waitingNodeRuns.map((r) => [r.wfRunId?.id, r.threadRunNumber, r.position]), [['wf-a', 0, 1]]);

  const put = putEvent(w, 'order-1');
  assert.equal(put.externalEvents.length, 1);
  assert.equal(put.externalEvents[0]?.wfRunId?.id, 'wf-a');
  assert.equal(storedMarker(w, 'order-1'), undefined, 'the marker is cleared once delivered');
  assert.equal(d.nodeRun(1)?.status, LHStatus.RUNNING, 'delivery is a follow-up command');
  settle(w);
  assert.equal(d.nodeRun(1)?.status, LHStatus.COMPLETED);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  const ext = d.nodeRun(1);
  assert.equal(ext?.nodeType?.$case === 'externalEvent' ? ext.nodeType.value.externalEventId?.guid : undefined, put.externalEvents[0]?.guid);
  assert.deepEqual(storedEvent(w, 'order-1')?.externalEvents, put.externalEvents, 'kept: delete_after_first_correlation is off');
});

test('an event that arrives first is delivered when the NodeRun registers, to every later NodeRun too', () => {
  const w = world();
  const early = putEvent(w, 'order-1');
  assert.deepEqual(early.externalEvents, []);
  const d1 = startRun(w, 'wf-1');
  settle(w); // marker → delivery
  settle(w); // delivery → claim
  assert.equal(d1.mustWfRun().status, LHStatus.COMPLETED);
  const d2 = startRun(w, 'wf-2');
  settle(w);
  settle(w);
  assert.equal(d2.mustWfRun().status, LHStatus.COMPLETED);
  assert.deepEqual(storedEvent(w, 'order-1')?.externalEvents.map((e) => e.wfRunId?.id), ['wf-1', 'wf-2']);
  assert.equal(storedMarker(w, 'order-1'), undefined);
});

test('delete_after_first_correlation deletes the event when delivered; a later NodeRun keeps waiting', () => {
  const w = world({ deleteAfterFirstCorrelation: true });
  putEvent(w, 'order-1');
  const d1 = startRun(w, 'wf-1');
  settle(w);
  settle(w);
  assert.equal(d1.mustWfRun().status, LHStatus.COMPLETED);
  assert.equal(storedEvent(w, 'order-1'), undefined);
  const d2 = startRun(w, 'wf-2');
  settle(w);
  assert.equal(d2.nodeRun(1)?.status, LHStatus.RUNNING);
  assert.equal(storedMarker(w, 'order-1')?.waitingNodeRuns.length, 1);
});

test('only NodeRuns of the same key receive the event', () => {
  const w = world();
  const mine = startRun(w, 'wf-mine', v.str('k-1'));
  const other = startRun(w, 'wf-other', v.str('k-2'));
  settle(w);
  putEvent(w, 'k-1');
  settle(w);
  assert.equal(mine.mustWfRun().status, LHStatus.COMPLETED);
  assert.equal(other.nodeRun(1)?.status, LHStatus.RUNNING);
});

test('a ttl deletes the event; a timed-out NodeRun removes its marker', () => {
  const w = world({ ttlSeconds: 30 }, 10);
  putEvent(w, 'lonely');
  assert.ok(storedEvent(w, 'lonely'));
  const d = startRun(w, 'wf-t', v.str('order-9'));
  settle(w);
  assert.equal(storedMarker(w, 'order-9')?.waitingNodeRuns.length, 1);
  w.fireTimersUntil(applyCommand, w.nowMs + 10_000);
  settle(w);
  assert.equal(d.nodeRun(1)?.status, LHStatus.ERROR);
  assert.equal(d.nodeRun(1)?.failures[0]?.failureName, 'TIMEOUT');
  assert.equal(storedMarker(w, 'order-9'), undefined);
  assert.ok(storedEvent(w, 'lonely'), 'not yet expired');
  w.fireTimersUntil(applyCommand, w.nowMs + 30_000);
  assert.equal(storedEvent(w, 'lonely'), undefined);
});

test('PutCorrelatedEvent refuses bad keys, defs without correlation, wrong content and duplicates', () => {
  const w = world();
  assert.equal(codeOf(() => putEvent(w, 'a/b')), Code.INVALID_ARGUMENT);
  assert.equal(codeOf(() => putEvent(w, 'a~b')), Code.INVALID_ARGUMENT);
  assert.equal(codeOf(() => putEvent(w, 'k', v.str('x'), 'plain')), Code.INVALID_ARGUMENT);
  assert.equal(codeOf(() => putEvent(w, 'k', v.str('x'), 'missing')), Code.INVALID_ARGUMENT);
  w.put(Records.externalEventDef, keys.externalEventDefKey(w.tenant, 'amount'), ExternalEventDef.fromPartial({
    id: { name: 'amount' },
    typeInformation: { returnType: primitive(VariableType.INT) },
    correlatedEventConfig: { deleteAfterFirstCorrelation: false },
  }));
  assert.equal(codeOf(() => putEvent(w, 'k', v.str('ten'), 'amount')), Code.INVALID_ARGUMENT);
  assert.equal(putEvent(w, 'k', v.int(10), 'amount').content?.value?.value, 10n);
  putEvent(w, 'k');
  assert.equal(codeOf(() => putEvent(w, 'k')), Code.ALREADY_EXISTS);
  w.exec(applyCommand, { $case: 'deleteCorrelatedEvent', value: { id: { key: 'k', externalEventDefId: { name: 'payment' } } } });
  assert.equal(storedEvent(w, 'k'), undefined);
  // Deleting again is not an error, and the key can be used again.
  w.exec(applyCommand, { $case: 'deleteCorrelatedEvent', value: { id: { key: 'k', externalEventDefId: { name: 'payment' } } } });
  putEvent(w, 'k');
});

test('a correlation key that is not a STR fails the node with VAR_ERROR', () => {
  const w = world();
  installWfSpec(w, 'pay-int', chain(['entry', n.entrypoint()], ['wait', waitNode()], ['exit', n.exit()]), [varDef('order', VariableType.INT)]);
  const d = new WfRunDriver(w, 'wf-int');
  d.run('pay-int', { order: v.int(7) });
  assert.equal(d.nodeRun(1)?.status, LHStatus.ERROR);
  assert.equal(d.nodeRun(1)?.failures[0]?.failureName, 'VAR_ERROR');
  assert.equal(settle(w), 0, 'no marker was sent');
});
