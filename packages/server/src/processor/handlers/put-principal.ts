// PutPrincipal: creates or (with overwrite) replaces a Principal's ACLs, never leaving the
// cluster without an admin.
import { ACLAction, ACLResource, Principal } from '@filly/proto';
import type { PutPrincipalRequest, ServerACLs } from '@filly/proto';
import type { HandlerResult, ProcessorContext, StateTx } from '../context.ts';
import { alreadyExists, failedPrecondition, invalidArgument } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { timestampOfMs } from '../wf-spec/timestamps.ts';

export const ANONYMOUS_PRINCIPAL = 'anonymous';

// Resources that only make sense cluster-wide, so a per-tenant ACL may not grant them.
const CLUSTER_SCOPED: ReadonlySet<ACLResource> = new Set([ACLResource.ACL_TENANT, ACLResource.ACL_PRINCIPAL, ACLResource.ACL_QUOTA]);

/** Admin: a global ACL granting ALL_ACTIONS over ACL_ALL_RESOURCES. */
export function isAdminAcls(acls: ServerACLs | undefined): boolean {
  return (acls?.acls ?? []).some(
    (acl) => acl.resources.includes(ACLResource.ACL_ALL_RESOURCES) && acl.allowedActions.includes(ACLAction.ALL_ACTIONS),
  );
}

export function isAdmin(p: Principal | undefined): boolean {
  return isAdminAcls(p?.globalAcls);
}

/** The caller's Principal; unknown callers act as `anonymous`, as upstream resolves them. */
export function callerPrincipal(ctx: ProcessorContext): Principal | undefined {
  return ctx.get(Records.principal, keys.principalKey(ctx.command.principalId)) ?? ctx.get(Records.principal, keys.principalKey(ANONYMOUS_PRINCIPAL));
}

/** Is some Principal other than `exceptId` an admin? Principals are few; this scan is rare. */
export function otherAdminExists(tx: StateTx, exceptId: string): boolean {
  const all = tx.scan(Records.principal, keys.principalKey(''));
  return all.some(({ value }) => value.id?.id !== exceptId && isAdmin(value));
}

export function putPrincipal(ctx: ProcessorContext, req: PutPrincipalRequest): HandlerResult {
  if (req.id === '' || req.id.includes('/') || req.id.includes('\\')) {
    throw invalidArgument(`Principal id '${req.id}' is not valid: it must be non-empty, without slashes or backslashes.`);
  }
  const key = keys.principalKey(req.id);
  const old = ctx.get(Records.principal, key);
  if (old !== undefined) {
    if (!req.overwrite) throw alreadyExists(`Principal '${req.id}' already exists; set overwrite to replace it.`);
    if (isAdmin(old) && !isAdminAcls(req.globalAcls) && !otherAdminExists(ctx, req.id)) {
      throw failedPrecondition(`Principal '${req.id}' is the last admin; its admin rights cannot be removed.`);
    }
  }
  const globalAcls: ServerACLs = req.globalAcls ?? { acls: [] };
  if (globalAcls.acls.length > 0 && !isAdmin(callerPrincipal(ctx))) {
    throw invalidArgument('Only admin principals may grant global ACLs.');
  }
  for (const tenantId of Object.keys(req.perTenantAcls).sort()) {
    const acls = req.perTenantAcls[tenantId]?.acls ?? [];
    if (acls.some((acl) => acl.resources.some((r) => CLUSTER_SCOPED.has(r)))) {
      throw invalidArgument(`Per-tenant ACLs (tenant '${tenantId}') may not grant rights over tenants, principals or quotas.`);
    }
    if (ctx.get(Records.tenant, keys.tenantKey(tenantId)) === undefined) {
      throw invalidArgument(`PutPrincipal names ACLs for tenant '${tenantId}', which does not exist.`);
    }
  }
  const principal: Principal = {
    id: { id: req.id },
    createdAt: old?.createdAt ?? timestampOfMs(ctx.nowMs),
    perTenantAcls: req.perTenantAcls,
    globalAcls,
  };
  ctx.put(Records.principal, key, principal);
  return Principal.encode(principal).finish();
}
