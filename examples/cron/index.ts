// A cron schedule: ScheduleWf runs the report workflow at every minute (`* * * * *`, UTC).
// The example waits for the first WfRun the schedule starts (at most ~70 s: the next minute
// boundary), checks it completed, and deletes the schedule so it runs no more.
import { LHStatus, type Timestamp } from '@filly/proto';
import { defineTask, Workflow, type LittleHorseClient } from '@filly/sdk';
import { expect, runExample, statusName, variableOf, waitForWfRun, waitUntil, type Workers } from '../shared/example.ts';

const EVERY_MINUTE = '* * * * *';
const FIRST_RUN_TIMEOUT_MS = 75_000;

const buildReport = defineTask({ name: 'cron-build-report', input: { batch: 'STR' }, output: 'STR' }, ({ batch }, ctx) =>
  `report ${batch} built at ${(ctx.scheduledTime ?? new Date()).toISOString()}`);

const report = new Workflow('example-cron-report', (wf) => {
  const batch = wf.declareStr('batch').required();
  const result = wf.declareStr('result');
  result.assign(wf.execute(buildReport, { batch }));
});

function timestampOf(d: Date): Timestamp {
  return { seconds: BigInt(Math.floor(d.getTime() / 1000)), nanos: (d.getTime() % 1000) * 1_000_000 };
}

async function main(client: LittleHorseClient, workers: Workers): Promise<void> {
  await workers.start(buildReport);
  await report.register(client);

  const since = new Date();
  // A batch name of our own tells our WfRuns from any earlier ones of the same WfSpec.
  const batch = `batch-${since.getTime().toString(36)}`;
  const schedule = await client.scheduleWf({
    wfSpecName: report.name,
    cronExpression: EVERY_MINUTE,
    variables: { batch: { value: { $case: 'str', value: batch } } },
  });
  const scheduleId = schedule.id?.id ?? '';
  console.log(`schedule ${scheduleId} (${schedule.cronExpression}) created; waiting for its first WfRun...`);

  try {
    const found = await waitUntil(
      'the first scheduled WfRun',
      () => client.searchWfRun({ wfSpecName: report.name, earliestStart: timestampOf(since), variableFilters: [] }),
      (list) => list.results.length > 0,
      FIRST_RUN_TIMEOUT_MS,
    );
    const first = found.results[0];
    expect(first !== undefined, 'no WfRun');
    const run = await waitForWfRun(client, first.id);
    const result = await variableOf(client, first.id, 'result');
    const startedAt = run.startTime !== undefined ? new Date(Number(run.startTime.seconds) * 1000) : undefined;
    console.log(`WfRun ${first.id} started at ${startedAt?.toISOString() ?? '?'}: ${statusName(run.status)}; ${String(result)}`);
    expect(run.status === LHStatus.COMPLETED, `the scheduled WfRun ended ${statusName(run.status)}`);
    expect(typeof result === 'string' && result.startsWith(`report ${batch} `), `unexpected result ${String(result)}`);
    expect(startedAt !== undefined && startedAt.getUTCSeconds() === 0, 'the scheduled WfRun did not start on a minute boundary');
  } finally {
    await client.deleteScheduledWfRun({ id: { id: scheduleId } });
  }
  const gone = await client.searchScheduledWfRun({ wfSpecName: report.name });
  expect(!gone.results.some((r) => r.id === scheduleId), 'the schedule is still there after DeleteScheduledWfRun');
  console.log(`CRON OK: the schedule ran ${report.name} once on the minute and was deleted`);
}

runExample('cron', main);
