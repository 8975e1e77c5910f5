import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus } from '@filly/proto';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { ApiError, Code } from '../api-error.ts';
import { applyCommand } from '../apply.ts';
import { a, chain, installExternalEventDef, installTaskDef, installWfSpec, n, primitive, v, VariableType } from '../testing/wf-spec-builder.ts';

function world(timeoutSeconds?: number): FakeWorld {
  const w = new FakeWorld({ nowMs: 1_000 });
  installExternalEventDef(w, 'approval', primitive(VariableType.STR));
  installTaskDef(w, 'echo', [['s', VariableType.STR]]);
  installWfSpec(
    w,
    'wait',
    chain(
      ['entry', n.entrypoint()],
      ['wait', n.externalEvent('approval', timeoutSeconds)],
      ['echo', n.task('echo', [a.nodeOutput('wait')])],
      ['exit', n.exit()],
    ),
  );
  return w;
}

test('an event sent after the node waits is claimed and its content becomes the node output', () => {
  const w = world();
  const d = new WfRunDriver(w, 'w');
  d.run('wait');
  assert.equal(d.nodeRun(1)?.status, LHStatus.RUNNING);
  w.advanceMs(500);
  const event = d.putEvent('approval', v.str('yes'), 'g1');
  assert.equal(event.claimed, true);
  assert.equal(event.threadRunNumber, 0);
  assert.equal(event.nodeRunPosition, 1);
  const nr = d.nodeRun(1);
  assert.equal(nr?.status, LHStatus.COMPLETED);
  assert.equal(nr?.nodeType?.$case === 'externalEvent' ? nr.nodeType.value.externalEventId?.guid : undefined, 'g1');
  assert.equal(d.queuedTask()?.variables[0]?.value?.value?.value, 'yes');
});

test('an event sent before the WfRun exists is claimed when the node is reached', () => {
  const w = world();
  const d = new WfRunDriver(w, 'w');
  const early = d.putEvent('approval', v.str('early'), 'g0');
  assert.equal(early.claimed, false);
  w.advanceMs(10);
  d.putEvent('approval', v.str('later'), 'g1');
  d.run('wait');
  assert.equal(d.nodeRun(1)?.status, LHStatus.COMPLETED);
  // The oldest unclaimed event wins.
  assert.equal(d.queuedTask()?.variables[0]?.value?.value?.value, 'early');
});

test('an event pinned to another NodeRun position is not claimed', () => {
  const w = world();
  const d = new WfRunDriver(w, 'w');
  d.run('wait');
  const pinned = d.putEvent('approval', v.str('x'), 'g1', { nodeRunPosition: 7 });
  assert.equal(pinned.claimed, false);
  assert.equal(d.nodeRun(1)?.status, LHStatus.RUNNING);
});

test('PutExternalEvent: duplicate guid, unknown def and wrong content type are refused', () => {
  const w = world();
  const d = new WfRunDriver(w, 'w');
  d.putEvent('approval', v.str('a'), 'dup');
  const codeOf = (fn: () => unknown): number | undefined => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ApiError) return e.code;
      throw e;
    }
    return undefined;
  };
  assert.equal(codeOf(() => d.putEvent('approval', v.str('a'), 'dup')), Code.ALREADY_EXISTS);
  assert.equal(codeOf(() => d.putEvent('nope', v.str('a'), 'g9')), Code.INVALID_ARGUMENT);
  installExternalEventDef(w, 'count', primitive(VariableType.INT));
  assert.equal(codeOf(() => d.putEvent('count', v.str('abc'), 'g8')), Code.INVALID_ARGUMENT);
  assert.equal(d.putEvent('count', v.int(3), 'g7').claimed, false);
});

test('an unclaimed event can be deleted; a claimed one cannot', () => {
  const w = world();
  const d = new WfRunDriver(w, 'w');
  const lone = d.putEvent('approval', v.str('a'), 'g1');
  w.exec(applyCommand, { $case: 'deleteExternalEvent', value: { id: lone.id } });
  d.run('wait');
  assert.equal(d.nodeRun(1)?.status, LHStatus.RUNNING); // the deleted event is not claimed
  const claimed = d.putEvent('approval', v.str('b'), 'g2');
  assert.throws(
    () => w.exec(applyCommand, { $case: 'deleteExternalEvent', value: { id: claimed.id } }),
    (e: unknown) => e instanceof ApiError && e.code === Code.FAILED_PRECONDITION,
  );
});

test('an EXTERNAL_EVENT node times out with a TIMEOUT error; a later event is not claimed', () => {
  const w = world(30);
  const d = new WfRunDriver(w, 'w');
  d.run('wait');
  assert.equal(d.fireTimersUntil(30_999), 0);
  assert.equal(d.fireTimersUntil(31_000), 1);
  const nr = d.nodeRun(1);
  assert.equal(nr?.status, LHStatus.ERROR);
  assert.equal(nr?.failures[0]?.failureName, 'TIMEOUT');
  assert.equal(nr?.nodeType?.$case === 'externalEvent' ? nr.nodeType.value.timedOut : false, true);
  assert.equal(d.mustWfRun().status, LHStatus.ERROR);
  assert.equal(d.putEvent('approval', v.str('late'), 'g1').claimed, false);
});

test('the timeout of an event that already arrived is ignored', () => {
  const w = world(30);
  const d = new WfRunDriver(w, 'w');
  d.run('wait');
  d.putEvent('approval', v.str('on time'), 'g1');
  assert.equal(d.fireTimersUntil(31_000), 1);
  assert.equal(d.nodeRun(1)?.status, LHStatus.COMPLETED);
  assert.equal(d.mustWfRun().status, LHStatus.RUNNING);
});
