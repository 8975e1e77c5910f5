import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskDef, WfRun } from '@filly/proto';
import { encodeShared } from './shared-writer.ts';

const plain = (run: WfRun): Uint8Array => WfRun.encode(run).finish();

test('records encode to the same bytes as a fresh writer, and later encodes never change earlier bytes', () => {
  const runs = Array.from({ length: 2_000 }, (_, i) => WfRun.fromPartial({ id: { id: `run-${i}-${'x'.repeat(i % 97)}` }, greatestThreadrunNumber: i }));
  const encoded = runs.map((r) => encodeShared(WfRun, r));
  runs.forEach((r, i) => assert.deepEqual(encoded[i], plain(r), `record ${i}`));
  // Many small records share a few ArrayBuffers, without overlapping.
  const buffers = new Set(encoded.map((b) => b.buffer));
  assert.ok(buffers.size < encoded.length / 10, `${buffers.size} buffers for ${encoded.length} records`);
  const sameBuffer = encoded.filter((b) => b.buffer === encoded[0]!.buffer).sort((a, b) => a.byteOffset - b.byteOffset);
  for (let i = 1; i < sameBuffer.length; i++) {
    assert.ok(sameBuffer[i]!.byteOffset >= sameBuffer[i - 1]!.byteOffset + sameBuffer[i - 1]!.length, 'records overlap');
  }
});

test('a large record gets bytes of its own', () => {
  const big = TaskDef.fromPartial({ id: { name: 'big' }, description: 'd'.repeat(10_000) });
  const bytes = encodeShared(TaskDef, big);
  assert.deepEqual(bytes, TaskDef.encode(big).finish());
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.buffer.byteLength, bytes.length);
  // The writer is reset after it: the next record starts from nothing.
  const small = WfRun.fromPartial({ id: { id: 'after' } });
  assert.deepEqual(encodeShared(WfRun, small), plain(small));
});

test('an encode that fails leaves the next one intact', () => {
  const broken = { encode: (): never => { throw new Error('boom'); } };
  assert.throws(() => encodeShared(broken, {}), /boom/);
  const run = WfRun.fromPartial({ id: { id: 'next' } });
  assert.deepEqual(encodeShared(WfRun, run), plain(run));
});
