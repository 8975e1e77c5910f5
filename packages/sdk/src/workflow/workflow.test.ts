import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllowedUpdateType, PutWfSpecRequest, LHErrorType } from '@filly/proto';
import { defineTask } from '../worker/task-definition.ts';
import { Workflow } from './workflow.ts';

// Expected requests below are written in protobuf JSON, node by node, following how the
// upstream Java builder (WorkflowThreadImpl) names and wires nodes for the same code.

const greet = defineTask({ name: 'greet', input: { name: 'STR', times: 'INT' }, output: 'STR' }, () => '');
const a = defineTask({ name: 'a', input: { x: 'INT' }, output: 'STR' }, () => 'x');
const b = defineTask({ name: 'b', input: {} }, () => undefined);
const c = defineTask({ name: 'c', input: {} }, () => undefined);

type Json = Record<string, unknown>;
const v = (name: string): Json => ({ variableName: name });
const lit = (value: Json): Json => ({ literalValue: value });
const edge = (sinkNodeName: string, extra: Json = {}): Json => ({ sinkNodeName, ...extra });
const cmp = (lhs: Json, comparator: string, rhs: Json): Json => ({ expression: { lhs, comparator, rhs } });
const nop = (...outgoingEdges: Json[]): Json => ({ outgoingEdges, nop: {} });
const entry = (first: string): Json => ({ outgoingEdges: [edge(first)], entrypoint: {} });
const exit: Json = { exit: {} };
const varDef = (name: string, type: string, extra: Json = {}): Json => ({
  varDef: { name, typeDef: { primitiveType: type } },
  accessLevel: 'PRIVATE_VAR',
  ...extra,
});

function nodesOf(wf: Workflow, thread = 'entrypoint'): unknown {
  const json = PutWfSpecRequest.toJSON(wf.compile()) as { threadSpecs: Record<string, { nodes: unknown }> };
  return json.threadSpecs[thread]?.nodes;
}

test('a single task: entrypoint, task, exit and typed variable defs', () => {
  const wf = new Workflow('hello', (t) => {
    const name = t.declareStr('name').required().searchable();
    const times = t.declareInt('times', 2).masked();
    t.execute(greet, { name, times });
  });
  assert.deepEqual(PutWfSpecRequest.toJSON(wf.compile()), {
    name: 'hello',
    entrypointThreadName: 'entrypoint',
    threadSpecs: {
      entrypoint: {
        nodes: {
          '0-entrypoint-ENTRYPOINT': entry('1-greet-TASK'),
          '1-greet-TASK': {
            outgoingEdges: [edge('2-exit-EXIT')],
            task: { taskDefId: { name: 'greet' }, variables: [v('name'), v('times')] },
          },
          '2-exit-EXIT': exit,
        },
        variableDefs: [
          varDef('name', 'STR', { required: true, searchable: true }),
          {
            varDef: { name: 'times', typeDef: { primitiveType: 'INT', masked: true }, defaultValue: { int: '2' } },
            accessLevel: 'PRIVATE_VAR',
          },
        ],
      },
    },
  });
});

test('task literals take the declared input type; options set retries, timeout and backoff', () => {
  const scale = defineTask({ name: 'scale', input: { f: 'DOUBLE', s: 'STR' } }, () => undefined);
  const wf = new Workflow('opts', (t) => {
    t.execute(scale, { f: 3, s: 'x' }, { retries: 2, timeoutSeconds: 30, exponentialBackoff: { baseIntervalMs: 100, maxDelayMs: 1000, multiplier: 2 } });
  });
  assert.deepEqual((nodesOf(wf) as Json)['1-scale-TASK'], {
    outgoingEdges: [edge('2-exit-EXIT')],
    task: {
      taskDefId: { name: 'scale' },
      timeoutSeconds: 30,
      retries: 2,
      exponentialBackoff: { baseIntervalMs: 100, maxDelayMs: '1000', multiplier: 2 },
      variables: [lit({ double: 3 }), lit({ str: 'x' })],
    },
  });
});

