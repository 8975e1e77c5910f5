// InitializeCluster: the first start creates the `default` tenant and an admin `anonymous`
// principal, so an unauthenticated listener works out of the box. Idempotent: existing records
// (possibly edited since) are left untouched.
import { ACLAction, ACLResource } from '@filly/proto';
import type { InitializeCluster, Principal, Tenant } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { timestampOfMs } from '../wf-spec/timestamps.ts';
import { ANONYMOUS_PRINCIPAL } from './put-principal.ts';

export const DEFAULT_TENANT = 'default';

export function initializeCluster(ctx: ProcessorContext, _req: InitializeCluster): HandlerResult {
  const createdAt = timestampOfMs(ctx.nowMs);
  const tenantKey = keys.tenantKey(DEFAULT_TENANT);
  if (ctx.get(Records.tenant, tenantKey) === undefined) {
    const tenant: Tenant = { id: { id: DEFAULT_TENANT }, createdAt };
    ctx.put(Records.tenant, tenantKey, tenant);
  }
  const principalKey = keys.principalKey(ANONYMOUS_PRINCIPAL);
  if (ctx.get(Records.principal, principalKey) === undefined) {
    const anonymous: Principal = {
      id: { id: ANONYMOUS_PRINCIPAL },
      createdAt,
      perTenantAcls: {},
      globalAcls: { acls: [{ resources: [ACLResource.ACL_ALL_RESOURCES], allowedActions: [ACLAction.ALL_ACTIONS] }] },
    };
    ctx.put(Records.principal, principalKey, anonymous);
  }
  return undefined;
}
