import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WfRun } from '@filly/proto';
import { Records } from '../processor/records.ts';
import { StateCache } from './state-cache.ts';
import { TxBuffer } from './tx-buffer.ts';
import { nodeRunKey, wfRunGroupPrefix, wfRunKey } from './keys.ts';

const group = wfRunGroupPrefix(1, 'default', { id: 'wf1' });
const runKey = wfRunKey(1, 'default', { id: 'wf1' });
const missingKey = nodeRunKey(1, 'default', { wfRunId: { id: 'wf1' }, threadRunNumber: 0, position: 3 });

function write(cache: StateCache, seq: number, greatest: number): void {
  const tx = new TxBuffer(cache, group, 1000);
  tx.put(Records.wfRun, runKey, WfRun.fromPartial({ id: { id: 'wf1' }, greatestThreadrunNumber: greatest }));
  tx.commit(seq);
}

test('a group record is answered from memory only once its last change is in the log', () => {
  const cache = new StateCache(10);
  assert.equal(cache.loggedGroupRecord(Records.wfRun, runKey), undefined, 'group not cached: ask the store');
  cache.installGroup(group, []);
  write(cache, 1, 1);
  assert.equal(cache.loggedGroupRecord(Records.wfRun, runKey), undefined, 'applied, not logged');
  cache.markLogged(1);
  assert.equal(cache.loggedGroupRecord(Records.wfRun, runKey)?.value?.greatestThreadrunNumber, 1);
  assert.deepEqual(cache.loggedGroupRecord(Records.nodeRun, missingKey), { value: undefined }, 'a whole group: absent means absent');
  write(cache, 2, 2);
  assert.equal(cache.loggedGroupRecord(Records.wfRun, runKey), undefined, 'a newer change is not logged yet');
  cache.markLogged(2);
  const read = cache.loggedGroupRecord(Records.wfRun, runKey)?.value;
  assert.equal(read?.greatestThreadrunNumber, 2);
  // Each caller gets its own object: changing it changes nothing cached.
  read!.greatestThreadrunNumber = 7;
  assert.equal(cache.loggedGroupRecord(Records.wfRun, runKey)?.value?.greatestThreadrunNumber, 2);
});

test('metadata keys are not group records', () => {
  const cache = new StateCache(10);
  assert.equal(cache.loggedGroupRecord(Records.taskDef, 'm/default/taskdef/greet'), undefined);
});
