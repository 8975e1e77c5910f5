import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutTaskDefRequest, VariableType, WfRunVariableAccessLevel, WfSpec } from '@filly/proto';
import type { PutWfSpecRequest, WfSpecId } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { FakeWorld } from '../testing/fake-context.ts';
import { latestWfSpec, wfSpecById } from '../metadata-reads.ts';
import type { StateTx } from '../context.ts';
import { entryThread, simpleRequest, varDef } from '../wf-spec/spec-fixtures.ts';
import { putTaskDef } from './put-task-def.ts';
import { putWfSpec } from './put-wf-spec.ts';
import { deleteWfSpec } from './delete-wf-spec.ts';

function worldWithGreet(): FakeWorld {
  const world = new FakeWorld();
  const req = PutTaskDefRequest.fromPartial({ name: 'greet', inputVars: [{ name: 'name', type: VariableType.STR }] });
  world.exec((ctx) => putTaskDef(ctx, req), { $case: 'putTaskDef', value: req });
  return world;
}

function put(world: FakeWorld, req: PutWfSpecRequest): WfSpec {
  const out = world.exec((ctx) => putWfSpec(ctx, req), { $case: 'putWfSpec', value: req });
  assert.ok(out);
  return WfSpec.decode(out);
}

function del(world: FakeWorld, id: WfSpecId): void {
  world.exec((ctx) => deleteWfSpec(ctx, { id }), { $case: 'deleteWfSpec', value: { id } });
}

function read<T>(world: FakeWorld, fn: (tx: StateTx) => T): T {
  let out: T | undefined;
  world.exec((ctx) => {
    out = fn(ctx);
    return undefined;
  }, { $case: 'initializeCluster', value: {} });
  return out as T;
}

const v = (s: WfSpec | undefined): string | undefined => (s?.id ? `${s.id.majorVersion}.${s.id.revision}` : undefined);

/** A request whose public variables make it a new major version each time `n` changes. */
function withPublic(n: number, revision = 0): PutWfSpecRequest {
  const req = simpleRequest();
  for (let i = 0; i < n; i++) entryThread(req).variableDefs.push(varDef(`p${i}`, VariableType.INT, { accessLevel: WfRunVariableAccessLevel.PUBLIC_VAR }));
  for (let i = 0; i < revision; i++) entryThread(req).variableDefs.push(varDef(`r${i}`, VariableType.INT));
  return req;
}

test('PutWfSpec stores version 0.0, ACTIVE, with created_at, readable as latest and by id', () => {
  const world = worldWithGreet();
  const spec = put(world, simpleRequest());
  assert.equal(v(spec), '0.0');
  assert.equal(spec.status, 0);
  assert.equal(spec.createdAt?.seconds, BigInt(Math.floor(world.nowMs / 1000)));
  assert.equal(v(read(world, (tx) => latestWfSpec(tx, 'default', 'hello'))), '0.0');
  assert.equal(v(read(world, (tx) => wfSpecById(tx, 'default', { name: 'hello', majorVersion: 0, revision: 0 }))), '0.0');
  assert.equal(read(world, (tx) => latestWfSpec(tx, 'default', 'other')), undefined);
});

test('re-registering the same spec returns it unchanged and writes nothing', () => {
  const world = worldWithGreet();
  const first = put(world, simpleRequest());
  const before = world.keysWithPrefix('m/default/wfspec');
  world.advanceMs(60_000);
  const again = put(world, simpleRequest());
  assert.deepEqual(again, first);
  assert.deepEqual(world.keysWithPrefix('m/default/wfspec'), before);
});

test('latest, latest of a major, and exact versions resolve through pointers', () => {
  const world = worldWithGreet();
  put(world, withPublic(0));
  put(world, withPublic(0, 1));
  put(world, withPublic(1));
  put(world, withPublic(1, 1));
  put(world, withPublic(1, 2));
  assert.equal(v(read(world, (tx) => latestWfSpec(tx, 'default', 'hello'))), '1.2');
  assert.equal(v(read(world, (tx) => latestWfSpec(tx, 'default', 'hello', 0))), '0.1');
  assert.equal(v(read(world, (tx) => latestWfSpec(tx, 'default', 'hello', 1))), '1.2');
  assert.equal(read(world, (tx) => latestWfSpec(tx, 'default', 'hello', 7)), undefined);
});

test('deleting the latest version makes the previous one latest; deleting all clears pointers', () => {
  const world = worldWithGreet();
  put(world, withPublic(0));
  put(world, withPublic(1));
  put(world, withPublic(1, 1));
  del(world, { name: 'hello', majorVersion: 1, revision: 1 });
  assert.equal(v(read(world, (tx) => latestWfSpec(tx, 'default', 'hello'))), '1.0');
  assert.equal(v(read(world, (tx) => latestWfSpec(tx, 'default', 'hello', 1))), '1.0');
  del(world, { name: 'hello', majorVersion: 1, revision: 0 });
  assert.equal(v(read(world, (tx) => latestWfSpec(tx, 'default', 'hello'))), '0.0');
  assert.equal(read(world, (tx) => latestWfSpec(tx, 'default', 'hello', 1)), undefined);
  del(world, { name: 'hello', majorVersion: 0, revision: 0 });
  assert.equal(read(world, (tx) => latestWfSpec(tx, 'default', 'hello')), undefined);
  assert.deepEqual(world.keysWithPrefix('m/default/wfspec'), []);
  // A new registration starts again at 0.0.
  assert.equal(v(put(world, simpleRequest())), '0.0');
});

test('deleting an older version leaves the latest pointer alone', () => {
  const world = worldWithGreet();
  put(world, withPublic(0));
  put(world, withPublic(1));
  del(world, { name: 'hello', majorVersion: 0, revision: 0 });
  assert.equal(v(read(world, (tx) => latestWfSpec(tx, 'default', 'hello'))), '1.0');
  assert.equal(read(world, (tx) => latestWfSpec(tx, 'default', 'hello', 0)), undefined);
});

test('DeleteWfSpec of a missing version is NOT_FOUND', () => {
  const world = worldWithGreet();
  put(world, simpleRequest());
  assert.throws(() => del(world, { name: 'hello', majorVersion: 0, revision: 5 }), (e: unknown) => e instanceof ApiError && e.code === Code.NOT_FOUND);
});

test('an invalid spec writes nothing', () => {
  const world = new FakeWorld();
  assert.throws(() => put(world, simpleRequest()), (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT && /TaskDef 'greet'/.test(e.message));
  assert.deepEqual(world.keysWithPrefix('m/'), []);
});

test('specs are per tenant', () => {
  const world = worldWithGreet();
  put(world, simpleRequest());
  assert.equal(read(world, (tx) => latestWfSpec(tx, 'other-tenant', 'hello')), undefined);
});
