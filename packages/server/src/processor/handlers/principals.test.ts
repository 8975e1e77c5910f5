import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACLAction, ACLResource, Principal, PutPrincipalRequest, ServerACLs, Tenant } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { FakeWorld } from '../testing/fake-context.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { initializeCluster } from './initialize-cluster.ts';
import { putTenant } from './put-tenant.ts';
import { putPrincipal } from './put-principal.ts';
import { deletePrincipal } from './delete-principal.ts';

const ADMIN: ServerACLs = ServerACLs.fromPartial({ acls: [{ resources: [ACLResource.ACL_ALL_RESOURCES], allowedActions: [ACLAction.ALL_ACTIONS] }] });
const READER: ServerACLs = ServerACLs.fromPartial({ acls: [{ resources: [ACLResource.ACL_WORKFLOW], allowedActions: [ACLAction.READ] }] });

const isApi = (code: number, re: RegExp) => (e: unknown): boolean => e instanceof ApiError && e.code === code && re.test(e.message);

function init(world: FakeWorld): void {
  world.exec((ctx) => initializeCluster(ctx, {}), { $case: 'initializeCluster', value: {} });
}

function putP(world: FakeWorld, partial: Partial<PutPrincipalRequest>, caller = 'anonymous'): Principal {
  const req = PutPrincipalRequest.fromPartial(partial);
  const out = world.exec((ctx) => putPrincipal(ctx, req), { $case: 'putPrincipal', value: req }, { principalId: caller });
  assert.ok(out);
  return Principal.decode(out);
}

function delP(world: FakeWorld, id: string, caller = 'anonymous'): void {
  world.exec((ctx) => deletePrincipal(ctx, { id: { id } }), { $case: 'deletePrincipal', value: { id: { id } } }, { principalId: caller });
}

function putT(world: FakeWorld, id: string): Tenant {
  const out = world.exec((ctx) => putTenant(ctx, { id }), { $case: 'putTenant', value: { id } });
  assert.ok(out);
  return Tenant.decode(out);
}

test('InitializeCluster creates the default tenant and an admin anonymous principal, once', () => {
  const world = new FakeWorld({ nowMs: 3_000 });
  init(world);
  assert.equal(world.get(Records.tenant, keys.tenantKey('default'))?.createdAt?.seconds, 3n);
  assert.deepEqual(world.get(Records.principal, keys.principalKey('anonymous'))?.globalAcls, ADMIN);
  // Later edits survive a second initialization.
  putP(world, { id: 'anonymous', globalAcls: ADMIN, perTenantAcls: { default: READER }, overwrite: true });
  world.advanceMs(1_000);
  init(world);
  assert.deepEqual(world.get(Records.principal, keys.principalKey('anonymous'))?.perTenantAcls, { default: READER });
  assert.equal(world.get(Records.tenant, keys.tenantKey('default'))?.createdAt?.seconds, 3n);
});

test('PutTenant creates once and returns the existing tenant after', () => {
  const world = new FakeWorld({ nowMs: 1_000 });
  assert.equal(putT(world, 'acme').createdAt?.seconds, 1n);
  world.advanceMs(9_000);
  assert.equal(putT(world, 'acme').createdAt?.seconds, 1n);
  assert.throws(() => putT(world, '9lives'), isApi(Code.INVALID_ARGUMENT, /Tenant id '9lives'/));
  assert.throws(() => putT(world, 'a/b'), isApi(Code.INVALID_ARGUMENT, /Tenant id/));
});

test('PutPrincipal creates, refuses silent overwrite, and keeps created_at on overwrite', () => {
  const world = new FakeWorld({ nowMs: 1_000 });
  init(world);
  assert.equal(putP(world, { id: 'alice', globalAcls: READER }).createdAt?.seconds, 1n);
  assert.throws(() => putP(world, { id: 'alice', globalAcls: ADMIN }), isApi(Code.ALREADY_EXISTS, /overwrite/));
  world.advanceMs(5_000);
  const replaced = putP(world, { id: 'alice', globalAcls: ADMIN, overwrite: true });
  assert.equal(replaced.createdAt?.seconds, 1n);
  assert.deepEqual(replaced.globalAcls, ADMIN);
});

test('PutPrincipal validates ids, tenants, cluster-scoped per-tenant ACLs and who may grant global ACLs', () => {
  const world = new FakeWorld();
  init(world);
  assert.throws(() => putP(world, { id: 'a/b' }), isApi(Code.INVALID_ARGUMENT, /slashes/));
  assert.throws(() => putP(world, { id: 'bob', perTenantAcls: { nowhere: READER } }), isApi(Code.INVALID_ARGUMENT, /tenant 'nowhere'/));
  const tenantAdmin: ServerACLs = { acls: [{ resources: [ACLResource.ACL_PRINCIPAL], allowedActions: [ACLAction.ALL_ACTIONS] }] };
  assert.throws(() => putP(world, { id: 'bob', perTenantAcls: { default: tenantAdmin } }), isApi(Code.INVALID_ARGUMENT, /tenants, principals or quotas/));
  putP(world, { id: 'reader', globalAcls: READER });
  assert.throws(() => putP(world, { id: 'eve', globalAcls: READER }, 'reader'), isApi(Code.INVALID_ARGUMENT, /Only admin/));
  putP(world, { id: 'carol', perTenantAcls: { default: READER } }, 'reader');
});

test('the last admin keeps its rights: PutPrincipal and DeletePrincipal refuse with FAILED_PRECONDITION', () => {
  const world = new FakeWorld();
  init(world);
  putP(world, { id: 'root', globalAcls: ADMIN });
  // Two admins: anonymous may be demoted.
  putP(world, { id: 'anonymous', globalAcls: READER, overwrite: true }, 'root');
  assert.throws(() => putP(world, { id: 'root', globalAcls: READER, overwrite: true }, 'root'), isApi(Code.FAILED_PRECONDITION, /last admin/));
  putP(world, { id: 'ops', globalAcls: READER }, 'root');
  assert.throws(() => delP(world, 'root', 'ops'), isApi(Code.FAILED_PRECONDITION, /last admin/));
  putP(world, { id: 'ops', globalAcls: ADMIN, overwrite: true }, 'root');
  delP(world, 'root', 'ops');
  assert.equal(world.get(Records.principal, keys.principalKey('root')), undefined);
});

test('DeletePrincipal refuses anonymous and self, and is NOT_FOUND when absent', () => {
  const world = new FakeWorld();
  init(world);
  putP(world, { id: 'root', globalAcls: ADMIN });
  assert.throws(() => delP(world, 'anonymous', 'root'), isApi(Code.INVALID_ARGUMENT, /anonymous/));
  assert.throws(() => delP(world, 'root', 'root'), isApi(Code.PERMISSION_DENIED, /itself/));
  assert.throws(() => delP(world, 'ghost', 'root'), isApi(Code.NOT_FOUND, /ghost/));
});
