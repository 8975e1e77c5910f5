import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskDef, WfRun } from '@filly/proto';
import { Records } from '../processor/records.ts';
import { ApiError, Code } from '../processor/api-error.ts';
import { StateCache } from './state-cache.ts';
import { TxBuffer } from './tx-buffer.ts';
import { taskDefKey, timerKey, wfRunGroupPrefix, wfRunKey } from './keys.ts';

const group = wfRunGroupPrefix(1, 'default', { id: 'wf1' });
const runKey = wfRunKey(1, 'default', { id: 'wf1' });
const defKey = taskDefKey('default', 'greet');

function seededCache(): StateCache {
  const cache = new StateCache(10);
  cache.loadMetadata([{ key: defKey, value: Records.taskDef.encode(TaskDef.fromPartial({ id: { name: 'greet' }, description: 'v1' })) }]);
  cache.installGroup(group, [
    { key: runKey, value: Records.wfRun.encode(WfRun.fromPartial({ id: { id: 'wf1' }, greatestThreadrunNumber: 1 })) },
  ]);
  return cache;
}

test('reads see the transaction’s own writes and deletes first', () => {
  const cache = seededCache();
  const tx = new TxBuffer(cache, group, 1000);
  assert.equal(tx.get(Records.taskDef, defKey)?.description, 'v1');
  tx.put(Records.taskDef, defKey, TaskDef.fromPartial({ id: { name: 'greet' }, description: 'v2' }));
  assert.equal(tx.get(Records.taskDef, defKey)?.description, 'v2');
  tx.delete(runKey);
  assert.equal(tx.get(Records.wfRun, runKey), undefined);
  assert.deepEqual(tx.scan(Records.wfRun, group), []);
  const extra = `${group}wfrun/wf1_child`;
  tx.put(Records.wfRun, extra, WfRun.fromPartial({ id: { id: 'child' } }));
  assert.deepEqual(tx.scan(Records.wfRun, group).map((r) => r.key), [extra]);
});

test('abort leaves the cache untouched even after the handler mutated what it read', () => {
  const cache = seededCache();
  const before = cache.metadata.entries.get(defKey)!.bytes;
  const tx = new TxBuffer(cache, group, 1000);
  const def = tx.get(Records.taskDef, defKey)!;
  assert.throws(() => { def.description = 'mutated'; }, TypeError);
  const run = tx.get(Records.wfRun, runKey)!;
  run.greatestThreadrunNumber = 99;
  tx.put(Records.wfRun, runKey, run);
  tx.abort();
  const next = new TxBuffer(cache, group, 1000);
  assert.equal(next.get(Records.taskDef, defKey)?.description, 'v1');
  assert.equal(next.get(Records.wfRun, runKey)?.greatestThreadrunNumber, 1);
  assert.equal(cache.metadata.entries.get(defKey)!.bytes, before);
});

test('commit moves writes into the cache and returns them for the store', () => {
  const cache = seededCache();
  const tx = new TxBuffer(cache, group, 1000);
  const run = tx.get(Records.wfRun, runKey)!;
  run.greatestThreadrunNumber = 2;
  tx.put(Records.wfRun, runKey, run);
  const tKey = timerKey(1, 5000, 'abc');
  tx.put(Records.timer, tKey, { dueMs: 5000n, command: undefined });
  tx.delete(defKey);
  const def = undefined;
  const writes = tx.commit(1);
  assert.deepEqual(writes.map((w) => [w.key, w.value === null]).sort(), [[defKey, true], [runKey, false], [tKey, false]].sort());
  const next = new TxBuffer(cache, group, 1000);
  assert.equal(next.get(Records.wfRun, runKey)?.greatestThreadrunNumber, 2);
  assert.equal(next.get(Records.taskDef, defKey), def);
  // Timer keys are written through, not cached: reading one is a locality error.
  assert.throws(() => next.get(Records.timer, tKey), /outside/);
});

