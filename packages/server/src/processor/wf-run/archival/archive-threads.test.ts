import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, ThreadType, VariableType, type WfSpec } from '@filly/proto';
import { FakeWorld } from '../../testing/fake-context.ts';
import { WfRunDriver } from '../../testing/wf-run-driver.ts';
import { a, chain, installExternalEventDef, installTaskDef, n, v, varDef } from '../../testing/wf-spec-builder.ts';
import { catchAny, finishTask, installThreadedSpec, taskOfThread, tn, type ThreadDef } from '../thread-fixtures.ts';
import { applyCommand } from '../../apply.ts';
import { Records } from '../../records.ts';
import * as keys from '../../../store/keys.ts';
import type { Limits } from '../../../config/limits.ts';

function world(limits: Partial<Limits> = {}): FakeWorld {
  const w = new FakeWorld({ limits });
  installTaskDef(w, 'work', [], 'void');
  installExternalEventDef(w, 'go');
  return w;
}

function archived(d: WfRunDriver, number: number) {
  const key = keys.inactiveThreadRunKey(d.world.partition, d.world.tenant, d.wfRunId, number);
  return d.world.get(Records.inactiveThreadRun, key)?.threadRun;
}

function held(d: WfRunDriver): number[] {
  return d.mustWfRun().threadRuns.map((t) => t.number);
}

/** Installs a spec, then gives `threadName` a ThreadRetentionPolicy. */
function withRetention(w: FakeWorld, name: string, threads: Record<string, ThreadDef>, threadName: string, seconds: number): WfSpec {
  const spec = installThreadedSpec(w, name, threads);
  const thread = spec.threadSpecs[threadName];
  if (thread === undefined || spec.id === undefined) throw new Error('no such thread');
  thread.retentionPolicy = { threadGcPolicy: { $case: 'secondsAfterThreadTermination', value: BigInt(seconds) } };
  w.put(Records.wfSpec, keys.wfSpecKey(w.tenant, spec.id), spec);
  return spec;
}

const quickChild: ThreadDef = { nodes: chain(['0-entry', n.entrypoint()], ['1-exit', n.exit()]) };
const workingChild: ThreadDef = { nodes: chain(['0-entry', n.entrypoint()], ['1-work', n.task('work')], ['2-exit', n.exit()]) };

test('past the completed-thread limit, finished children leave the WfRun and WAIT_FOR_THREADS still sees them', () => {
  const w = world({ maxCompletedThreadRunsPerWfRun: 1 });
  installThreadedSpec(w, 'fan', {
    entrypoint: {
      nodes: chain(
        ['0-entry', n.entrypoint()],
        ['1-a', tn.startThread('child')],
        ['2-b', tn.startThread('child')],
        ['3-c', tn.startThread('child')],
        ['4-work', n.task('work')],
        ['5-wait', tn.waitFor([a.nodeOutput('1-a'), a.nodeOutput('2-b'), a.nodeOutput('3-c')])],
        ['6-exit', n.exit()],
      ),
    },
    child: quickChild,
  });
  const d = new WfRunDriver(w, 'fan-1');
  d.run('fan');
  const wfRun = d.mustWfRun();
  // Two COMPLETED children exceed the limit of 1: both go; the third stays (alone, it is within).
  assert.deepEqual(held(d), [0, 3]);
  assert.equal(archived(d, 3), undefined);
  assert.equal(wfRun.greatestThreadrunNumber, 3, 'numbering keeps counting');
  assert.deepEqual(wfRun.threadRuns[0]?.childThreadIds, [1, 2, 3]);
  for (const number of [1, 2]) {
    const thread = archived(d, number);
    assert.equal(thread?.status, LHStatus.COMPLETED);
    assert.equal(thread?.parentThreadId, 0);
    assert.equal(thread?.type, ThreadType.CHILD);
  }
  // The wait happens in a later command, against archived threads and a held one.
  finishTask(d, 0, { output: v.null() });
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  assert.equal(d.nodeRun(5)?.status, LHStatus.COMPLETED);
  assert.equal(archived(d, 0), undefined, 'the entrypoint thread is never archived');
});

test('under the limit nothing is archived; ERROR threads are never archived', () => {
  const w = world({ maxCompletedThreadRunsPerWfRun: 0 });
  installThreadedSpec(w, 'failing-child', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-a', tn.startThread('child')], ['2-wait', tn.waitFor([a.nodeOutput('1-a')])], ['3-exit', n.exit()]),
    },
    child: workingChild,
  });
  const d = new WfRunDriver(w, 'err-1');
  d.run('failing-child');
  finishTask(d, 1, { failed: true });
  assert.equal(d.mustWfRun().status, LHStatus.ERROR);
  assert.deepEqual(held(d), [0, 1]);
  assert.equal(archived(d, 1), undefined);

  const relaxed = world();
  installThreadedSpec(relaxed, 'fan', { entrypoint: { nodes: chain(['0-entry', n.entrypoint()], ['1-a', tn.startThread('child')], ['2-work', n.task('work')], ['3-exit', n.exit()]) }, child: quickChild });
  const e = new WfRunDriver(relaxed, 'keep-1');
  e.run('fan');
  assert.deepEqual(held(e), [0, 1], 'default limits keep a finished child inline');
});

