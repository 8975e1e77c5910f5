import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, ThreadType, VariableType, WaitForThreadsRun_WaitingThreadStatus as Waiting, WfRun } from '@filly/proto';
import { applyCommand } from '../apply.ts';
import { ApiError, Code } from '../api-error.ts';
import { FakeWorld } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { a, chain, installExternalEventDef, installTaskDef, n, v, varDef } from '../testing/wf-spec-builder.ts';
import { catchAny, catchName, finishTask, installThreadedSpec, statusOf, tn } from './thread-fixtures.ts';

function world(): FakeWorld {
  const w = new FakeWorld();
  installTaskDef(w, 'work', [], 'void');
  return w;
}

const childWithTask = { nodes: chain(['0-entry', n.entrypoint()], ['1-work', n.task('work')], ['2-exit', n.exit()]) };

test('START_THREAD twice then WAIT_FOR_THREADS: children run, the parent waits for both', () => {
  const w = world();
  installThreadedSpec(w, 'two-children', {
    entrypoint: {
      nodes: chain(
        ['0-entry', n.entrypoint()],
        ['1-a', tn.startThread('child')],
        ['2-b', tn.startThread('child')],
        ['3-wait', tn.waitFor([a.nodeOutput('1-a'), a.nodeOutput('2-b')])],
        ['4-exit', n.exit()],
      ),
    },
    child: childWithTask,
  });
  const d = new WfRunDriver(w, 'wf-1');
  const started = d.run('two-children');
  assert.equal(started.threadRuns.length, 3);
  assert.deepEqual(started.threadRuns.map((t) => [t.number, t.type, t.parentThreadId]), [
    [0, ThreadType.ENTRYPOINT, undefined],
    [1, ThreadType.CHILD, 0],
    [2, ThreadType.CHILD, 0],
  ]);
  assert.deepEqual(started.threadRuns[0]?.childThreadIds, [1, 2]);
  const spawn = d.nodeRun(1);
  assert.equal(spawn?.nodeType?.$case === 'startThread' ? spawn.nodeType.value.childThreadId : -1, 1);

  finishTask(d, 2, { output: v.null() });
  let wait = d.nodeRun(3);
  assert.equal(wait?.status, LHStatus.RUNNING);
  const waited = wait?.nodeType?.$case === 'waitForThreads' ? wait.nodeType.value.threads : [];
  assert.deepEqual(waited.map((t) => [t.threadRunNumber, t.threadStatus, t.waitingStatus]), [
    [1, LHStatus.RUNNING, Waiting.THREAD_IN_PROGRESS],
    [2, LHStatus.COMPLETED, Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED],
  ]);

  finishTask(d, 1, { output: v.null() });
  wait = d.nodeRun(3);
  assert.equal(wait?.status, LHStatus.COMPLETED);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('a child ERROR surfaces at WAIT_FOR_THREADS as CHILD_FAILURE and halts the other child', () => {
  const w = world();
  installThreadedSpec(w, 'child-fails', {
    entrypoint: {
      nodes: chain(
        ['0-entry', n.entrypoint()],
        ['1-a', tn.startThread('child')],
        ['2-b', tn.startThread('child')],
        ['3-wait', tn.waitFor([a.lit(v.int(1)), a.lit(v.int(2))])],
        ['4-exit', n.exit()],
      ),
    },
    child: childWithTask,
  });
  const d = new WfRunDriver(w, 'wf-2');
  d.run('child-fails');
  finishTask(d, 1, { failed: true });
  const wfRun = d.mustWfRun();
  assert.equal(wfRun.status, LHStatus.ERROR);
  assert.equal(statusOf(wfRun, 1), LHStatus.ERROR);
  // Thread 2's task is still queued: it cannot stop until the task ends.
  assert.equal(statusOf(wfRun, 2), LHStatus.HALTING);
  const wait = d.nodeRun(3);
  assert.equal(wait?.status, LHStatus.ERROR);
  assert.equal(wait?.failures[0]?.failureName, 'CHILD_FAILURE');
  assert.match(wait?.failures[0]?.message ?? '', /^Child thread 1 failed with TASK_FAILURE: /);
  const waited = wait?.nodeType?.$case === 'waitForThreads' ? wait.nodeType.value.threads : [];
  assert.deepEqual(waited.map((t) => [t.threadStatus, t.waitingStatus]), [
    [LHStatus.ERROR, Waiting.THREAD_UNSUCCESSFUL],
    [LHStatus.HALTING, Waiting.THREAD_IN_PROGRESS],
  ]);
  finishTask(d, 2, { output: v.null() });
  assert.equal(statusOf(d.mustWfRun(), 2), LHStatus.HALTED);
  assert.equal(d.nodeRun(1, 2)?.status, LHStatus.HALTED);
  const after = d.nodeRun(3);
  assert.equal(after?.nodeType?.$case === 'waitForThreads' ? after.nodeType.value.threads[1]?.threadStatus : -1, LHStatus.HALTED);
});

test('a child EXCEPTION is passed on by name; a node failure handler catches it and the WfRun completes', () => {
  const w = world();
  installThreadedSpec(w, 'caught', {
    entrypoint: {
      nodes: chain(
        ['0-entry', n.entrypoint()],
        ['1-a', tn.startThread('thrower')],
        ['2-wait', { ...tn.waitFor([a.lit(v.int(1))]), failureHandlers: [catchName('handler', 'denied')] }],
        ['3-after', n.task('work')],
        ['4-exit', n.exit()],
      ),
    },
    thrower: { nodes: chain(['0-entry', n.entrypoint()], ['1-fail', n.exitFailing('denied', 'no way')]) },
    handler: { nodes: chain(['0-entry', n.entrypoint()], ['1-work', n.task('work')], ['2-exit', n.exit()]) },
  });
  const d = new WfRunDriver(w, 'wf-3');
  const started = d.run('caught');
  assert.equal(started.status, LHStatus.RUNNING, 'handling a failure does not show as a halt');
  const handlerThread = started.threadRuns.find((t) => t.type === ThreadType.FAILURE_HANDLER);
  assert.equal(handlerThread?.number, 2);
  assert.deepEqual(handlerThread?.failureBeingHandled, { threadRunNumber: 0, nodeRunPosition: 2, failureNumber: 0 });
  assert.equal(statusOf(started, 0), LHStatus.HALTED);
  assert.equal(started.threadRuns[0]?.haltReasons[0]?.reason?.$case, 'handlingFailure');

  finishTask(d, 2, { output: v.null() });
  const failed = d.nodeRun(2);
  assert.equal(failed?.status, LHStatus.EXCEPTION);
  assert.deepEqual(failed?.failureHandlerIds, [2]);
  assert.equal(failed?.failures[0]?.failureName, 'denied');
  assert.equal(failed?.failures[0]?.wasProperlyHandled, true);
  assert.equal(failed?.failures[0]?.failureHandlerThreadrunId, 2);
  assert.equal(d.nodeRun(3)?.nodeName, '3-after', 'the failed node is left by its edges');
  finishTask(d, 0, { output: v.null() });
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  assert.deepEqual(d.mustWfRun().threadRuns[0]?.handledFailedChildren, [1]);
});

test('a TASK exception reaches the handler as INPUT; an uncaught one ends the WfRun in EXCEPTION', () => {
  const w = world();
  installTaskDef(w, 'note', [['what', VariableType.STR]], 'void');
  installThreadedSpec(w, 'handled-task', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-work', { ...n.task('work'), failureHandlers: [catchAny('handler')] }], ['2-exit', n.exit()]),
    },
    handler: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-note', n.task('note', [a.variable('INPUT')])], ['2-exit', n.exit()]),
      variableDefs: [varDef('INPUT', VariableType.STR)],
    },
  });
  const d = new WfRunDriver(w, 'wf-4');
  d.run('handled-task');
  finishTask(d, 0, { exception: 'out-of-stock', content: v.str('sku-7') });
  assert.equal(d.variable('INPUT', 1)?.value?.value?.value, 'sku-7');
  finishTask(d, 1, { output: v.null() });
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);

  installThreadedSpec(w, 'uncaught', {
    entrypoint: { nodes: chain(['0-entry', n.entrypoint()], ['1-fail', n.exitFailing('bad-input', 'rejected')]) },
  });
  const e = new WfRunDriver(w, 'wf-5');
  const run = e.run('uncaught');
  assert.equal(run.status, LHStatus.EXCEPTION);
  assert.equal(run.threadRuns[0]?.errorMessage, 'rejected');
});