test('a mutation without put() does not survive commit', () => {
  const cache = seededCache();
  const tx = new TxBuffer(cache, group, 1000);
  tx.get(Records.wfRun, runKey)!.greatestThreadrunNumber = 99;
  tx.commit(1);
  assert.equal(new TxBuffer(cache, group, 1000).get(Records.wfRun, runKey)?.greatestThreadrunNumber, 1);
});

test('metadata is shared between transactions and cannot be changed in place', () => {
  const cache = seededCache();
  const first = new TxBuffer(cache, group, 1000).get(Records.taskDef, defKey)!;
  assert.throws(() => { first.description = 'sneaky'; }, TypeError);
  const second = new TxBuffer(cache, group, 1000).get(Records.taskDef, defKey);
  assert.equal(second, first);
  assert.equal(second?.description, 'v1');
  // A write replaces the shared object: the next reader sees the new bytes decoded.
  const tx = new TxBuffer(cache, group, 1000);
  tx.put(Records.taskDef, defKey, { ...first, description: 'v2' });
  tx.commit(2);
  assert.equal(new TxBuffer(cache, group, 1000).get(Records.taskDef, defKey)?.description, 'v2');
});

test('reads and writes outside metadata and the command’s group throw', () => {
  const cache = seededCache();
  const other = wfRunGroupPrefix(1, 'default', { id: 'other' });
  cache.installGroup(other, []);
  const tx = new TxBuffer(cache, group, 1000);
  assert.throws(() => tx.get(Records.wfRun, wfRunKey(1, 'default', { id: 'other' })), /outside/);
  assert.throws(() => tx.scan(Records.wfRun, 'c/001/'), /outside/);
  assert.throws(() => tx.put(Records.wfRun, wfRunKey(1, 'default', { id: 'other' }), WfRun.fromPartial({})), /outside/);
  assert.throws(() => tx.put(Records.wfRun, 's/apply-checkpoint', WfRun.fromPartial({})), /reserved/);
  const metaOnly = new TxBuffer(cache, undefined, 1000);
  assert.throws(() => metaOnly.get(Records.wfRun, runKey), /outside/);
  assert.throws(() => new TxBuffer(cache, wfRunGroupPrefix(1, 'default', { id: 'never' }), 1000), /not loaded/);
});

test('an over-size record fails the commit with RESOURCE_EXHAUSTED and changes nothing', () => {
  const cache = seededCache();
  const tx = new TxBuffer(cache, group, 20);
  tx.delete(runKey);
  tx.put(Records.taskDef, defKey, TaskDef.fromPartial({ id: { name: 'greet' }, description: 'x'.repeat(100) }));
  assert.throws(
    () => tx.commit(1),
    (err: unknown) => err instanceof ApiError && err.code === Code.RESOURCE_EXHAUSTED,
  );
  tx.abort();
  const next = new TxBuffer(cache, group, 1000);
  assert.equal(next.get(Records.taskDef, defKey)?.description, 'v1');
  assert.equal(next.get(Records.wfRun, runKey)?.greatestThreadrunNumber, 1);
});

test('eviction keeps groups with writes that are not yet in the store', () => {
  const cache = new StateCache(2);
  const prefixes = ['a', 'b', 'c', 'd'].map((id) => wfRunGroupPrefix(0, 't', { id }));
  for (const p of prefixes) cache.installGroup(p, []);
  const tx = new TxBuffer(cache, prefixes[0], 1000);
  tx.put(Records.wfRun, `${prefixes[0]!}wfrun/a`, WfRun.fromPartial({ id: { id: 'a' } }));
  tx.commit(7);
  assert.equal(cache.evict(), 2);
  assert.ok(cache.hasGroup(prefixes[0]!), 'dirty group kept');
  assert.ok(!cache.hasGroup(prefixes[1]!) && !cache.hasGroup(prefixes[2]!));
  assert.ok(cache.hasGroup(prefixes[3]!));
  cache.installGroup(prefixes[1]!, []);
  cache.markDurable(7);
  cache.touchGroup(prefixes[3]!);
  assert.equal(cache.evict(), 1);
  assert.ok(!cache.hasGroup(prefixes[0]!), 'clean now, least recently used');
});
