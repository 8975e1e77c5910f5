import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHStatus, TaskStatus, UserTaskRunStatus, VariableMutationType, VariableType, type Node, type UserTaskNode, type VariableValue } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { applyCommand as applyAll } from '../apply.ts';
import { FakeWorld, type CommandBody } from '../testing/fake-context.ts';
import { WfRunDriver } from '../testing/wf-run-driver.ts';
import { a, chain, edge, installTaskDef, installWfSpec, n, v, varDef } from '../testing/wf-spec-builder.ts';
import { cancelAfter, exec, field, putDef, readUtr, reassignAfter, reminderAfter, userTaskNode, utrId } from '../user-tasks/user-task-testing.ts';

const ID = utrId('w');

function world(ut: Partial<UserTaskNode>): FakeWorld {
  const w = new FakeWorld({ nowMs: 10_000 });
  putDef(w, 'form', [field('name', VariableType.STR, true), field('age', VariableType.INT)]);
  installTaskDef(w, 'remind');
  const nodes: Record<string, Partial<Node>> = {
    ...chain(['entry', n.entrypoint()], ['ut', userTaskNode('form', ut)]),
    exit: n.exit(),
  };
  const utNode = nodes['ut'];
  assert.ok(utNode);
  utNode.outgoingEdges = [
    edge('exit', { mutations: [{ lhsName: 'form', operation: VariableMutationType.ASSIGN, rhsValue: { $case: 'rhsAssignment', value: a.nodeOutput('ut') } }] }),
  ];
  installWfSpec(w, 'approve', nodes, [varDef('form', VariableType.JSON_OBJ), varDef('who', VariableType.STR)]);
  return w;
}

function started(ut: Partial<UserTaskNode>, vars: Record<string, VariableValue> = {}): { w: FakeWorld; d: WfRunDriver } {
  const w = world(ut);
  const d = new WfRunDriver(w, 'w');
  d.run('approve', vars);
  return { w, d };
}

function codeOf(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, message: err.message };
    throw err;
  }
  assert.fail('expected an ApiError');
}

const complete = (results: Record<string, VariableValue>, userId = 'alice'): CommandBody => ({
  $case: 'completeUserTaskRun',
  value: { userTaskRunId: ID, results, userId },
});
const lit = (s: string) => a.lit(v.str(s));

test('arriving creates an ASSIGNED UserTaskRun; completing it ends the node with the results as a JSON_OBJ', () => {
  const { w, d } = started({ userId: lit('alice'), userGroup: lit('ops'), notes: a.format('please review {0}', lit('it')) });
  const nr = d.nodeRun(1);
  assert.equal(nr?.status, LHStatus.RUNNING);
  const runId = nr?.nodeType?.$case === 'userTask' ? nr.nodeType.value.userTaskRunId : undefined;
  assert.equal(runId?.userTaskGuid, '0-1');
  assert.equal(runId?.wfRunId?.id, 'w');
  const utr = readUtr(w, ID);
  assert.equal(utr?.status, UserTaskRunStatus.ASSIGNED);
  assert.equal(utr?.userId, 'alice');
  assert.equal(utr?.userGroup, 'ops');
  assert.equal(utr?.notes, 'please review it');
  assert.deepEqual(utr?.userTaskDefId, { name: 'form', version: 0 });
  assert.equal(utr?.events[0]?.event?.$case, 'assigned');

  w.advanceMs(5);
  exec(w, complete({ name: v.str('Al'), age: v.int(30) }));
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
  assert.equal(readUtr(w, ID)?.status, UserTaskRunStatus.DONE);
  const form = d.variable('form')?.value?.value;
  assert.equal(form?.$case, 'jsonObj');
  assert.deepEqual(JSON.parse(form?.$case === 'jsonObj' ? form.value : '{}'), { age: 30, name: 'Al' });
  // Completing a DONE run again is accepted and changes nothing.
  exec(w, complete({ name: v.str('again') }));
  assert.equal(readUtr(w, ID)?.status, UserTaskRunStatus.DONE);
  assert.deepEqual(readUtr(w, ID)?.results['name'], v.str('Al'));
});

