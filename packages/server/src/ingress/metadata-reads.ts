// Reads of metadata (TaskDefs, WfSpecs, ExternalEventDefs, tenants, principals). Metadata is held
// in memory by the engine, so these are cheap.
import type { ExternalEventDef, ExternalEventDefId, GetLatestWfSpecRequest, Principal, TaskDef, TaskDefId, Tenant, TenantId, WfSpec, WfSpecId } from '@filly/proto';
import { invalidArgument } from '../processor/api-error.ts';
import { Records } from '../processor/records.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { requireLhName } from './validate.ts';
import { latestWfSpecIn } from './wf-spec-lookup.ts';

export function getTaskDef(deps: IngressDeps, ctx: CallContext, id: TaskDefId): Promise<TaskDef> {
  const name = requireLhName(id.name, 'name');
  return mustGet(deps.engine.get(Records.taskDef, keys.taskDefKey(ctx.tenant, name)), `TaskDef ${name}`);
}

export function getExternalEventDef(deps: IngressDeps, ctx: CallContext, id: ExternalEventDefId): Promise<ExternalEventDef> {
  const name = requireLhName(id.name, 'name');
  return mustGet(deps.engine.get(Records.externalEventDef, keys.externalEventDefKey(ctx.tenant, name)), `ExternalEventDef ${name}`);
}

export function getWfSpec(deps: IngressDeps, ctx: CallContext, id: WfSpecId): Promise<WfSpec> {
  const name = requireLhName(id.name, 'name');
  if (id.majorVersion < 0 || id.revision < 0) throw invalidArgument('major_version and revision must not be negative.');
  return mustGet(deps.engine.get(Records.wfSpec, keys.wfSpecKey(ctx.tenant, { name, majorVersion: id.majorVersion, revision: id.revision })),
    `WfSpec ${name} version ${id.majorVersion}.${id.revision}`);
}

/** The newest version, or the newest revision of one major version, through the pointer records. */
export async function getLatestWfSpec(deps: IngressDeps, ctx: CallContext, req: GetLatestWfSpecRequest): Promise<WfSpec> {
  const name = requireLhName(req.name, 'name');
  if (req.majorVersion !== undefined && req.majorVersion < 0) throw invalidArgument('major_version must not be negative.');
  const what = `WfSpec ${name}${req.majorVersion === undefined ? '' : ` with major version ${req.majorVersion}`}`;
  return mustGet(latestWfSpecIn(deps, ctx.tenant, name, req.majorVersion), what);
}

export function getTenant(deps: IngressDeps, id: TenantId): Promise<Tenant> {
  const name = requireLhName(id.id, 'id');
  return mustGet(deps.engine.get(Records.tenant, keys.tenantKey(name)), `Tenant ${name}`);
}

export function whoami(deps: IngressDeps, ctx: CallContext): Promise<Principal> {
  return mustGet(deps.engine.get(Records.principal, keys.principalKey(ctx.principal)), `Principal ${ctx.principal}`);
}