test('a failure handler that fails fails the thread it was handling', () => {
  const w = world();
  installThreadedSpec(w, 'handler-fails', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-work', { ...n.task('work'), failureHandlers: [catchAny('handler')] }], ['2-exit', n.exit()]),
    },
    handler: { nodes: chain(['0-entry', n.entrypoint()], ['1-fail', n.exitFailing('handler-broke', 'oops')]) },
  });
  const d = new WfRunDriver(w, 'wf-6');
  d.run('handler-fails');
  finishTask(d, 0, { failed: true });
  const wfRun = d.mustWfRun();
  assert.equal(statusOf(wfRun, 1), LHStatus.EXCEPTION);
  assert.equal(wfRun.status, LHStatus.EXCEPTION);
  assert.equal(wfRun.threadRuns[0]?.errorMessage, 'oops');
});

test('an interrupt halts the thread, runs the handler with the event as INPUT, then resumes', () => {
  const w = world();
  installExternalEventDef(w, 'poke');
  installTaskDef(w, 'note', [['what', VariableType.STR]], 'void');
  installThreadedSpec(w, 'interruptible', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-work', n.task('work')], ['2-exit', n.exit()]),
      interruptDefs: [{ externalEventDefId: { name: 'poke' }, handlerSpecName: 'on-poke' }],
    },
    'on-poke': {
      nodes: chain(['0-entry', n.entrypoint()], ['1-note', n.task('note', [a.variable('INPUT')])], ['2-exit', n.exit()]),
      variableDefs: [varDef('INPUT', VariableType.STR)],
    },
  });
  const d = new WfRunDriver(w, 'wf-7');
  d.run('interruptible');
  const event = d.putEvent('poke', v.str('hello'), 'g-1');
  assert.equal(event.claimed, true);
  let wfRun = d.mustWfRun();
  assert.equal(wfRun.status, LHStatus.RUNNING);
  // The thread's task is queued, so the thread is HALTING and the handler waits for it.
  assert.equal(statusOf(wfRun, 0), LHStatus.HALTING);
  assert.equal(wfRun.pendingInterrupts.length, 1);
  assert.equal(wfRun.threadRuns.length, 1);
  assert.deepEqual(wfRun.threadRuns[0]?.haltReasons.map((r) => r.reason?.$case), ['pendingInterrupt']);

  finishTask(d, 0, { output: v.null() });
  wfRun = d.mustWfRun();
  assert.equal(wfRun.status, LHStatus.RUNNING);
  assert.equal(statusOf(wfRun, 0), LHStatus.HALTED);
  assert.equal(wfRun.threadRuns[1]?.type, ThreadType.INTERRUPT);
  assert.equal(wfRun.threadRuns[1]?.interruptTriggerId?.guid, 'g-1');
  assert.deepEqual(wfRun.threadRuns[0]?.haltReasons.map((r) => r.reason?.$case), ['interrupted']);
  assert.equal(wfRun.pendingInterrupts.length, 0);
  assert.equal(d.variable('INPUT', 1)?.value?.value?.value, 'hello');
  assert.equal(d.nodeRun(2)?.status, undefined, 'the interrupted thread stays on its node');

  finishTask(d, 1, { output: v.null() });
  wfRun = d.mustWfRun();
  assert.equal(statusOf(wfRun, 1), LHStatus.COMPLETED);
  assert.equal(wfRun.status, LHStatus.COMPLETED, 'resumed, the thread follows its finished task to the exit');
});