test('completion checks the results against the UserTaskDef and records who completed it', () => {
  const { w, d } = started({ userGroup: lit('ops') });
  assert.equal(readUtr(w, ID)?.status, UserTaskRunStatus.UNASSIGNED);
  const wrongType = codeOf(() => exec(w, complete({ name: v.str('x'), age: v.str('old') })));
  assert.equal(wrongType.code, Code.INVALID_ARGUMENT);
  assert.equal(wrongType.message, 'Field [name = age, type = STR] is not defined in UserTask schema or has different type');
  assert.match(codeOf(() => exec(w, complete({ nickname: v.str('x') }))).message, /name = nickname/);
  assert.equal(codeOf(() => exec(w, complete({ age: v.int(3) }))).message, '[name] are mandatory fields');
  assert.equal(codeOf(() => exec(w, complete({ name: v.str('x') }, ''))).code, Code.INVALID_ARGUMENT);
  assert.equal(d.mustWfRun().status, LHStatus.RUNNING);
  exec(w, complete({ name: v.str('x') }, 'bob'));
  const utr = readUtr(w, ID);
  assert.equal(utr?.userId, 'bob');
  assert.deepEqual(utr?.events.map((e) => e.event?.$case), ['assigned', 'assigned', 'completed']);
  assert.equal(d.mustWfRun().status, LHStatus.COMPLETED);
});

test('cancelling fails the node with USER_TASK_CANCELLED, or with the node’s exception name', () => {
  const plain = started({ userId: lit('alice') });
  exec(plain.w, { $case: 'cancelUserTaskRun', value: { userTaskRunId: ID } });
  assert.equal(plain.d.mustWfRun().status, LHStatus.ERROR);
  assert.equal(plain.d.nodeRun(1)?.failures[0]?.failureName, 'USER_TASK_CANCELLED');
  assert.equal(readUtr(plain.w, ID)?.status, UserTaskRunStatus.CANCELLED);
  exec(plain.w, { $case: 'cancelUserTaskRun', value: { userTaskRunId: ID } });
  assert.equal(readUtr(plain.w, ID)?.status, UserTaskRunStatus.CANCELLED, 'a second cancel changes nothing');

  const named = started({ userId: lit('alice'), onCancellationExceptionName: lit('no-response') });
  exec(named.w, { $case: 'cancelUserTaskRun', value: { userTaskRunId: ID } });
  assert.equal(named.d.mustWfRun().status, LHStatus.EXCEPTION);
  assert.equal(named.d.nodeRun(1)?.failures[0]?.failureName, 'no-response');
});

test('assignment: claims are kept unless overridden, and a missing run is NOT_FOUND', () => {
  const { w } = started({ userGroup: lit('ops') });
  const assign = (userId: string | undefined, overrideClaim = false, userGroup?: string): CommandBody => ({
    $case: 'assignUserTaskRun',
    value: { userTaskRunId: ID, overrideClaim, userId, userGroup },
  });
  assert.equal(codeOf(() => exec(w, assign(undefined))).code, Code.INVALID_ARGUMENT);
  exec(w, assign('carol'));
  assert.equal(readUtr(w, ID)?.status, UserTaskRunStatus.ASSIGNED);
  assert.equal(readUtr(w, ID)?.userGroup, undefined);
  const taken = codeOf(() => exec(w, assign('dave')));
  assert.equal(taken.code, Code.FAILED_PRECONDITION);
  assert.match(taken.message, /already assigned to carol/);
  exec(w, assign(undefined, true, 'ops'));
  const utr = readUtr(w, ID);
  assert.equal(utr?.status, UserTaskRunStatus.UNASSIGNED);
  assert.equal(utr?.epoch, 3);
  const missing = { $case: 'assignUserTaskRun' as const, value: { userTaskRunId: utrId('w', '0-9'), overrideClaim: true, userId: 'x', userGroup: undefined } };
  assert.equal(codeOf(() => exec(w, missing)).code, Code.NOT_FOUND);
});