test('doIf / doElse: nop, conditional edge into the body, else edge to the body of the else', () => {
  const wf = new Workflow('if-else', (t) => {
    const n = t.declareInt('n');
    t.doIf(n.isGreaterThan(5), (w) => {
      w.execute(a, { x: n });
    }).doElse((w) => {
      w.execute(b, {});
    });
  });
  const cond = cmp(v('n'), 'GREATER_THAN', lit({ int: '5' }));
  assert.deepEqual(nodesOf(wf), {
    '0-entrypoint-ENTRYPOINT': entry('1-nop-NOP'),
    '1-nop-NOP': nop(edge('2-a-TASK', { condition: cond }), edge('4-b-TASK')),
    '2-a-TASK': { outgoingEdges: [edge('3-nop-NOP')], task: { taskDefId: { name: 'a' }, variables: [v('n')] } },
    '3-nop-NOP': nop(edge('5-exit-EXIT')),
    '4-b-TASK': { outgoingEdges: [edge('3-nop-NOP')], task: { taskDefId: { name: 'b' } } },
    '5-exit-EXIT': exit,
  });
});

test('doIf without else keeps an unconditional edge to the closing nop', () => {
  const wf = new Workflow('if-only', (t) => {
    const flag = t.declareBool('flag');
    t.doIf(flag, (w) => {
      w.execute(b, {});
    });
  });
  assert.deepEqual(nodesOf(wf), {
    '0-entrypoint-ENTRYPOINT': entry('1-nop-NOP'),
    '1-nop-NOP': nop(edge('2-b-TASK', { condition: v('flag') }), edge('3-nop-NOP')),
    '2-b-TASK': { outgoingEdges: [edge('3-nop-NOP')], task: { taskDefId: { name: 'b' } } },
    '3-nop-NOP': nop(edge('4-exit-EXIT')),
    '4-exit-EXIT': exit,
  });
});

test('doElseIf chains keep branch order and put the else edge last', () => {
  const wf = new Workflow('chain', (t) => {
    const s = t.declareStr('s');
    t.doIf(s.isEqualTo('x'), (w) => {
      w.execute(a, { x: 1 });
    })
      .doElseIf(s.isEqualTo('y'), (w) => {
        w.execute(b, {});
      })
      .doElse((w) => {
        w.execute(c, {});
      });
  });
  const isX = cmp(v('s'), 'EQUALS', lit({ str: 'x' }));
  const isY = cmp(v('s'), 'EQUALS', lit({ str: 'y' }));
  assert.deepEqual(nodesOf(wf), {
    '0-entrypoint-ENTRYPOINT': entry('1-nop-NOP'),
    '1-nop-NOP': nop(edge('2-a-TASK', { condition: isX }), edge('4-b-TASK', { condition: isY }), edge('5-c-TASK')),
    '2-a-TASK': { outgoingEdges: [edge('3-nop-NOP')], task: { taskDefId: { name: 'a' }, variables: [lit({ int: '1' })] } },
    '3-nop-NOP': nop(edge('6-exit-EXIT')),
    '4-b-TASK': { outgoingEdges: [edge('3-nop-NOP')], task: { taskDefId: { name: 'b' } } },
    '5-c-TASK': { outgoingEdges: [edge('3-nop-NOP')], task: { taskDefId: { name: 'c' } } },
    '6-exit-EXIT': exit,
  });
});

test('an empty else branch becomes a direct edge from the first to the last nop', () => {
  const wf = new Workflow('empty-else', (t) => {
    const n = t.declareInt('n');
    t.doIf(n.isLessThan(1), (w) => {
      w.execute(b, {});
    }).doElse((w) => {
      n.assign(7);
      void w;
    });
  });
  const assign7 = { lhsName: 'n', rhsAssignment: lit({ int: '7' }) };
  assert.deepEqual((nodesOf(wf) as Json)['1-nop-NOP'], nop(
    edge('2-b-TASK', { condition: cmp(v('n'), 'LESS_THAN', lit({ int: '1' })) }),
    edge('3-nop-NOP', { variableMutations: [assign7] }),
  ));
});

