import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze } from './deep-freeze.ts';

test('nested objects and arrays are frozen; byte arrays are left writable', () => {
  const bytes = new Uint8Array([1, 2]);
  const value = deepFreeze({ a: { b: [{ c: 1 }] }, bytes, n: 5n });
  assert.throws(() => { (value.a as { b: unknown }).b = []; }, TypeError);
  assert.throws(() => { value.a.b.push({ c: 2 }); }, TypeError);
  assert.throws(() => { value.a.b[0]!.c = 2; }, TypeError);
  bytes[0] = 9;
  assert.equal(value.bytes[0], 9);
});

test('a Map is refused rather than left mutable', () => {
  assert.throws(() => deepFreeze({ m: new Map() }), /Map cannot be frozen/);
});
