import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LHErrorType, PutWfSpecRequest } from '@filly/proto';
import { defineTask } from '../worker/task-definition.ts';
import { SpawnedThreads } from './threads.ts';
import { Workflow } from './workflow.ts';

// Expected requests are protobuf JSON derived from upstream's Java builder
// (WorkflowThreadImpl.spawnThread / spawnThreadForEach / waitForThreads and
// WaitForThreadsNodeOutputImpl): node "<n>-<thread>-START_THREAD", an INT variable of
// the same name assigned from the node's output, "<n>-threads-WAIT_FOR_THREADS", and
// per-child handler threads "exn-handler-" / "error-handler-" / "failure-handler-".

type Json = Record<string, unknown>;
const v = (name: string): Json => ({ variableName: name });
const lit = (value: Json): Json => ({ literalValue: value });
const out = (nodeName: string): Json => ({ nodeOutput: { nodeName } });
const edge = (sinkNodeName: string, extra: Json = {}): Json => ({ sinkNodeName, ...extra });
const keep = (node: string): Json => ({ variableMutations: [{ lhsName: node, rhsAssignment: out(node) }] });
const varDef = (name: string, type: string): Json => ({ varDef: { name, typeDef: { primitiveType: type } }, accessLevel: 'PRIVATE_VAR' });

const work = defineTask({ name: 'work', input: {} }, () => undefined);
const take = defineTask({ name: 'take', input: { item: 'JSON_OBJ' } }, () => undefined);

function json(wf: Workflow): { threadSpecs: Record<string, { nodes: Record<string, Json>; variableDefs?: Json[] }> } {
  return PutWfSpecRequest.toJSON(wf.compile()) as never;
}

test('spawnThread with inputs, waitForThreads on two threads, per-child failure handlers', () => {
  const wf = new Workflow('parallel', (t) => {
    const id = t.declareStr('id');
    const a = t.spawnThread('child-a', (c) => {
      c.declareStr('x');
      c.execute(work, {});
    }, { x: id });
    const b = t.spawnThread('child-b', (c) => c.execute(work, {}), { n: 5 });
    t.waitForThreads(a, b)
      .handleExceptionOnChild('oops', (h) => h.execute(work, {}))
      .handleErrorOnChild(LHErrorType.TIMEOUT, (h) => h.execute(work, {}))
      .handleErrorOnChild(undefined, (h) => h.execute(work, {}))
      .handleExceptionOnChild(undefined, (h) => h.execute(work, {}))
      .handleAnyFailureOnChild((h) => h.execute(work, {}));
  });
  const spec = json(wf);
  const w = '3-threads-WAIT_FOR_THREADS';
  assert.deepEqual(Object.keys(spec.threadSpecs), [
    'entrypoint',
    'child-a',
    'child-b',
    `exn-handler-${w}-oops`,
    `error-handler-${w}-TIMEOUT`,
    `error-handler-${w}-FAILURE_TYPE_ERROR`,
    `exn-handler-${w}-FAILURE_TYPE_EXCEPTION`,
    `failure-handler-${w}-ANY_FAILURE`,
  ]);
  const entry = spec.threadSpecs['entrypoint'];
  assert.deepEqual(entry?.nodes, {
    '0-entrypoint-ENTRYPOINT': { outgoingEdges: [edge('1-child-a-START_THREAD')], entrypoint: {} },
    '1-child-a-START_THREAD': {
      outgoingEdges: [edge('2-child-b-START_THREAD', keep('1-child-a-START_THREAD'))],
      startThread: { threadSpecName: 'child-a', variables: { x: v('id') } },
    },
    '2-child-b-START_THREAD': {
      outgoingEdges: [edge(w, keep('2-child-b-START_THREAD'))],
      startThread: { threadSpecName: 'child-b', variables: { n: lit({ int: '5' }) } },
    },
    [w]: {
      outgoingEdges: [edge('4-exit-EXIT')],
      waitForThreads: {
        threads: { threads: [{ threadRunNumber: v('1-child-a-START_THREAD') }, { threadRunNumber: v('2-child-b-START_THREAD') }] },
        perThreadFailureHandlers: [
          { handlerSpecName: `exn-handler-${w}-oops`, specificFailure: 'oops' },
          { handlerSpecName: `error-handler-${w}-TIMEOUT`, specificFailure: 'TIMEOUT' },
          { handlerSpecName: `error-handler-${w}-FAILURE_TYPE_ERROR`, anyFailureOfType: 'FAILURE_TYPE_ERROR' },
          { handlerSpecName: `exn-handler-${w}-FAILURE_TYPE_EXCEPTION`, anyFailureOfType: 'FAILURE_TYPE_EXCEPTION' },
          { handlerSpecName: `failure-handler-${w}-ANY_FAILURE` },
        ],
      },
    },
    '4-exit-EXIT': { exit: {} },
  });
  assert.deepEqual(entry?.variableDefs, [
    varDef('id', 'STR'),
    varDef('1-child-a-START_THREAD', 'INT'),
    varDef('2-child-b-START_THREAD', 'INT'),
  ]);
  assert.deepEqual(spec.threadSpecs['child-a']?.variableDefs, [varDef('x', 'STR')]);
  assert.deepEqual(Object.keys(spec.threadSpecs['child-a']?.nodes ?? {}), ['0-entrypoint-ENTRYPOINT', '1-work-TASK', '2-exit-EXIT']);
});

