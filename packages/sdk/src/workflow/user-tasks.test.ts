import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutWfSpecRequest } from '@filly/proto';
import { defineTask } from '../worker/task-definition.ts';
import type { ThreadFunc } from './compile-context.ts';
import { Workflow } from './workflow.ts';

// Expected values follow upstream's WorkflowThreadImpl / UserTaskOutputImpl: the node is
// "<n>-<UserTaskDef>-USER_TASK"; each deadline helper appends one UTActionTrigger
// (reassign / task / cancel) with hook ON_ARRIVAL or ON_TASK_ASSIGNED; reassignUserTask
// always sets user_id (a NULL literal when no user is given); reminder tasks get the
// workflow's default retries / timeout like any task node.

type Json = Record<string, unknown>;
const v = (name: string): Json => ({ variableName: name });
const lit = (value: Json): Json => ({ literalValue: value });
const str = (s: string): Json => lit({ str: s });
const int = (n: number): Json => lit({ int: String(n) });

const remind = defineTask({ name: 'remind', input: { who: 'STR' } }, () => undefined);
const take = defineTask({ name: 'take', input: { result: 'JSON_OBJ' } }, () => undefined);

function nodesOf(wf: Workflow): Record<string, Json> {
  const json = PutWfSpecRequest.toJSON(wf.compile()) as { threadSpecs: Record<string, { nodes: Record<string, Json> }> };
  return json.threadSpecs['entrypoint']?.nodes ?? {};
}

test('assignUserTask with notes, cancellation exception and every deadline action', () => {
  const wf = new Workflow('approval', (t) => {
    const user = t.declareStr('user');
    const ut = t
      .assignUserTask('approve-it', user, 'finance')
      .withNotes(t.format('please approve {0}', user))
      .withOnCancellationException('not-approved');
    t.releaseToGroupOnDeadline(ut, 60);
    t.reassignUserTask(ut, null, 'managers', 120);
    t.scheduleReminderTask(ut, 30, remind, { who: user });
    t.scheduleReminderTaskOnAssignment(ut, 45, remind, { who: 'boss' });
    t.cancelUserTaskRunAfter(ut, 3600);
    t.cancelUserTaskRunAfterAssignment(ut, 7200);
    t.execute(take, { result: ut });
  }).withDefaultTaskRetries(2);
  const compiled = wf.compileWithDependencies();
  assert.deepEqual(compiled.taskDefNames, ['remind', 'take']);
  const nodes = nodesOf(wf);
  const reminder = (who: Json): Json => ({ task: { task: { taskDefId: { name: 'remind' }, retries: 2, variables: [who] } } });
  assert.deepEqual(nodes['1-approve-it-USER_TASK'], {
    outgoingEdges: [{ sinkNodeName: '2-take-TASK' }],
    userTask: {
      userTaskDefName: 'approve-it',
      userId: v('user'),
      userGroup: str('finance'),
      actions: [
        { reassign: { userGroup: str('finance') }, delaySeconds: int(60), hook: 'ON_TASK_ASSIGNED' },
        { reassign: { userId: { literalValue: {} }, userGroup: str('managers') }, delaySeconds: int(120), hook: 'ON_TASK_ASSIGNED' },
        { ...reminder(v('user')), delaySeconds: int(30) },
        { ...reminder(str('boss')), delaySeconds: int(45), hook: 'ON_TASK_ASSIGNED' },
        { cancel: {}, delaySeconds: int(3600) },
        { cancel: {}, delaySeconds: int(7200), hook: 'ON_TASK_ASSIGNED' },
      ],
      notes: { formatString: { format: str('please approve {0}'), args: [v('user')] } },
      onCancellationExceptionName: str('not-approved'),
    },
  });
  assert.deepEqual(nodes['2-take-TASK']?.['task'], {
    taskDefId: { name: 'take' },
    retries: 2,
    variables: [{ nodeOutput: { nodeName: '1-approve-it-USER_TASK' } }],
  });
});

test('a group-only user task; reassigning to a user keeps that user', () => {
  const wf = new Workflow('review', (t) => {
    const who = t.declareStr('who');
    const ut = t.assignUserTask('review', null, 'team');
    t.reassignUserTask(ut, who, null, 10);
  });
  assert.deepEqual(nodesOf(wf)['1-review-USER_TASK']?.['userTask'], {
    userTaskDefName: 'review',
    userGroup: str('team'),
    actions: [{ reassign: { userId: v('who') }, delaySeconds: int(10), hook: 'ON_TASK_ASSIGNED' }],
  });
});

test('user task builder errors: blank ids, stale nodes, release without user or group', () => {
  const build = (f: ThreadFunc): (() => unknown) => () => new Workflow('w', f).compile();
  assert.throws(build((t) => t.assignUserTask('x', '  ')), /userId can't be empty/);
  assert.throws(build((t) => t.assignUserTask('x', null, '')), /userGroup can't be empty/);
  assert.throws(
    build((t) => {
      const ut = t.assignUserTask('x', 'u', 'g');
      t.sleepSeconds(1);
      t.cancelUserTaskRunAfter(ut, 5);
    }),
    /stale User Task node/,
  );
  assert.throws(
    build((t) => {
      const ut = t.assignUserTask('x', null, 'g');
      t.releaseToGroupOnDeadline(ut, 5);
    }),
    /not assigned to any user/,
  );
  assert.throws(
    build((t) => {
      const ut = t.assignUserTask('x', 'u');
      t.releaseToGroupOnDeadline(ut, 5);
    }),
    /without a group/,
  );
  assert.throws(
    build((t) => {
      const ut = t.assignUserTask('x', 'u');
      t.reassignUserTask(ut, null, null, 5);
    }),
    /needs a userId or a userGroup/,
  );
});
