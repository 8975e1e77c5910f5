import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExternalEventDef, PutExternalEventDefRequest, VariableType } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { FakeWorld } from '../testing/fake-context.ts';
import { putExternalEventDef } from './put-external-event-def.ts';
import { deleteExternalEventDef } from './delete-external-event-def.ts';

function put(world: FakeWorld, req: PutExternalEventDefRequest): ExternalEventDef {
  const out = world.exec((ctx) => putExternalEventDef(ctx, req), { $case: 'putExternalEventDef', value: req });
  assert.ok(out);
  return ExternalEventDef.decode(out);
}

const req = (type = VariableType.STR): PutExternalEventDefRequest =>
  PutExternalEventDefRequest.fromPartial({
    name: 'approved',
    contentType: { returnType: { definedType: { $case: 'primitiveType', value: type } } },
    retentionPolicy: { extEvtGcPolicy: { $case: 'secondsAfterPut', value: 3600n } },
  });

test('creates an ExternalEventDef with content type and retention', () => {
  const world = new FakeWorld({ nowMs: 2_000 });
  const def = put(world, req());
  assert.equal(def.id?.name, 'approved');
  assert.equal(def.createdAt?.seconds, 2n);
  assert.deepEqual(def.typeInformation?.returnType?.definedType, { $case: 'primitiveType', value: VariableType.STR });
  assert.deepEqual(def.retentionPolicy?.extEvtGcPolicy, { $case: 'secondsAfterPut', value: 3600n });
});

test('identical is idempotent; a changed definition replaces the old one', () => {
  const world = new FakeWorld({ nowMs: 2_000 });
  put(world, req());
  world.advanceMs(5_000);
  assert.equal(put(world, req()).createdAt?.seconds, 2n);
  const changed = put(world, req(VariableType.INT));
  assert.equal(changed.createdAt?.seconds, 7n);
  assert.deepEqual(changed.typeInformation?.returnType?.definedType, { $case: 'primitiveType', value: VariableType.INT });
});

test('invalid names and settings are INVALID_ARGUMENT', () => {
  const world = new FakeWorld();
  const invalid = (r: PutExternalEventDefRequest, re: RegExp): void =>
    assert.throws(() => put(world, r), (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT && re.test(e.message));
  invalid(PutExternalEventDefRequest.fromPartial({ name: 'a b' }), /ExternalEventDef name 'a b'/);
  invalid(PutExternalEventDefRequest.fromPartial({ name: 'e', retentionPolicy: { extEvtGcPolicy: { $case: 'secondsAfterPut', value: 0n } } }), /seconds_after_put/);
  invalid(PutExternalEventDefRequest.fromPartial({ name: 'e', correlatedEventConfig: { ttlSeconds: -1n } }), /ttl_seconds/);
});

test('DeleteExternalEventDef removes it and is NOT_FOUND when absent', () => {
  const world = new FakeWorld();
  put(world, req());
  const id = { name: 'approved' };
  const del = (): unknown => world.exec((ctx) => deleteExternalEventDef(ctx, { id }), { $case: 'deleteExternalEventDef', value: { id } });
  del();
  assert.deepEqual(world.keysWithPrefix('m/default/eedef/'), []);
  assert.throws(del, (e: unknown) => e instanceof ApiError && e.code === Code.NOT_FOUND);
});