test('an interrupt handler that fails fails the interrupted thread', () => {
  const w = world();
  installExternalEventDef(w, 'poke');
  installExternalEventDef(w, 'go');
  installThreadedSpec(w, 'bad-interrupt', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-wait', n.externalEvent('go')], ['2-exit', n.exit()]),
      interruptDefs: [{ externalEventDefId: { name: 'poke' }, handlerSpecName: 'on-poke' }],
    },
    'on-poke': { nodes: chain(['0-entry', n.entrypoint()], ['1-fail', n.exitFailing('poke-refused', 'nope')]) },
  });
  const d = new WfRunDriver(w, 'wf-7b');
  d.run('bad-interrupt');
  d.putEvent('poke', v.null(), 'g-2');
  const wfRun = d.mustWfRun();
  assert.equal(statusOf(wfRun, 1), LHStatus.EXCEPTION);
  assert.equal(wfRun.status, LHStatus.EXCEPTION);
  const failure = d.nodeRun(1)?.failures[0];
  assert.equal(failure?.failureName, 'poke-refused');
  assert.equal(failure?.message, 'Interrupt thread with id 1 failed!');
});

test('START_MULTIPLE_THREADS starts one child per element, each with its element as INPUT', () => {
  const w = world();
  installTaskDef(w, 'num', [['n', VariableType.INT]], 'void');
  installThreadedSpec(w, 'fan-out', {
    entrypoint: {
      nodes: chain(
        ['0-entry', n.entrypoint()],
        ['1-spawn', { ...tn.startMultiple('each', a.variable('items')), outgoingEdges: [{ sinkNodeName: '2-wait', variableMutations: [{ lhsName: 'ids', operation: 0, rhsValue: { $case: 'nodeOutput', value: {} } }] }] }],
        ['2-wait', tn.waitForList(a.variable('ids'))],
        ['3-exit', n.exit()],
      ),
      variableDefs: [varDef('items', VariableType.JSON_ARR), varDef('ids', VariableType.JSON_ARR)],
    },
    each: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-num', n.task('num', [a.variable('INPUT')])], ['2-exit', n.exit()]),
      variableDefs: [varDef('INPUT', VariableType.INT)],
    },
  });
  const d = new WfRunDriver(w, 'wf-8');
  const run = d.run('fan-out', { items: { value: { $case: 'jsonArr', value: '[10,20,30]' } } });
  assert.equal(run.threadRuns.length, 4);
  assert.equal(d.variable('ids')?.value?.value?.value, '[1,2,3]');
  assert.deepEqual([1, 2, 3].map((t) => d.variable('INPUT', t)?.value?.value?.value), [10n, 20n, 30n]);
  for (const t of [3, 1, 2]) finishTask(d, t, { output: v.null() });
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('the thread limit fails the NodeRun with INTERNAL_ERROR naming the setting', () => {
  const w = new FakeWorld({ limits: { maxThreadRunsPerWfRun: 3 } });
  installTaskDef(w, 'work', [], 'void');
  installThreadedSpec(w, 'too-many', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-spawn', tn.startMultiple('each', a.variable('items'))], ['2-exit', n.exit()]),
      variableDefs: [varDef('items', VariableType.JSON_ARR)],
    },
    each: childWithTask,
  });
  const d = new WfRunDriver(w, 'wf-9');
  const run = d.run('too-many', { items: { value: { $case: 'jsonArr', value: '[1,2,3]' } } });
  assert.equal(run.status, LHStatus.ERROR);
  assert.equal(run.threadRuns.length, 1, 'no child is started when the batch does not fit');
  const failure = d.nodeRun(1)?.failures[0];
  assert.equal(failure?.failureName, 'INTERNAL_ERROR');
  assert.match(failure?.message ?? '', /would have 4 ThreadRuns.*maximum number of ThreadRuns per WfRun: 3.*LHS_X_MAX_THREAD_RUNS_PER_WF_RUN/);
});

