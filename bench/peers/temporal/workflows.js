// Workflow code of the Temporal peer. The Temporal worker bundles this file itself (webpack, in
// its own sandbox), so it is plain JavaScript outside the TypeScript build.
import { proxyActivities } from '@temporalio/workflow';

const { benchTask } = proxyActivities({ startToCloseTimeout: '60 seconds' });

/** W1: one activity. */
export async function oneActivity() {
  return [await benchTask(1)];
}

/** W2: `steps` activities in a row; every activity's start and end time comes back. */
export async function sequentialActivities(steps) {
  const marks = [];
  for (let step = 1; step <= steps; step++) marks.push(await benchTask(step));
  return marks;
}