test('spawnThreadForEach: START_MULTIPLE_THREADS, a JSON_ARR of thread numbers, wait on the list', () => {
  const wf = new Workflow('fan-out', (t) => {
    const items = t.declareJsonArr('items');
    const each = t.spawnThreadForEach(items, 'per-item', (c) => {
      const input = c.declareJsonObj('INPUT');
      c.execute(take, { item: input });
    }, { tag: 'x' });
    t.waitForThreads(each);
  });
  const spec = json(wf);
  const s = '1-per-item-START_MULTIPLE_THREADS';
  assert.deepEqual(spec.threadSpecs['entrypoint']?.nodes, {
    '0-entrypoint-ENTRYPOINT': { outgoingEdges: [edge(s)], entrypoint: {} },
    [s]: {
      outgoingEdges: [edge('2-threads-WAIT_FOR_THREADS', keep(s))],
      startMultipleThreads: { threadSpecName: 'per-item', variables: { tag: lit({ str: 'x' }) }, iterable: v('items') },
    },
    '2-threads-WAIT_FOR_THREADS': { outgoingEdges: [edge('3-exit-EXIT')], waitForThreads: { threadList: v(s) } },
    '3-exit-EXIT': { exit: {} },
  });
  assert.deepEqual(spec.threadSpecs['entrypoint']?.variableDefs, [varDef('items', 'JSON_ARR'), varDef(s, 'JSON_ARR')]);
  assert.deepEqual(spec.threadSpecs['per-item']?.variableDefs, [varDef('INPUT', 'JSON_OBJ')]);
});

test('waitForFirstOf / waitForAnyOf set the strategy; SpawnedThreads.of groups handles', () => {
  const wf = new Workflow('race', (t) => {
    const a = t.spawnThread('a', (c) => c.execute(work, {}));
    const b = t.spawnThread('b', (c) => c.execute(work, {}));
    t.waitForFirstOf(SpawnedThreads.of(a, b));
    t.waitForAnyOf(b);
  });
  const nodes = json(wf).threadSpecs['entrypoint']?.nodes ?? {};
  assert.deepEqual(nodes['3-threads-WAIT_FOR_THREADS']?.['waitForThreads'], {
    threads: { threads: [{ threadRunNumber: v('1-a-START_THREAD') }, { threadRunNumber: v('2-b-START_THREAD') }] },
    strategy: 'WAIT_FOR_FIRST',
  });
  assert.deepEqual(nodes['4-threads-WAIT_FOR_THREADS']?.['waitForThreads'], {
    threads: { threads: [{ threadRunNumber: v('2-b-START_THREAD') }] },
    strategy: 'WAIT_FOR_ANY',
  });
  // The START_THREAD node carries no variables when none are given.
  assert.deepEqual(nodes['1-a-START_THREAD']?.['startThread'], { threadSpecName: 'a' });
});

test('a handler thread can declare INPUT; nested spawns build breadth-first', () => {
  const wf = new Workflow('nested', (t) => {
    const child = t.spawnThread('outer', (o) => {
      const inner = o.spawnThread('inner', (i) => i.execute(work, {}));
      o.waitForThreads(inner);
    });
    t.waitForThreads(child).handleExceptionOnChild('boom', (h) => {
      h.declareJsonObj('INPUT');
    });
  });
  const spec = json(wf);
  assert.deepEqual(Object.keys(spec.threadSpecs), ['entrypoint', 'outer', 'exn-handler-2-threads-WAIT_FOR_THREADS-boom', 'inner']);
  assert.deepEqual(spec.threadSpecs['exn-handler-2-threads-WAIT_FOR_THREADS-boom']?.variableDefs, [varDef('INPUT', 'JSON_OBJ')]);
});

test('thread builder errors: duplicate thread names, mixed wait arguments, empty groups', () => {
  assert.throws(
    () =>
      new Workflow('dup', (t) => {
        t.spawnThread('x', () => undefined);
        t.spawnThread('x', () => undefined);
      }).compile(),
    /thread x already exists/,
  );
  assert.throws(
    () =>
      new Workflow('mixed', (t) => {
        const a = t.spawnThread('a', () => undefined);
        t.waitForThreads(SpawnedThreads.of(a), a);
      }).compile(),
    /not both/,
  );
  assert.throws(() => SpawnedThreads.of(), /at least one/);
  assert.throws(
    () =>
      new Workflow('not-wait', (t) => {
        const out = t.execute(work, {});
        // Error types are checked against LHErrorType's names.
        t.handleError(out, 'NOT_A_TYPE' as never, () => undefined);
      }).compile(),
    /unknown LHErrorType/,
  );
});