test('WAIT_FOR_CONDITION waits until another thread makes its condition true', () => {
  const w = world();
  installThreadedSpec(w, 'condition', {
    entrypoint: {
      nodes: chain(
        ['0-entry', n.entrypoint()],
        ['1-a', tn.startThread('setter')],
        ['2-until', tn.waitForCondition(a.variable('done'))],
        ['3-exit', n.exit()],
      ),
      variableDefs: [varDef('done', VariableType.BOOL, { defaultValue: v.bool(false) })],
    },
    setter: {
      nodes: chain(
        ['0-entry', n.entrypoint()],
        ['1-work', { ...n.task('work'), outgoingEdges: [{ sinkNodeName: '2-exit', variableMutations: [{ lhsName: 'done', operation: 0, rhsValue: { $case: 'literalValue', value: v.bool(true) } }] }] }],
        ['2-exit', n.exit()],
      ),
    },
  });
  const d = new WfRunDriver(w, 'wf-10');
  d.run('condition');
  assert.equal(d.nodeRun(2)?.status, LHStatus.RUNNING);
  assert.equal(d.nodeRun(2)?.nodeType?.$case, 'waitForCondition');
  finishTask(d, 1, { output: v.null() });
  assert.equal(d.nodeRun(2)?.status, LHStatus.COMPLETED);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('rescuing a failed child also rescues the parent that failed waiting for it', () => {
  const w = world();
  installThreadedSpec(w, 'rescue-child', {
    entrypoint: {
      nodes: chain(['0-entry', n.entrypoint()], ['1-a', tn.startThread('child')], ['2-wait', tn.waitFor([a.lit(v.int(1))])], ['3-exit', n.exit()]),
    },
    child: childWithTask,
  });
  const d = new WfRunDriver(w, 'wf-11');
  d.run('rescue-child');
  finishTask(d, 1, { failed: true });
  assert.equal(d.mustWfRun().status, LHStatus.ERROR);
  assert.throws(
    () => w.exec(applyCommand, { $case: 'rescueThreadRun', value: { wfRunId: d.wfRunId, threadRunNumber: 5, skipCurrentNode: false } }),
    (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT,
  );
  const bytes = w.exec(applyCommand, { $case: 'rescueThreadRun', value: { wfRunId: d.wfRunId, threadRunNumber: 1, skipCurrentNode: false } });
  assert.ok(bytes !== undefined);
  const rescued = WfRun.decode(bytes);
  assert.equal(rescued.status, LHStatus.RUNNING);
  assert.equal(rescued.endTime, undefined);
  assert.deepEqual(rescued.threadRuns.map((t) => [t.status, t.currentNodePosition]), [[LHStatus.RUNNING, 3], [LHStatus.RUNNING, 2]]);
  assert.equal(d.nodeRun(2)?.status, LHStatus.ERROR, 'the failed WAIT_FOR_THREADS stays as history');
  assert.equal(d.nodeRun(3)?.nodeType?.$case, 'waitForThreads');
  finishTask(d, 1, { output: v.null() });
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  assert.throws(
    () => w.exec(applyCommand, { $case: 'rescueThreadRun', value: { wfRunId: d.wfRunId, threadRunNumber: 0, skipCurrentNode: true } }),
    (e: unknown) => e instanceof ApiError && e.code === Code.FAILED_PRECONDITION && /has status COMPLETED, not ERROR/.test(e.message),
  );
});

test('a failure a parent handled cannot be rescued in the child', () => {
  const w = world();
  installThreadedSpec(w, 'handled-child', {
    entrypoint: {
      nodes: chain(
        ['0-entry', n.entrypoint()],
        ['1-a', tn.startThread('child')],
        ['2-wait', { ...tn.waitFor([a.lit(v.int(1))]), failureHandlers: [catchAny('noop')] }],
        ['3-exit', n.exit()],
      ),
    },
    child: childWithTask,
    noop: { nodes: chain(['0-entry', n.entrypoint()], ['1-exit', n.exit()]) },
  });
  const d = new WfRunDriver(w, 'wf-12');
  d.run('handled-child');
  finishTask(d, 1, { failed: true });
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  assert.deepEqual(d.mustWfRun().threadRuns[0]?.handledFailedChildren, [1]);
  assert.throws(
    () => w.exec(applyCommand, { $case: 'rescueThreadRun', value: { wfRunId: d.wfRunId, threadRunNumber: 1, skipCurrentNode: false } }),
    (e: unknown) => e instanceof ApiError && e.code === Code.FAILED_PRECONDITION && /already handled/.test(e.message),
  );
});