test('a REASSIGN action moves an untouched run to the group when its delay passes', () => {
  const { w } = started({ userId: lit('alice'), userGroup: lit('ops'), actions: [reassignAfter(1, { userGroup: 'ops' })] });
  w.fireTimersUntil(applyAll, 10_999);
  assert.equal(readUtr(w, ID)?.status, UserTaskRunStatus.ASSIGNED);
  w.fireTimersUntil(applyAll, 11_000);
  const utr = readUtr(w, ID);
  assert.equal(utr?.status, UserTaskRunStatus.UNASSIGNED);
  assert.equal(utr?.userId, undefined);
  assert.equal(utr?.userGroup, 'ops');
});

test('a REASSIGN action is dropped when the run was reassigned before it came due', () => {
  const { w } = started({ userId: lit('alice'), actions: [reassignAfter(1, { userId: 'zed' })] });
  exec(w, { $case: 'assignUserTaskRun', value: { userTaskRunId: ID, overrideClaim: true, userId: 'bob', userGroup: undefined } });
  w.fireTimersUntil(applyAll, 20_000);
  assert.equal(readUtr(w, ID)?.userId, 'bob');
});

test('a reminder TASK action queues a TaskRun that carries the assignee and is logged on the run', () => {
  const { w, d } = started({ userId: lit('alice'), actions: [reminderAfter(0, 'remind')] });
  assert.equal(d.queuedTask(), undefined);
  w.fireTimersUntil(applyAll, 10_000);
  const task = d.queuedTask();
  assert.ok(task);
  assert.equal(task.taskRunId?.taskGuid, 'ut-0-1-1');
  const src = task.source?.taskRunSource;
  assert.equal(src?.$case, 'userTaskTrigger');
  assert.equal(src?.$case === 'userTaskTrigger' ? src.value.userId : undefined, 'alice');
  const events = readUtr(w, ID)?.events ?? [];
  assert.equal(events[1]?.event?.$case, 'taskExecuted');
  d.succeedNext();
  assert.equal(d.mustWfRun().status, LHStatus.RUNNING);
  assert.equal(d.taskRuns()[0]?.status, TaskStatus.TASK_SUCCESS);
});

test('ON_TASK_ASSIGNED actions arm when a new user gets the run', () => {
  const { w, d } = started({ userGroup: lit('ops'), actions: [reminderAfter(2, 'remind', 1)] });
  w.fireTimersUntil(applyAll, 30_000);
  assert.equal(d.queuedTask(), undefined);
  exec(w, { $case: 'assignUserTaskRun', value: { userTaskRunId: ID, overrideClaim: false, userId: 'erin', userGroup: undefined } });
  w.fireTimersUntil(applyAll, 40_000);
  assert.ok(d.queuedTask());
});

test('a CANCEL action fails the node when it comes due, but not after the run is done', () => {
  const late = started({ userId: lit('alice'), actions: [cancelAfter(2)] });
  late.w.fireTimersUntil(applyAll, 12_000);
  assert.equal(late.d.mustWfRun().status, LHStatus.ERROR);

  const done = started({ userId: lit('alice'), actions: [cancelAfter(2)] });
  exec(done.w, complete({ name: v.str('x') }));
  done.w.fireTimersUntil(applyAll, 12_000);
  assert.equal(done.d.mustWfRun().status, LHStatus.COMPLETED);
  assert.equal(readUtr(done.w, ID)?.status, UserTaskRunStatus.DONE);
});

