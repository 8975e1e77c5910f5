import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LittleHorseService, PollTaskResponse, ScheduledTask, WfRun } from '@filly/proto';
import { encodedAsField, encodedResponse, passEncodedResponses } from './encoded-response.ts';

const service = passEncodedResponses(LittleHorseService);

test('an encoded response is sent as its bytes; a message is encoded as before', () => {
  const run = WfRun.fromPartial({ id: { id: 'wf-1' }, greatestThreadrunNumber: 3 });
  const bytes = WfRun.encode(run).finish();
  const sent = service.runWf.responseSerialize(encodedResponse<WfRun>(bytes));
  assert.deepEqual(WfRun.decode(sent), run);
  assert.deepEqual(service.runWf.responseSerialize(run), Buffer.from(bytes));
});

test('a ScheduledTask wrapped as field 1 decodes as the PollTaskResponse holding it', () => {
  for (const size of [0, 5, 200, 20_000]) {
    const task = ScheduledTask.fromPartial({ taskDefId: { name: 'x'.repeat(size) }, attemptNumber: 2 });
    const wrapped = encodedAsField(1, ScheduledTask.encode(task).finish());
    assert.deepEqual(wrapped, PollTaskResponse.encode({ result: task }).finish(), `task of ${size} name bytes`);
    const sent = service.pollTask.responseSerialize(encodedResponse<PollTaskResponse>(wrapped));
    assert.deepEqual(PollTaskResponse.decode(sent).result, task);
  }
});
