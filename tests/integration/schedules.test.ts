// ScheduledWfRuns against a real server: schedule, get, search and delete. (Firing is covered by
// the processor's unit tests with a fake clock: a real cron minute is too slow for this suite.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { linearSpec, varDef } from '../harness/specs.ts';

describe('scheduled WfRuns', () => {
  let server: ServerProcess;
  let client: TestClient;

  before(async () => {
    server = await startServer();
    client = connect(server.address);
    await client.call.putWfSpec(linearSpec('nightly-report', [['1-nop-NOP', { nop: {} }]], [varDef('day', 'STR')]));
    await client.call.putWfSpec(linearSpec('other-report', [['1-nop-NOP', { nop: {} }]]));
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('schedule, get, search and delete', async () => {
    const a = await client.call.scheduleWf({
      id: 'every-night',
      wfSpecName: 'nightly-report',
      variables: { day: { value: { $case: 'str', value: 'mon' } } },
      cronExpression: '0 2 * * MON-FRI',
    });
    assert.equal(a.id?.id, 'every-night');
    assert.deepEqual(a.wfSpecId, { name: 'nightly-report', majorVersion: 0, revision: 0 });
    const b = await client.call.scheduleWf({ wfSpecName: 'nightly-report', variables: {}, cronExpression: '*/5 * * * *' });
    assert.equal(b.id?.id.length, 32, 'ingress assigns an id');
    await client.call.scheduleWf({ id: 'other', wfSpecName: 'other-report', variables: {}, cronExpression: '0 0 1 * *' });

    const got = await client.call.getScheduledWfRun({ id: 'every-night' });
    assert.equal(got.cronExpression, '0 2 * * MON-FRI');
    assert.equal(got.variables['day']?.value?.$case, 'str');

    const found = await client.call.searchScheduledWfRun({ wfSpecName: 'nightly-report' });
    assert.deepEqual(found.results.map((r) => r.id).sort(), ['every-night', b.id?.id ?? ''].sort());
    assert.deepEqual((await client.call.searchScheduledWfRun({ wfSpecName: 'nightly-report', majorVersion: 1 })).results, []);

    await client.call.deleteScheduledWfRun({ id: { id: 'every-night' } });
    assert.equal(await codeOf(client.call.getScheduledWfRun({ id: 'every-night' })), 5);
    const after = await client.call.searchScheduledWfRun({ wfSpecName: 'nightly-report' });
    assert.deepEqual(after.results.map((r) => r.id), [b.id?.id]);
  });

  test('a bad cron expression or an unknown WfSpec is INVALID_ARGUMENT', async () => {
    assert.equal(await codeOf(client.call.scheduleWf({ wfSpecName: 'nightly-report', variables: {}, cronExpression: '* * *' })), 3);
    assert.equal(await codeOf(client.call.scheduleWf({ wfSpecName: 'nightly-report', variables: {}, cronExpression: '0 0 30 2 *' })), 3);
    assert.equal(await codeOf(client.call.scheduleWf({ wfSpecName: 'no-such-spec', variables: {}, cronExpression: '* * * * *' })), 3);
  });
});
