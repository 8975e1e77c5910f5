import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VarMutationError, VarSubError } from './errors.ts';

test('error classes are distinct Error subclasses with their own name', () => {
  const a = new VarSubError('x');
  const b = new VarMutationError('y');
  assert.ok(a instanceof Error && b instanceof Error);
  assert.ok(!(a instanceof VarMutationError));
  assert.ok(!(b instanceof VarSubError));
  assert.equal(a.name, 'VarSubError');
  assert.equal(b.name, 'VarMutationError');
  assert.equal(b.message, 'y');
});
