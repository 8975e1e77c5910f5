import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutTaskDefRequest, PutWfSpecRequest, VariableType, WfRunVariableAccessLevel, WfSpec } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { FakeWorld } from '../testing/fake-context.ts';
import { putTaskDef } from '../handlers/put-task-def.ts';
import { putWfSpec } from '../handlers/put-wf-spec.ts';
import { edgeTo, literal, intValue, strValue, varDef, varRef } from './spec-fixtures.ts';

function put(world: FakeWorld, req: PutWfSpecRequest): WfSpec {
  const out = world.exec((ctx) => putWfSpec(ctx, req), { $case: 'putWfSpec', value: req });
  assert.ok(out);
  return WfSpec.decode(out);
}

function refusal(world: FakeWorld, req: PutWfSpecRequest): ApiError {
  try {
    put(world, req);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  assert.fail('expected the WfSpec to be refused');
}

/** entry -> (middle nodes) -> exit, in one entrypoint thread. */
function spec(name: string, vars: PutWfSpecRequest['threadSpecs'][string]['variableDefs'], middle: Array<[string, PutWfSpecRequest['threadSpecs'][string]['nodes'][string]['node']]> = []): PutWfSpecRequest {
  const names = ['entry', ...middle.map(([n]) => n), 'exit'];
  const nodes: Record<string, unknown> = { entry: { node: { $case: 'entrypoint', value: {} }, outgoingEdges: [edgeTo(names[1] ?? 'exit')] } };
  middle.forEach(([n, node], i) => {
    nodes[n] = { node, outgoingEdges: [edgeTo(names[i + 2] ?? 'exit')] };
  });
  nodes['exit'] = { node: { $case: 'exit', value: {} } };
  return PutWfSpecRequest.fromPartial({ name, entrypointThreadName: 'entrypoint', threadSpecs: { entrypoint: { variableDefs: vars, nodes } } } as unknown as PutWfSpecRequest);
}

function world(): FakeWorld {
  const w = new FakeWorld();
  const td = PutTaskDefRequest.fromPartial({ name: 'greet', inputVars: [{ name: 'name', type: VariableType.STR }] });
  w.exec((ctx) => putTaskDef(ctx, td), { $case: 'putTaskDef', value: td });
  put(w, spec('parent', [varDef('shared', VariableType.STR, { accessLevel: WfRunVariableAccessLevel.PUBLIC_VAR }), varDef('secret', VariableType.STR, { accessLevel: WfRunVariableAccessLevel.PRIVATE_VAR })]));
  return w;
}

const inherited = (name: string) => varDef(name, VariableType.STR, { accessLevel: WfRunVariableAccessLevel.INHERITED_VAR });

test('parent_wf_spec must exist and hold every inherited variable as a non-PRIVATE variable', () => {
  const w = world();
  const child = (vars: ReturnType<typeof varDef>[], parent = 'parent') => ({ ...spec('child', vars), parentWfSpec: { wfSpecName: parent, wfSpecMajorVersion: 0 } });
  const missingParent = refusal(w, child([], 'nobody'));
  assert.equal(missingParent.code, Code.INVALID_ARGUMENT);
  assert.match(missingParent.message, /nonexistent parent wfSpec nobody/);
  assert.match(refusal(w, child([inherited('ghost')])).message, /INHERITED variable ghost does not exist in parent WfSpec/);
  assert.match(refusal(w, child([inherited('secret')])).message, /Inherited variable secret is defined as PRIVATE in parent WfSpec/);
  const ok = put(w, child([inherited('shared')]));
  assert.equal(ok.parentWfSpec?.wfSpecName, 'parent');
});

test('RUN_CHILD_WF: the WfSpec must exist and take the inputs; major version -1 is pinned', () => {
  const w = world();
  put(w, spec('kid', [varDef('n', VariableType.INT, { required: true })]));
  const runChild = (wfSpecName: string, inputs: Record<string, ReturnType<typeof literal>>) =>
    ({ $case: 'runChildWf', value: { wfSpec: { $case: 'wfSpecName', value: wfSpecName }, majorVersion: -1, inputs } }) as const;
  assert.match(refusal(w, spec('p', [], [['run', runChild('nope', {})]])).message, /Could not find WfSpec nope/);
  assert.match(refusal(w, spec('p', [], [['run', runChild('kid', {})]])).message, /Missing required variable n/);
  assert.match(refusal(w, spec('p', [], [['run', runChild('kid', { n: literal(intValue(1)), m: literal(intValue(2)) })]])).message, /Var m provided but not needed/);
  assert.match(refusal(w, spec('p', [], [['run', runChild('kid', { n: literal(strValue('x')) })]])).message, /Var n should be INT/);
  const stored = put(w, spec('p', [], [['run', runChild('kid', { n: literal(intValue(1)) })]]));
  const node = stored.threadSpecs['entrypoint']?.nodes['run']?.node;
  assert.equal(node?.$case === 'runChildWf' ? node.value.majorVersion : undefined, 0);
  // Registering the same request again is not a change.
  const again = put(w, spec('p', [], [['run', runChild('kid', { n: literal(intValue(1)) })]]));
  assert.deepEqual(again.id, stored.id);
});

test('WAIT_FOR_CHILD_WF must wait for a RUN_CHILD_WF node', () => {
  const w = world();
  const wait = { $case: 'waitForChildWf', value: { childWfRunId: varRef('id'), childWfRunSourceNode: 'task' } } as const;
  const task = { $case: 'task' as const, value: { taskToExecute: { $case: 'taskDefId' as const, value: { name: 'greet' } }, variables: [literal(strValue('x'))], timeoutSeconds: 0, retries: 0 } };
  const e = refusal(w, spec('p', [varDef('id', VariableType.WF_RUN_ID)], [['task', task], ['wait', wait]]));
  assert.equal(e.code, Code.INVALID_ARGUMENT);
  assert.match(e.message, /Specified node task is not of type RunChildWf/);
});