test('a ThreadRetentionPolicy archives the thread when its time passes, by timer', () => {
  const w = world();
  withRetention(w, 'retained', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-a', tn.startThread('child')], ['2-go', n.externalEvent('go')], ['3-wait', tn.waitFor([a.nodeOutput('1-a')])], ['4-exit', n.exit()]),
    },
    child: workingChild,
  }, 'child', 60);
  const d = new WfRunDriver(w, 'ret-1');
  d.run('retained');
  finishTask(d, 1, { output: v.null() });
  assert.deepEqual(held(d), [0, 1], 'kept until 60 s after it ended');
  const endMs = w.nowMs;
  d.fireTimersUntil(endMs + 59_000);
  assert.deepEqual(held(d), [0, 1]);
  w.advanceMs(60_000);
  d.fireTimersUntil(endMs + 60_000);
  assert.deepEqual(held(d), [0]);
  assert.equal(archived(d, 1)?.status, LHStatus.COMPLETED);
  d.putEvent('go', v.null(), 'g-1');
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED, 'WAIT_FOR_THREADS finds the archived child');
});

test('a zero-second policy archives at once; deleting the WfRun deletes archived threads', () => {
  const w = world();
  withRetention(w, 'instant', {
    entrypoint: { nodes: chain(['0-entry', n.entrypoint()], ['1-a', tn.startThread('child')], ['2-go', n.externalEvent('go')], ['3-exit', n.exit()]) },
    child: quickChild,
  }, 'child', 0);
  const d = new WfRunDriver(w, 'zero-1');
  d.run('instant');
  assert.deepEqual(held(d), [0]);
  assert.ok(archived(d, 1));
  d.delete();
  assert.equal(archived(d, 1), undefined);
  assert.deepEqual(w.keysWithPrefix(keys.wfRunGroupPrefix(w.partition, w.tenant, d.wfRunId)), []);
});

test('an archived interrupt handler still resumes the thread it interrupted', () => {
  const w = world({ maxCompletedThreadRunsPerWfRun: 0 });
  installExternalEventDef(w, 'poke');
  installThreadedSpec(w, 'interruptible', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-go', n.externalEvent('go')], ['2-exit', n.exit()]),
      interruptDefs: [{ externalEventDefId: { name: 'poke' }, handlerSpecName: 'on-poke' }],
    },
    'on-poke': { nodes: chain(['0-entry', n.entrypoint()], ['1-work', n.task('work')], ['2-exit', n.exit()]) },
  });
  const d = new WfRunDriver(w, 'int-1');
  d.run('interruptible');
  d.putEvent('poke', v.null(), 'p-1');
  assert.deepEqual(held(d), [0, 1]);
  finishTask(d, 1, { output: v.null() });
  assert.deepEqual(held(d), [0], 'the finished handler is archived');
  assert.equal(archived(d, 1)?.type, ThreadType.INTERRUPT);
  assert.equal(d.mustWfRun().threadRuns[0]?.status, LHStatus.RUNNING, 'the interrupted thread runs again');
  d.putEvent('go', v.null(), 'g-1');
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('an archived failure handler lets the failed thread move on; a child reads its archived parent\'s variables', () => {
  const w = world({ maxCompletedThreadRunsPerWfRun: 0 });
  installTaskDef(w, 'note', [['what', VariableType.STR]], 'void');
  installThreadedSpec(w, 'handled', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-work', { ...n.task('work'), failureHandlers: [catchAny('handler')] }], ['2-go', n.externalEvent('go')], ['3-exit', n.exit()]),
      variableDefs: [varDef('greeting', VariableType.STR, { defaultValue: v.str('hi') })],
    },
    handler: { nodes: chain(['0-entry', n.entrypoint()], ['1-exit', n.exit()]) },
  });
  const d = new WfRunDriver(w, 'fh-1');
  d.run('handled');
  finishTask(d, 0, { failed: true });
  assert.deepEqual(held(d), [0], 'the handler completed and was archived in the same command');
  assert.equal(archived(d, 1)?.type, ThreadType.FAILURE_HANDLER);
  assert.equal(d.nodeRun(2)?.nodeName, '2-go', 'the entrypoint left the handled node');
  d.putEvent('go', v.null(), 'g-1');
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);

  // Grandchild 2 of child 1: child 1 completes (and is archived) while its own child is halted
  // by a manual stop; once resumed, the grandchild reads the variable of its archived parent.
  installExternalEventDef(w, 'go2');
  installThreadedSpec(w, 'nested', {
    entrypoint: { nodes: chain(['0-entry', n.entrypoint()], ['1-a', tn.startThread('middle')], ['2-go', n.externalEvent('go')], ['3-exit', n.exit()]) },
    middle: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-b', tn.startThread('leaf')], ['2-exit', n.exit()]),
      variableDefs: [varDef('what', VariableType.STR, { defaultValue: v.str('from-middle') })],
    },
    leaf: { nodes: chain(['0-entry', n.entrypoint()], ['1-go2', n.externalEvent('go2')], ['2-note', n.task('note', [a.variable('what')])], ['3-exit', n.exit()]) },
  });
  const e = new WfRunDriver(w, 'nest-1');
  e.run('nested');
  assert.deepEqual(held(e), [0, 1, 2]);
  w.exec(applyCommand, { $case: 'stopWfRun', value: { wfRunId: e.wfRunId, threadRunNumber: 2 } });
  assert.deepEqual(held(e), [0, 2], 'the middle thread completed around its halted child and was archived');
  w.exec(applyCommand, { $case: 'resumeWfRun', value: { wfRunId: e.wfRunId, threadRunNumber: 2 } });
  e.putEvent('go2', v.null(), 'g2-1', { threadRunNumber: 2 });
  const task = taskOfThread(w, 2);
  assert.equal(task.variables[0]?.value?.value?.value, 'from-middle');
});
