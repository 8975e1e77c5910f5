// A parent WfRun that runs a child WfRun and uses its result. The order workflow starts the
// shipping workflow as a child (RUN_CHILD_WF), waits for it (WAIT_FOR_CHILD_WF) and emails the
// tracking number the child returned. The child WfRun lives in the parent's WfRun tree: its
// WfRunId names the parent's.
import { LHStatus, type WfRunId } from '@filly/proto';
import { defineTask, Workflow, wfRunIdToString, type LittleHorseClient } from '@filly/sdk';
import { expect, runExample, statusName, variableOf, waitForWfRun, type Workers } from '../shared/example.ts';

const PARENT = 'example-order';
const CHILD = 'example-shipping';

const bookCourier = defineTask({ name: 'parent-child-book-courier', input: { customer: 'STR', items: 'INT' }, output: 'STR' }, ({ customer, items }) =>
  `TRK-${customer.toUpperCase()}-${items}`);
const sendEmail = defineTask({ name: 'parent-child-send-email', input: { customer: 'STR', tracking: 'STR' }, output: 'STR' }, ({ customer, tracking }) =>
  `mailed ${tracking} to ${customer}`);

const shipping = new Workflow(CHILD, (wf) => {
  const customer = wf.declareStr('customer').required();
  const items = wf.declareInt('items').required();
  const tracking = wf.execute(bookCourier, { customer, items });
  // The child's output is what its entrypoint thread completes with.
  wf.complete(tracking);
});

const order = new Workflow(PARENT, (wf) => {
  const customer = wf.declareStr('customer').required();
  const items = wf.declareInt('items', 1);
  const tracking = wf.declareStr('tracking');
  const receipt = wf.declareStr('receipt');
  const shipment = wf.runWf(CHILD, { customer, items });
  tracking.assign(wf.waitForChildWf(shipment));
  receipt.assign(wf.execute(sendEmail, { customer, tracking }));
});

async function main(client: LittleHorseClient, workers: Workers): Promise<void> {
  await workers.start(bookCourier, sendEmail);
  // The parent's RUN_CHILD_WF node names the child WfSpec, so the child is registered first.
  await shipping.register(client);
  await order.register(client);

  const started = await client.runWf({
    wfSpecName: PARENT,
    variables: { customer: { value: { $case: 'str', value: 'ada' } }, items: { value: { $case: 'int', value: 3n } } },
  });
  const id = started.id?.id ?? '';
  const run = await waitForWfRun(client, id);
  expect(run.status === LHStatus.COMPLETED, `parent WfRun ${id} ended ${statusName(run.status)}`);

  // Position 1 of the entrypoint thread is the RUN_CHILD_WF node; it knows the child's id.
  const runNode = await client.getNodeRun({ wfRunId: { id }, threadRunNumber: 0, position: 1 });
  const childId: WfRunId | undefined = runNode.nodeType?.$case === 'runChildWf' ? runNode.nodeType.value.childWfRunId : undefined;
  expect(childId !== undefined, 'the RUN_CHILD_WF NodeRun has no child WfRunId');
  const child = await client.getWfRun(childId);
  const tracking = await variableOf(client, id, 'tracking');
  const receipt = await variableOf(client, id, 'receipt');
  console.log(`parent ${id}: ${statusName(run.status)}`);
  console.log(`child ${wfRunIdToString(childId)} (${child.wfSpecId?.name}): ${statusName(child.status)}`);
  console.log(`tracking from the child: ${String(tracking)}; ${String(receipt)}`);

  expect(childId.parentWfRunId?.id === id, 'the child WfRunId does not name its parent');
  expect(child.status === LHStatus.COMPLETED, `child ended ${statusName(child.status)}`);
  expect(tracking === 'TRK-ADA-3', `tracking is ${String(tracking)}`);
  expect(receipt === 'mailed TRK-ADA-3 to ada', `receipt is ${String(receipt)}`);
  console.log('PARENT-CHILD OK: the child shipped the order and the parent used its tracking number');
}

runExample('parent-child', main);