test('stopping the WfRun cancels its open UserTaskRun; resuming fails the node', () => {
  const { w, d } = started({ userId: lit('alice') });
  d.stop();
  assert.equal(d.mustWfRun().status, LHStatus.HALTED);
  assert.equal(d.nodeRun(1)?.status, LHStatus.HALTED);
  assert.equal(readUtr(w, ID)?.status, UserTaskRunStatus.CANCELLED);
  d.resume();
  assert.equal(d.mustWfRun().status, LHStatus.ERROR);
  assert.equal(d.nodeRun(1)?.failures[0]?.failureName, 'USER_TASK_CANCELLED');
});

test('an assignment that computes to NULL or blank fails the node with VAR_ERROR', () => {
  const nulls = started({ userId: a.variable('who') });
  assert.equal(nulls.d.mustWfRun().status, LHStatus.ERROR);
  assert.equal(nulls.d.nodeRun(1)?.failures[0]?.failureName, 'VAR_ERROR');
  assert.equal(nulls.d.nodeRun(1)?.failures[0]?.message, 'Invalid user task assignment');
  const blank = started({ userId: a.variable('who') }, { who: v.str(' ') });
  assert.equal(blank.d.nodeRun(1)?.failures[0]?.message, "Invalid user task assignment. UserId can't be empty");
});

test('comments are numbered from 1 and can be edited and deleted once', () => {
  const { w } = started({ userId: lit('alice') });
  const c1 = exec(w, { $case: 'putUserTaskRunComment', value: { userTaskRunId: ID, userId: 'alice', comment: 'first' } });
  const last = c1?.events[c1.events.length - 1]?.event;
  assert.equal(last?.$case === 'commentAdded' ? last.value.userCommentId : undefined, 1);
  assert.equal(codeOf(() => exec(w, { $case: 'putUserTaskRunComment', value: { userTaskRunId: ID, userId: ' ', comment: 'x' } })).code, Code.INVALID_ARGUMENT);
  const edit = (id: number): CommandBody => ({ $case: 'editUserTaskRunComment', value: { userTaskRunId: ID, userCommentId: id, userId: 'alice', comment: 'better' } });
  const del = (id: number): CommandBody => ({ $case: 'deleteUserTaskRunComment', value: { userTaskRunId: ID, userCommentId: id, userId: 'alice' } });
  assert.equal(exec(w, edit(1))?.events.at(-1)?.event?.$case, 'commentEdited');
  assert.equal(codeOf(() => exec(w, edit(2))).code, Code.NOT_FOUND);
  assert.equal(codeOf(() => exec(w, edit(0))).code, Code.FAILED_PRECONDITION);
  assert.equal(exec(w, del(1))?.events.at(-1)?.event?.$case, 'commentDeleted');
  assert.equal(codeOf(() => exec(w, del(1))).code, Code.FAILED_PRECONDITION);
  assert.equal(codeOf(() => exec(w, edit(1))).code, Code.FAILED_PRECONDITION);
  const c2 = exec(w, { $case: 'putUserTaskRunComment', value: { userTaskRunId: ID, userId: 'bob', comment: 'second' } });
  const added = c2?.events.at(-1)?.event;
  assert.equal(added?.$case === 'commentAdded' ? added.value.userCommentId : undefined, 2);
});

test('saving progress respects the claim policy and keeps the assignee', () => {
  const { w } = started({ userId: lit('alice') });
  const save = (userId: string, policy: number): CommandBody => ({
    $case: 'saveUserTaskRunProgress',
    value: { userTaskRunId: ID, userId, results: { name: v.str('draft') }, policy },
  });
  const denied = codeOf(() => exec(w, save('mallory', 0)));
  assert.equal(denied.code, Code.FAILED_PRECONDITION);
  assert.match(denied.message, /another user/);
  const saved = exec(w, save('mallory', 1));
  assert.equal(saved?.userId, 'alice');
  assert.equal(saved?.results['name']?.value?.$case, 'str');
  assert.equal(saved?.events.at(-1)?.event?.$case, 'saved');
});

test('deleting the WfRun deletes its UserTaskRuns', () => {
  const { w, d } = started({ userId: lit('alice') });
  d.delete();
  assert.equal(readUtr(w, ID), undefined);
});

