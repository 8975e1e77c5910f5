import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskDef, VariableType, type PutWfSpecRequest, type StructDef, type VariableAssignment } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { DEFAULT_LIMITS } from '../../config/limits.ts';
import { personDef, prim, structType } from '../structs/test-structs.ts';
import { validateWfSpecRequest } from './validate-wf-spec.ts';
import { TASK, entryThread, literal, lookupOf, node, simpleRequest, strValue, varDef, varRef } from './spec-fixtures.ts';

const person: StructDef = { id: { name: 'person', version: 3 }, structDef: personDef() };
const greetPerson = TaskDef.fromPartial({ id: { name: 'greet' }, inputVars: [{ name: 'p', typeDef: structType('person', 3) }] });
const lookup = { ...lookupOf([greetPerson]), structDef: (name: string) => (name === 'person' ? person : undefined) };

function requestPassing(input: VariableAssignment, vars = [varDef('p', VariableType.INT, { varDef: { name: 'p', typeDef: structType('person', -1) } })]): PutWfSpecRequest {
  const req = simpleRequest();
  entryThread(req).variableDefs = vars;
  const n = node(req, TASK).node;
  assert.ok(n?.$case === 'task');
  n.value.variables = [input];
  return req;
}

const builder = (fields: Record<string, VariableAssignment>): VariableAssignment => ({
  source: {
    $case: 'structBuilder',
    value: {
      structDefId: { name: 'person', version: -1 },
      value: { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { structValue: { $case: 'simpleValue', value: v } }])) },
    },
  },
});

function refused(req: PutWfSpecRequest, message: RegExp): void {
  assert.throws(() => validateWfSpecRequest(req, lookup, DEFAULT_LIMITS),
    (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT && message.test(e.message));
}

test('a STRUCT variable and a complete struct builder may feed a task taking that StructDef', () => {
  validateWfSpecRequest(requestPassing(varRef('p')), lookup, DEFAULT_LIMITS);
  validateWfSpecRequest(requestPassing(builder({ name: literal(strValue('Ada')), age: literal({ value: { $case: 'int', value: 3n } }) })), lookup, DEFAULT_LIMITS);
});

test('struct builders missing a field, with an unknown field or a wrong field type are refused', () => {
  refused(requestPassing(builder({ name: literal(strValue('Ada')) })), /Missing required field\(s\) for StructDef person\/00003: age/);
  refused(requestPassing(builder({ name: literal(strValue('Ada')), age: literal({ value: { $case: 'int', value: 1n } }), x: literal(strValue('y')) })),
    /does not contain field 'x'/);
  refused(requestPassing(builder({ name: literal(strValue('Ada')), age: literal(strValue('x')) })), /Field 'age' expects INT but got STR/);
});

test('a variable of the wrong type, an unknown StructDef and a bad field path are refused', () => {
  refused(requestPassing(varRef('s'), [varDef('s', VariableType.STR)]), /Cannot assign STR to Struct<person,v3> without explicit casting/);
  refused(requestPassing(varRef('p'), [varDef('p', VariableType.INT, { varDef: { name: 'p', typeDef: structType('ghost') } })]),
    /Refers to non-existent StructDef ghost/);
  const byPath = (key: string): VariableAssignment => ({ ...varRef('p'), path: { $case: 'lhPath', value: { path: [{ selectorType: { $case: 'key', value: key } }] } } });
  const strTask = lookupOf();
  const strLookup = { ...strTask, structDef: lookup.structDef };
  validateWfSpecRequest(requestPassing(byPath('name')), strLookup, DEFAULT_LIMITS);
  assert.throws(() => validateWfSpecRequest(requestPassing(byPath('height')), strLookup, DEFAULT_LIMITS), /could not find field 'height' on type Struct<person,v-1>/);
  const intTask = TaskDef.fromPartial({ id: { name: 'greet' }, inputVars: [{ name: 'n', typeDef: prim(VariableType.INT) }] });
  validateWfSpecRequest(requestPassing(byPath('age')), { ...lookupOf([intTask]), structDef: lookup.structDef }, DEFAULT_LIMITS);
  assert.throws(() => validateWfSpecRequest(requestPassing(byPath('name')), { ...lookupOf([intTask]), structDef: lookup.structDef }, DEFAULT_LIMITS),
    /TaskDef 'greet' expects INT, but the node passes STR/);
});

test('casts: legal ones pass statically, impossible ones are refused', () => {
  const cast = (a: VariableAssignment, t: VariableType): VariableAssignment => ({ ...a, targetType: prim(t) });
  const strLookup = { ...lookupOf(), structDef: lookup.structDef };
  validateWfSpecRequest(requestPassing(cast(varRef('n'), VariableType.STR), [varDef('n', VariableType.INT)]), strLookup, DEFAULT_LIMITS);
  assert.throws(() => validateWfSpecRequest(requestPassing(cast(varRef('b'), VariableType.INT), [varDef('b', VariableType.BOOL)]), strLookup, DEFAULT_LIMITS),
    /Cannot cast from BOOL to INT. This conversion is not supported./);
  assert.throws(() => validateWfSpecRequest(requestPassing(cast(varRef('p'), VariableType.STR)), strLookup, DEFAULT_LIMITS),
    /Cannot cast from Struct<person,v-1> to STR/);
});
