// A human approval. Each expense creates a user task for Jane of the finance group. If she
// has not decided within a deadline, the task escalates: it is reassigned to the
// finance-managers group. Someone completes it through the client (CompleteUserTaskRun), and the
// workflow branches on the decision: pay the expense, or tell the requester it was rejected.
import { LHStatus, PutUserTaskDefRequest, UserTaskRunStatus, userTaskRunStatusToJSON, VariableType, type UserTaskRun, type VariableValue } from '@filly/proto';
import { defineTask, Workflow, type LittleHorseClient } from '@filly/sdk';
import { expect, runExample, statusName, variableOf, waitForWfRun, waitUntil, type Workers } from '../shared/example.ts';

const FORM = 'example-expense-approval';
const ESCALATE_AFTER_SECONDS = 2;

const payExpense = defineTask({ name: 'approval-pay-expense', input: { amount: 'INT' }, output: 'STR' }, ({ amount }) => `paid ${amount}`);
const notifyRejected = defineTask({ name: 'approval-notify-rejected', input: { amount: 'INT', reason: 'STR' }, output: 'STR' }, ({ amount, reason }) =>
  `rejected ${amount}: ${reason}`);

const approval = new Workflow('example-approval', (wf) => {
  const amount = wf.declareInt('amount').required();
  const approved = wf.declareBool('approved', false);
  const comment = wf.declareStr('comment', '');
  const outcome = wf.declareStr('outcome');

  const form = wf.assignUserTask(FORM, 'jane', 'finance');
  // Fires when the task has been assigned to a user for this long without being done.
  wf.reassignUserTask(form, null, 'finance-managers', ESCALATE_AFTER_SECONDS);
  approved.assign(form.jsonPath('$.approved'));
  comment.assign(form.jsonPath('$.comment'));

  wf.doIf(approved.isEqualTo(true), (yes) => {
    outcome.assign(yes.execute(payExpense, { amount }));
  }).doElse((no) => {
    outcome.assign(no.execute(notifyRejected, { amount, reason: comment }));
  });
});

const bool = (b: boolean): VariableValue => ({ value: { $case: 'bool', value: b } });
const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });

async function userTaskOf(client: LittleHorseClient, wfRunId: string): Promise<UserTaskRun | undefined> {
  const list = await client.listUserTaskRuns({ wfRunId: { id: wfRunId } });
  return list.results[0];
}

function owner(utr: UserTaskRun): string {
  return `${utr.userId ?? '-'}/${utr.userGroup ?? '-'}`;
}

function history(utr: UserTaskRun): string {
  return utr.events
    .map((e) => (e.event?.$case === 'assigned' ? `assigned ${e.event.value.newUserId ?? '-'}/${e.event.value.newUserGroup ?? '-'}` : e.event?.$case ?? '?'))
    .join(' -> ');
}

async function runOne(client: LittleHorseClient, amount: number, decide: (utr: UserTaskRun) => Promise<void>): Promise<{ id: string; utr: UserTaskRun }> {
  const started = await client.runWf({ wfSpecName: approval.name, variables: { amount: { value: { $case: 'int', value: BigInt(amount) } } } });
  const id = started.id?.id ?? '';
  const utr = await waitUntil(`the user task of ${id}`, () => userTaskOf(client, id), (u) => u !== undefined);
  expect(utr !== undefined, 'no user task');
  await decide(utr);
  const run = await waitForWfRun(client, id);
  expect(run.status === LHStatus.COMPLETED, `WfRun ${id} ended ${statusName(run.status)}`);
  const done = await userTaskOf(client, id);
  expect(done !== undefined, 'the user task disappeared');
  return { id, utr: done };
}

async function main(client: LittleHorseClient, workers: Workers): Promise<void> {
  await workers.start(payExpense, notifyRejected);
  await client.putUserTaskDef(PutUserTaskDefRequest.fromPartial({
    name: FORM,
    description: 'Approve or reject an expense',
    fields: [
      { name: 'approved', displayName: 'Approve?', type: VariableType.BOOL, required: true },
      { name: 'comment', displayName: 'Comment', type: VariableType.STR, required: false },
    ],
  }));
  await approval.register(client);

  // 1. Nobody acts: after the deadline the managers get it, and Mike approves.
  const big = await runOne(client, 5000, async (utr) => {
    console.log(`expense 5000: task ${utr.id?.userTaskGuid} for ${owner(utr)}; waiting for the escalation...`);
    const escalated = await waitUntil('the escalation', () => userTaskOf(client, utr.id?.wfRunId?.id ?? ''), (u) => u?.userGroup === 'finance-managers');
    expect(escalated !== undefined, 'no user task');
    console.log(`expense 5000: escalated to ${owner(escalated)} (${userTaskRunStatusToJSON(escalated.status)})`);
    await client.completeUserTaskRun({ userTaskRunId: escalated.id, userId: 'mike', results: { approved: bool(true), comment: str('ok for the offsite') } });
  });
  const bigOutcome = await variableOf(client, big.id, 'outcome');
  console.log(`expense 5000: ${String(bigOutcome)}; history: ${history(big.utr)}`);
  expect(bigOutcome === 'paid 5000', `expense 5000 outcome ${String(bigOutcome)}`);
  expect(big.utr.status === UserTaskRunStatus.DONE && big.utr.userId === 'mike', `expense 5000 task is ${owner(big.utr)} ${userTaskRunStatusToJSON(big.utr.status)}`);

  // 2. Jane rejects at once.
  const small = await runOne(client, 80, async (utr) => {
    await client.completeUserTaskRun({ userTaskRunId: utr.id, userId: 'jane', results: { approved: bool(false), comment: str('personal purchase') } });
  });
  const smallOutcome = await variableOf(client, small.id, 'outcome');
  console.log(`expense 80: ${String(smallOutcome)}; history: ${history(small.utr)}`);
  expect(smallOutcome === 'rejected 80: personal purchase', `expense 80 outcome ${String(smallOutcome)}`);
  console.log('APPROVAL OK: one escalated and approved by a manager, one rejected');
}

runExample('approval', main);
