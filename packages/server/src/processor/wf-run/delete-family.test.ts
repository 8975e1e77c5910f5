import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExternalEventDef, LHStatus, type Node, type WfRunId } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { applyCommand } from '../apply.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { a, chain, installExternalEventDef, installWfSpec, n, primitive, v, varDef, VariableType } from '../testing/wf-spec-builder.ts';

const runChild = (wfSpecName: string): Partial<Node> => ({
  node: { $case: 'runChildWf', value: { wfSpec: { $case: 'wfSpecName', value: wfSpecName }, majorVersion: -1, inputs: {} } },
});
const waitChild = (source: string): Partial<Node> => ({
  node: { $case: 'waitForChildWf', value: { childWfRunId: a.nodeOutput(source), childWfRunSourceNode: source } },
});

function childIdOf(d: WfRunDriver, position: number): WfRunId {
  const nr = d.nodeRun(position);
  const id = nr?.nodeType?.$case === 'runChildWf' ? nr.nodeType.value.childWfRunId : undefined;
  if (id === undefined) throw new Error(`no child WfRun at position ${position}`);
  return id;
}

const wfRunOf = (w: FakeWorld, id: WfRunId) => w.get(Records.wfRun, keys.wfRunKey(w.partition, w.tenant, id));
const groupKeys = (w: FakeWorld, id: WfRunId) => w.keysWithPrefix(keys.wfRunGroupPrefix(w.partition, w.tenant, id));

/** parent runs 'middle' and waits; middle runs 'leaf' and waits; leaf waits for an event. */
function family(): FakeWorld {
  const w = new FakeWorld();
  installExternalEventDef(w, 'go');
  installWfSpec(w, 'leaf', chain(['entry', n.entrypoint()], ['wait', n.externalEvent('go')], ['exit', n.exit()]));
  installWfSpec(w, 'middle', chain(['entry', n.entrypoint()], ['run', runChild('leaf')], ['wait', waitChild('run')], ['exit', n.exit()]));
  installWfSpec(w, 'parent', chain(['entry', n.entrypoint()], ['run', runChild('middle')], ['wait', waitChild('run')], ['exit', n.exit()]));
  return w;
}

test('deleting a WfRun deletes its child WfRuns and theirs: the whole group is emptied', () => {
  const w = family();
  const d = new WfRunDriver(w, 'fam-1');
  d.run('parent');
  const middle = childIdOf(d, 1);
  const leaf = childIdOf(new WfRunDriverFor(w, middle), 1);
  assert.equal(wfRunOf(w, leaf)?.status, LHStatus.RUNNING);
  d.delete();
  assert.equal(wfRunOf(w, middle), undefined);
  assert.equal(wfRunOf(w, leaf), undefined);
  assert.deepEqual(groupKeys(w, d.wfRunId), []);
});

test('deleting a running child alone keeps the parent, which fails its WAIT_FOR_CHILD_WF instead of waiting forever', () => {
  const w = family();
  const d = new WfRunDriver(w, 'fam-2');
  d.run('parent');
  const middle = childIdOf(d, 1);
  const leaf = childIdOf(new WfRunDriverFor(w, middle), 1);
  w.exec(applyCommand, { $case: 'deleteWfRun', value: { id: middle } });
  assert.equal(wfRunOf(w, middle), undefined);
  assert.equal(wfRunOf(w, leaf), undefined, "the child's own child went with it");
  assert.equal(d.wfRun()?.status, LHStatus.RUNNING, 'the parent is untouched by the delete itself');
  w.fireTimersUntil(applyCommand, w.nowMs);
  const parent = d.mustWfRun();
  assert.equal(parent.status, LHStatus.ERROR);
  assert.equal(d.nodeRun(2)?.failures[0]?.failureName, 'CHILD_FAILURE');
  assert.match(d.nodeRun(2)?.failures[0]?.message ?? '', /not found/);
});

test('deleting a WfRun releases the correlation markers of its waiting NodeRuns', () => {
  const w = new FakeWorld();
  const def = ExternalEventDef.fromPartial({
    id: { name: 'payment' },
    typeInformation: { returnType: primitive(VariableType.STR) },
    correlatedEventConfig: { deleteAfterFirstCorrelation: false },
  });
  w.put(Records.externalEventDef, keys.externalEventDefKey(w.tenant, 'payment'), def);
  const wait: Partial<Node> = {
    node: { $case: 'externalEvent', value: { externalEventDefId: { name: 'payment' }, correlationKey: a.variable('order'), maskCorrelationKey: false } },
  };
  installWfSpec(w, 'pay', chain(['entry', n.entrypoint()], ['wait', wait], ['exit', n.exit()]), [varDef('order', VariableType.STR)]);
  const markerKey = keys.correlationMarkerKey(w.partition, w.tenant, 'order-9', 'payment');
  const one = new WfRunDriver(w, 'pay-1');
  one.run('pay', { order: v.str('order-9') });
  const two = new WfRunDriver(w, 'pay-2');
  two.run('pay', { order: v.str('order-9') });
  w.fireTimersUntil(applyCommand, w.nowMs + 1);
  assert.equal(w.get(Records.correlationMarker, markerKey)?.waitingNodeRuns.length, 2);

  one.delete();
  w.fireTimersUntil(applyCommand, w.nowMs + 1);
  assert.deepEqual(w.get(Records.correlationMarker, markerKey)?.waitingNodeRuns.map((r) => r.wfRunId?.id), ['pay-2']);
  two.delete();
  w.fireTimersUntil(applyCommand, w.nowMs + 1);
  assert.equal(w.get(Records.correlationMarker, markerKey), undefined, 'the last waiting NodeRun gone, the marker is gone');
});

/** A driver for a child WfRun (WfRunDriver takes a root id). */
class WfRunDriverFor extends WfRunDriver {
  constructor(world: FakeWorld, id: WfRunId) {
    super(world, id.id);
    (this as { wfRunId: WfRunId }).wfRunId = id;
  }
}