test('doWhile: loop edges with the reversed condition out and the condition back', () => {
  const wf = new Workflow('loop', (t) => {
    const i = t.declareInt('i', 0);
    t.doWhile(i.isLessThan(3), (w) => {
      w.execute(b, {});
      i.assign(w.add(i, 1));
    });
  });
  const lt = cmp(v('i'), 'LESS_THAN', lit({ int: '3' }));
  const gte = cmp(v('i'), 'GREATER_THAN_EQ', lit({ int: '3' }));
  const increment = {
    lhsName: 'i',
    // ASSIGN is the enum's zero value, so protobuf JSON leaves it out
    rhsAssignment: { expression: { lhs: v('i'), mutationType: 'ADD', rhs: lit({ int: '1' }) } },
  };
  assert.deepEqual(nodesOf(wf), {
    '0-entrypoint-ENTRYPOINT': entry('1-nop-NOP'),
    '1-nop-NOP': nop(edge('2-b-TASK', { condition: lt }), edge('3-nop-NOP', { condition: gte })),
    '2-b-TASK': { outgoingEdges: [edge('3-nop-NOP', { variableMutations: [increment] })], task: { taskDefId: { name: 'b' } } },
    '3-nop-NOP': nop(edge('1-nop-NOP', { condition: lt }), edge('4-exit-EXIT')),
    '4-exit-EXIT': exit,
  });
});

test('sleep, external event with timeout, format, node output mutation and complete', () => {
  const wf = new Workflow('misc', (t) => {
    const when = t.declareTimestamp('when');
    const name = t.declareStr('name');
    const doc = t.declareJsonObj('doc');
    t.sleepSeconds(10);
    t.sleepUntil(when);
    const evt = t.waitForEvent('approved', { timeoutSeconds: 60 });
    doc.assign(evt);
    const out = t.execute(greet, { name: t.format('{0}-{1}', name, doc.jsonPath('$.id')), times: evt.jsonPath('$.n') });
    t.complete(out);
  });
  assert.deepEqual(nodesOf(wf), {
    '0-entrypoint-ENTRYPOINT': entry('1-sleep-SLEEP'),
    '1-sleep-SLEEP': { outgoingEdges: [edge('2-sleep-SLEEP')], sleep: { rawSeconds: lit({ int: '10' }) } },
    '2-sleep-SLEEP': { outgoingEdges: [edge('3-approved-EXTERNAL_EVENT')], sleep: { timestamp: v('when') } },
    '3-approved-EXTERNAL_EVENT': {
      outgoingEdges: [
        edge('4-greet-TASK', {
          variableMutations: [
            { lhsName: 'doc', rhsAssignment: { nodeOutput: { nodeName: '3-approved-EXTERNAL_EVENT' } } },
          ],
        }),
      ],
      externalEvent: { externalEventDefId: { name: 'approved' }, timeoutSeconds: lit({ int: '60' }) },
    },
    '4-greet-TASK': {
      outgoingEdges: [edge('5-complete-EXIT')],
      task: {
        taskDefId: { name: 'greet' },
        variables: [
          { formatString: { format: lit({ str: '{0}-{1}' }), args: [v('name'), { jsonPath: '$.id', variableName: 'doc' }] } },
          { jsonPath: '$.n', nodeOutput: { nodeName: '3-approved-EXTERNAL_EVENT' } },
        ],
      },
    },
    '5-complete-EXIT': { exit: { returnContent: { nodeOutput: { nodeName: '4-greet-TASK' } } } },
  });
});

test('fail() is an EXIT with a failure; nothing links out of an EXIT', () => {
  const wf = new Workflow('failing', (t) => {
    const n = t.declareInt('n');
    t.doIf(n.isLessThan(0), (w) => w.fail('negative-input', 'n must be >= 0'));
    t.execute(b, {});
  });
  const nodes = nodesOf(wf) as Json;
  assert.deepEqual(nodes['2-negative-input-EXIT'], {
    exit: { failureDef: { failureName: 'negative-input', message: 'n must be >= 0' } },
  });
  assert.deepEqual(Object.keys(nodes), [
    '0-entrypoint-ENTRYPOINT', '1-nop-NOP', '2-negative-input-EXIT', '3-nop-NOP', '4-b-TASK', '5-exit-EXIT',
  ]);
});

