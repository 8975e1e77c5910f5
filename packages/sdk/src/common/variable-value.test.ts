import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VariableValue } from '@filly/proto';
import {
  ValueConversionError,
  decodeVariableValue,
  fromVariableValue,
  inferVariableValue,
  toVariableValue,
} from './variable-value.ts';
import type { OutputJsType, VarTypeName } from './variable-types.ts';

function roundTrip<T extends VarTypeName>(value: OutputJsType<T>, type: T): unknown {
  // Through the wire encoding too, so the proto shape is what the server would see.
  const bytes = VariableValue.encode(toVariableValue(value, type)).finish();
  return fromVariableValue(VariableValue.decode(bytes), type);
}

test('every primitive type survives JS -> VariableValue -> bytes -> JS', () => {
  assert.equal(roundTrip('héllo', 'STR'), 'héllo');
  assert.equal(roundTrip(-42, 'INT'), -42);
  assert.equal(roundTrip(9_007_199_254_740_991n, 'INT'), 9_007_199_254_740_991);
  assert.equal(roundTrip(2.5, 'DOUBLE'), 2.5);
  assert.equal(roundTrip(false, 'BOOL'), false);
  assert.deepEqual(roundTrip({ a: [1, { b: null }] }, 'JSON_OBJ'), { a: [1, { b: null }] });
  assert.deepEqual(roundTrip([1, 'two'], 'JSON_ARR'), [1, 'two']);
  assert.deepEqual(roundTrip(new Uint8Array([0, 255, 7]), 'BYTES'), new Uint8Array([0, 255, 7]));
  const d = new Date('2024-02-29T12:34:56.789Z');
  assert.equal((roundTrip(d, 'TIMESTAMP') as Date).toISOString(), d.toISOString());
  assert.deepEqual(roundTrip({ id: 'child', parentWfRunId: { id: 'root' } }, 'WF_RUN_ID'), {
    id: 'child',
    parentWfRunId: { id: 'root', parentWfRunId: undefined },
  });
  const before = new Date(-1500);
  assert.equal((roundTrip(before, 'TIMESTAMP') as Date).getTime(), -1500, 'pre-epoch millis');
});

test('NULL is an unset oneof both ways', () => {
  assert.deepEqual(toVariableValue(null, 'STR'), { value: undefined });
  assert.equal(fromVariableValue({ value: undefined }, 'INT'), null);
  assert.equal(decodeVariableValue(undefined), null);
});

test('typed encoding refuses mismatches and unsafe numbers', () => {
  assert.throws(() => toVariableValue('3' as never, 'INT'), ValueConversionError);
  assert.throws(() => toVariableValue(1.5, 'INT'), ValueConversionError);
  assert.throws(() => toVariableValue(2 ** 60, 'INT'), /safe integer/);
  assert.throws(() => toVariableValue(2n ** 63n, 'INT'), /int64/);
  assert.throws(() => toVariableValue([] as never, 'JSON_OBJ'), ValueConversionError);
  assert.throws(() => fromVariableValue({ value: { $case: 'int', value: 2n ** 60n } }, 'INT'), /safe-integer/);
  assert.throws(() => fromVariableValue({ value: { $case: 'str', value: 'x' } }, 'BOOL'), /expected a BOOL/);
  assert.throws(() => fromVariableValue({ value: { $case: 'jsonObj', value: '[1]' } }, 'JSON_OBJ'), /not a JSON object/);
});

test('numbers widen between INT and DOUBLE only when lossless', () => {
  assert.equal(fromVariableValue({ value: { $case: 'int', value: 4n } }, 'DOUBLE'), 4);
  assert.equal(fromVariableValue({ value: { $case: 'double', value: 4 } }, 'INT'), 4);
  assert.throws(() => fromVariableValue({ value: { $case: 'double', value: 4.5 } }, 'INT'), ValueConversionError);
});

test('untyped values are inferred from their JS type', () => {
  assert.deepEqual(inferVariableValue('s').value, { $case: 'str', value: 's' });
  assert.deepEqual(inferVariableValue(3).value, { $case: 'int', value: 3n });
  assert.deepEqual(inferVariableValue(3.25).value, { $case: 'double', value: 3.25 });
  assert.deepEqual(inferVariableValue(7n).value, { $case: 'int', value: 7n });
  assert.deepEqual(inferVariableValue({ k: 1 }).value, { $case: 'jsonObj', value: '{"k":1}' });
  assert.deepEqual(inferVariableValue([true]).value, { $case: 'jsonArr', value: '[true]' });
  assert.deepEqual(inferVariableValue(undefined), { value: undefined });
  assert.throws(() => inferVariableValue(() => 1), ValueConversionError);
  assert.deepEqual(decodeVariableValue(inferVariableValue({ k: [1] })), { k: [1] });
  assert.equal(decodeVariableValue(inferVariableValue(5)), 5n, 'untyped decode keeps int64 as bigint');
});
