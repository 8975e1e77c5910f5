import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, StoredTimer } from '@filly/proto/internal';
import { timerKey } from '../../store/keys.ts';
import { MemoryKv } from '../../store/memory-kv.ts';
import type { CommandOutcome } from '../../engine/engine-api.ts';
import { Code } from '../../processor/api-error.ts';
import { TimerService } from './timer-service.ts';
import { MinHeap } from './min-heap.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function storedTimer(key: string, dueMs: number): Uint8Array {
  const command = Command.fromPartial({ commandId: key, timeMs: BigInt(dueMs), firedTimerKey: Buffer.from(key) });
  return StoredTimer.encode({ dueMs: BigInt(dueMs), command }).finish();
}

/** A submit that "commits" like the engine: the fired command deletes its timer record. */
function committingSubmit(kv: MemoryKv, fired: string[]): (c: Command) => Promise<CommandOutcome> {
  return async (command) => {
    fired.push(command.commandId);
    await kv.write([{ key: Buffer.from(command.firedTimerKey!).toString(), value: null }]);
    return { ok: true, response: undefined };
  };
}

/** A TimerService over `kv` whose fired commands commit (see committingSubmit) into `fired`. */
function committingService(partitions: number, kv: MemoryKv, fired: string[], bounds: { maxLoaded: number; maxFiring: number }): TimerService {
  return new TimerService(partitions, { kv, submit: committingSubmit(kv, fired), nowMs: Date.now, logger: quiet, ...bounds, retryDelayMs: 10 });
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('min-heap pops in order', () => {
  const heap = new MinHeap<number>((a, b) => a < b);
  const values = [5, 3, 9, 1, 7, 3, 0, 12, 8];
  for (const v of values) heap.push(v);
  const out: number[] = [];
  while (heap.size > 0) out.push(heap.pop()!);
  assert.deepEqual(out, values.slice().sort((a, b) => a - b));
});

test('10,000 stored timers fire in due order with a 100-timer memory window', async () => {
  const kv = new MemoryKv();
  const now = Date.now();
  const keys: string[] = [];
  const writes = [];
  for (let i = 0; i < 10_000; i++) {
    const due = now - 10_000 + ((i * 7919) % 10_000); // spread, already due, inserted out of order
    const key = timerKey(0, due, `t${String(i).padStart(5, '0')}`);
    keys.push(key);
    writes.push({ key, value: storedTimer(key, due) });
  }
  await kv.write(writes);
  const fired: string[] = [];
  const service = committingService(1, kv, fired, { maxLoaded: 100, maxFiring: 20 });
  await service.start();
  await until(() => fired.length === 10_000, 20_000);
  service.stop();
  assert.deepEqual(fired, keys.slice().sort());
  assert.ok(service.partition(0)!.peakLoaded <= 200, `peak ${service.partition(0)!.peakLoaded}`);
  assert.equal(kv.size, 0);
});

test('new timers inside and beyond the loaded window both fire, in order', async () => {
  const kv = new MemoryKv();
  const fired: string[] = [];
  const base = Date.now() + 100;
  const service = committingService(2, kv, fired, { maxLoaded: 3, maxFiring: 5 });
  const add = async (partition: number, due: number, id: string): Promise<string> => {
    const key = timerKey(partition, due, id);
    await kv.write([{ key, value: storedTimer(key, due) }]);
    service.onScheduled(partition, key, due);
    return key;
  };
  const early = [await add(1, base + 30, 'a'), await add(1, base + 10, 'b')];
  await service.start(); // loads what is stored so far
  const more = [];
  for (let i = 0; i < 8; i++) more.push(await add(1, base + 20 + i * 5, `m${i}`));
  await until(() => fired.length === 10, 3_000);
  service.stop();
  assert.deepEqual(fired, [...early, ...more].sort());
});

test('a timer whose command is refused for load is retried', async () => {
  const kv = new MemoryKv();
  const key = timerKey(0, Date.now(), 'x');
  await kv.write([{ key, value: storedTimer(key, Date.now()) }]);
  let attempts = 0;
  const service = new TimerService(1, {
    kv,
    submit: async () => {
      attempts++;
      if (attempts < 3) return { ok: false, code: Code.RESOURCE_EXHAUSTED, message: 'busy' };
      await kv.write([{ key, value: null }]);
      return { ok: true, response: undefined };
    },
    nowMs: Date.now,
    logger: quiet,
    maxLoaded: 10,
    maxFiring: 1,
    retryDelayMs: 5,
  });
  await service.start();
  await until(() => attempts === 3, 2_000);
  await new Promise((r) => setTimeout(r, 30));
  service.stop();
  assert.equal(attempts, 3);
});

test('a timer handed over with its record fires without reading the store', async () => {
  const kv = new MemoryKv(); // empty: a store read would find nothing and drop the timer
  const fired: string[] = [];
  const service = new TimerService(1, {
    kv,
    submit: async (command) => {
      fired.push(command.commandId);
      return { ok: true, response: undefined };
    },
    nowMs: Date.now,
    logger: quiet,
    maxLoaded: 10,
    maxFiring: 5,
    retryDelayMs: 10,
  });
  await service.start();
  const due = Date.now() + 5;
  const withRecord = timerKey(0, due, 'with');
  const withoutRecord = timerKey(0, due, 'without');
  service.onScheduled(0, withRecord, due, storedTimer(withRecord, due));
  service.onScheduled(0, withoutRecord, due);
  await until(() => fired.length === 1, 2_000);
  await new Promise((r) => setTimeout(r, 30));
  service.stop();
  assert.deepEqual(fired, [withRecord]);
});

test('a cancelled timer does not fire, even when its record is held in memory; the others do', async () => {
  const kv = new MemoryKv();
  const fired: string[] = [];
  const service = committingService(1, kv, fired, { maxLoaded: 100, maxFiring: 10 });
  await service.start();
  const due = Date.now() + 50;
  const kept = timerKey(0, due, 'kept');
  const cancelled = timerKey(0, due, 'cancelled');
  // Announced with their records, as a live commit does: they would fire without a store read.
  for (const key of [kept, cancelled]) {
    const bytes = storedTimer(key, due);
    await kv.write([{ key, value: bytes }]);
    service.onScheduled(0, key, due, bytes);
  }
  await kv.write([{ key: cancelled, value: null }]);
  service.onCancelled(0, cancelled);
  await until(() => fired.length >= 1, 5_000);
  await new Promise((r) => setTimeout(r, 100));
  service.stop();
  assert.deepEqual(fired, [kept]);
});

test('fireDueNow fires what is due at once, without waiting for the Node timer, and nothing early', async () => {
  const kv = new MemoryKv();
  let nowMs = 1_000_000;
  const fired: string[] = [];
  const service = new TimerService(2, { kv, submit: committingSubmit(kv, fired), nowMs: () => nowMs, logger: quiet, maxLoaded: 10, maxFiring: 10, retryDelayMs: 10 });
  await service.start();
  const soon = timerKey(1, nowMs + 50, 'soon');
  const later = timerKey(0, nowMs + 60_000, 'later');
  await kv.write([{ key: soon, value: storedTimer(soon, nowMs + 50) }, { key: later, value: storedTimer(later, nowMs + 60_000) }]);
  service.onScheduled(1, soon, nowMs + 50, storedTimer(soon, nowMs + 50));
  service.onScheduled(0, later, nowMs + 60_000, storedTimer(later, nowMs + 60_000));
  service.fireDueNow();
  assert.deepEqual(fired, [], 'nothing is due yet');
  nowMs += 50; // the clock reaches the due time; the Node timer (armed on the real clock) has not run
  service.fireDueNow();
  assert.deepEqual(fired, [soon], 'the due timer fired within the call');
  service.stop();
});