test('exception handlers, spawned threads and interrupts become extra thread specs', () => {
  const wf = new Workflow('threads', (t) => {
    const out = t.execute(b, {});
    t.handleException(out, 'out-of-stock', (h) => h.execute(c, {}));
    t.handleError(out, LHErrorType.TIMEOUT, (h) => h.execute(c, {}));
    const child = t.spawnThread('child', (ch) => ch.execute(c, {}));
    t.waitForThreads(child);
    t.registerInterruptHandler('cancel', (h) => h.execute(c, {}));
  });
  const req = wf.compile();
  assert.deepEqual(Object.keys(req.threadSpecs), [
    'entrypoint',
    'exn-handler-1-b-TASK-out-of-stock',
    'exn-handler-1-b-TASK-TIMEOUT',
    'child',
    'interrupt-cancel',
  ]);
  const json = PutWfSpecRequest.toJSON(req) as { threadSpecs: Record<string, Json> };
  const entrypoint = json.threadSpecs['entrypoint'] as { nodes: Json; variableDefs: Json[]; interruptDefs: Json[] };
  assert.deepEqual((entrypoint.nodes['1-b-TASK'] as Json)['failureHandlers'], [
    { handlerSpecName: 'exn-handler-1-b-TASK-out-of-stock', specificFailure: 'out-of-stock' },
    { handlerSpecName: 'exn-handler-1-b-TASK-TIMEOUT', specificFailure: 'TIMEOUT' },
  ]);
  assert.deepEqual(entrypoint.nodes['2-child-START_THREAD'], {
    outgoingEdges: [
      edge('3-threads-WAIT_FOR_THREADS', {
        variableMutations: [
          { lhsName: '2-child-START_THREAD', rhsAssignment: { nodeOutput: { nodeName: '2-child-START_THREAD' } } },
        ],
      }),
    ],
    startThread: { threadSpecName: 'child' },
  });
  assert.deepEqual(entrypoint.variableDefs, [varDef('2-child-START_THREAD', 'INT')]);
  assert.deepEqual(entrypoint.interruptDefs, [{ externalEventDefId: { name: 'cancel' }, handlerSpecName: 'interrupt-cancel' }]);
});

test('compiling is deterministic: same code, byte-identical request', () => {
  const build = (): Workflow =>
    new Workflow('det', (t) => {
      const n = t.declareInt('n', 1);
      const s = t.declareStr('s');
      t.doWhile(n.isLessThan(10), (w) => {
        const out = w.execute(greet, { name: s, times: n });
        s.assign(out);
        n.assign(w.multiply(n, 2));
      });
      t.doIf(s.isEqualTo('done'), (w) => w.complete(s)).doElse((w) => w.fail('not-done'));
    }).withRetentionSeconds(3600).withUpdateType(AllowedUpdateType.MINOR_REVISION_UPDATES);
  const w1 = build();
  const first = w1.compileToBytes();
  assert.deepEqual(w1.compileToBytes(), first, 'same instance twice');
  assert.deepEqual(build().compileToBytes(), first, 'a fresh instance');
  const decoded = PutWfSpecRequest.decode(first);
  assert.equal(decoded.allowedUpdates, AllowedUpdateType.MINOR_REVISION_UPDATES);
  assert.deepEqual(decoded.retentionPolicy, { wfGcPolicy: { $case: 'secondsAfterWfTermination', value: 3600n } });
});

test('builder errors: unknown or missing task arguments, duplicate variables, bad names', () => {
  assert.throws(() => new Workflow('bad name', () => undefined), /must be letters/);
  assert.throws(
    () => new Workflow('w', (t) => t.execute(greet, { name: 'x' } as never)).compile(),
    /missing argument "times"/,
  );
  assert.throws(
    () => new Workflow('w', (t) => t.execute(b, { extra: 1 } as never)).compile(),
    /unknown argument/,
  );
  assert.throws(
    () =>
      new Workflow('w', (t) => {
        t.declareStr('x');
        t.declareInt('x');
      }).compile(),
    /declared twice/,
  );
});
