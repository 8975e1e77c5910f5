// PutTenant: creates a tenant, or returns the existing one with its output topic config updated
// (upstream's behaviour; there is no DeleteTenant).
import { Tenant } from '@filly/proto';
import type { PutTenantRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { isValidName } from '../names.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { timestampOfMs } from '../wf-spec/timestamps.ts';

export function putTenant(ctx: ProcessorContext, req: PutTenantRequest): HandlerResult {
  const key = keys.tenantKey(req.id);
  const existing = ctx.get(Records.tenant, key);
  let tenant: Tenant;
  if (existing !== undefined) {
    tenant = existing;
  } else {
    // Tenant ids become topic and header values; upstream also forbids a leading digit.
    if (!isValidName(req.id) || /^[0-9]/.test(req.id)) {
      throw invalidArgument(`Tenant id '${req.id}' is not valid: use letters, digits and inner '-', starting with a letter.`);
    }
    tenant = { id: { id: req.id }, createdAt: timestampOfMs(ctx.nowMs) };
  }
  tenant.outputTopicConfig = req.outputTopicConfig;
  ctx.put(Records.tenant, key, tenant);
  return Tenant.encode(tenant).finish();
}
