import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutWfSpecRequest } from '@filly/proto';
import { defineTask } from '../worker/task-definition.ts';
import type { ThreadFunc } from './compile-context.ts';
import { Workflow } from './workflow.ts';

// Expected values follow upstream's builder: declareStruct gives a StructDefId type
// (version -1 = latest unless given), declareArray / declareMap an InlineArrayDef /
// InlineMapDef; buildStruct compiles to a StructBuilder assignment whose nested
// buildInlineStruct() values are sub_structures; get() reads through an LHPath.

type Json = Record<string, unknown>;
const v = (name: string): Json => ({ variableName: name });
const lit = (value: Json): Json => ({ literalValue: value });
const prim = (type: string): Json => ({ primitiveType: type });
const def = (name: string, typeDef: Json, extra: Json = {}): Json => ({ varDef: { name, typeDef }, accessLevel: 'PRIVATE_VAR', ...extra });

const describe = defineTask({ name: 'describe', input: { make: 'STR' }, output: 'JSON_OBJ' }, () => ({}));
const log = defineTask({ name: 'log', input: { line: 'STR' } }, () => undefined);

function thread(wf: Workflow): { nodes: Record<string, Json>; variableDefs: Json[] } {
  const json = PutWfSpecRequest.toJSON(wf.compile()) as { threadSpecs: Record<string, { nodes: Record<string, Json>; variableDefs: Json[] }> };
  const t = json.threadSpecs['entrypoint'];
  assert.ok(t !== undefined);
  return t;
}

test('struct, native array and native map variables carry their TypeDefinitions', () => {
  const wf = new Workflow('typed', (t) => {
    t.declareStruct('car', 'car');
    t.declareStruct('old-car', 'car', 2).masked();
    t.declareArray('ids', 'INT');
    t.declareArray('fleet', { struct: 'car' });
    t.declareMap('prices', 'STR', 'DOUBLE');
    t.declareMap('grid', 'INT', { arrayOf: 'BOOL' });
    t.declareJsonObj('doc').searchableOn('$.name', 'STR');
  });
  const car = { structDefId: { name: 'car', version: -1 } };
  assert.deepEqual(thread(wf).variableDefs, [
    def('car', car),
    def('old-car', { structDefId: { name: 'car', version: 2 }, masked: true }),
    def('ids', { inlineArrayDef: { arrayType: prim('INT') } }),
    def('fleet', { inlineArrayDef: { arrayType: car } }),
    def('prices', { inlineMapDef: { keyType: prim('STR'), valueType: prim('DOUBLE') } }),
    def('grid', { inlineMapDef: { keyType: prim('INT'), valueType: { inlineArrayDef: { arrayType: prim('BOOL') } } } }),
    def('doc', prim('JSON_OBJ'), { jsonIndexes: [{ fieldPath: '$.name', fieldType: 'STR' }] }),
  ]);
});

test('buildStruct with a nested inline struct; get() paths on variables and node outputs', () => {
  const wf = new Workflow('structs', (t) => {
    const car = t.declareStruct('car', 'car');
    const make = t.declareStr('make');
    const ids = t.declareArray('ids', 'INT');
    car.assign(
      t.buildStruct('car').put('make', make).put('year', 2020).put('engine', t.buildInlineStruct().put('cc', 1600).put('fuel', 'petrol')),
    );
    const described = t.execute(describe, { make: car.get('make') });
    t.execute(log, { line: described.get('owners').get(0) });
    t.execute(log, { line: t.format('{0}', ids.get(3)) });
  });
  const { nodes } = thread(wf);
  assert.deepEqual(nodes['0-entrypoint-ENTRYPOINT'], {
    outgoingEdges: [
      {
        sinkNodeName: '1-describe-TASK',
        variableMutations: [
          {
            lhsName: 'car',
            rhsAssignment: {
              structBuilder: {
                structDefId: { name: 'car', version: -1 },
                value: {
                  fields: {
                    make: { simpleValue: v('make') },
                    year: { simpleValue: lit({ int: '2020' }) },
                    engine: {
                      subStructure: {
                        fields: { cc: { simpleValue: lit({ int: '1600' }) }, fuel: { simpleValue: lit({ str: 'petrol' }) } },
                      },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    ],
    entrypoint: {},
  });
  assert.deepEqual((nodes['1-describe-TASK']?.['task'] as Json)['variables'], [{ variableName: 'car', lhPath: { path: [{ key: 'make' }] } }]);
  assert.deepEqual((nodes['2-log-TASK']?.['task'] as Json)['variables'], [
    { nodeOutput: { nodeName: '1-describe-TASK' }, lhPath: { path: [{ key: 'owners' }, { index: 0 }] } },
  ]);
  assert.deepEqual((nodes['3-log-TASK']?.['task'] as Json)['variables'], [
    { formatString: { format: lit({ str: '{0}' }), args: [{ variableName: 'ids', lhPath: { path: [{ index: 3 }] } }] } },
  ]);
});

test('typed-value builder errors', () => {
  const build = (f: ThreadFunc): (() => unknown) => () => new Workflow('w', f).compile();
  assert.throws(build((t) => t.declareStruct('c', 'car').get('make').assign('x')), /cannot mutate through get\(\)/);
  assert.throws(build((t) => t.declareArray('a', 'INT').get('k')), /not allowed on variable a/);
  assert.throws(build((t) => t.declareArray('a', 'JSON_OBJ')), /cannot be an element/);
  assert.throws(build((t) => t.declareMap('m', 'JSON_ARR' as never, 'INT')), /cannot be an element, key or value/);
  assert.throws(build((t) => t.declareJsonObj('j').jsonPath('$.a').get('b')), /jsonPath\(\) and get\(\)/);
  assert.throws(build((t) => t.declareStruct('c', '')), /must not be empty/);
  assert.throws(build((t) => t.declareArray('a', 'INT').get(-1)), /non-negative int32/);
  assert.throws(build((t) => t.declareJsonArr('j').searchableOn('name', 'STR')), /must start with "\$\."/);
});
