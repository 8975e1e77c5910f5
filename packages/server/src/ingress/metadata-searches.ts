// Searches over metadata (TaskDefs, WfSpecs, ExternalEventDefs, tenants, principals). Metadata
// lives in memory on every instance, so a search is a range scan in key order (name, then
// version) with a filter where the criterion is not part of the key.
import type {
  ExternalEventDefIdList,
  Principal,
  PrincipalIdList,
  SearchExternalEventDefRequest,
  SearchPrincipalRequest,
  SearchTaskDefRequest,
  SearchTenantRequest,
  SearchWfSpecRequest,
  TaskDefIdList,
  TenantIdList,
  WfSpec,
  WfSpecIdList,
} from '@filly/proto';
import { invalidArgument } from '../processor/api-error.ts';
import { isAdmin } from '../processor/handlers/put-principal.ts';
import { Records } from '../processor/records.ts';
import { msFromTs } from '../processor/wf-run/time.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { readFilteredPage } from './pages.ts';
import { requireLhName } from './validate.ts';

const all = (): boolean => true;

/** A name prefix may be any leading part of a valid name, so only its length is bounded here. */
function optionalPrefix(prefix: string | undefined, field: string): string {
  if (prefix === undefined) return '';
  if (prefix.length > 128) throw invalidArgument(`'${field}' is longer than 128 characters.`);
  return prefix;
}

export function searchTaskDef(deps: IngressDeps, ctx: CallContext, req: SearchTaskDefRequest): Promise<TaskDefIdList> {
  const prefix = keys.taskDefSearchPrefix(ctx.tenant, optionalPrefix(req.prefix, 'prefix'));
  return readFilteredPage(deps, Records.taskDef, prefix, req.bookmark, req.limit, all, (d) => ({ name: d.id?.name ?? '' }));
}

export function searchExternalEventDef(
  deps: IngressDeps,
  ctx: CallContext,
  req: SearchExternalEventDefRequest,
): Promise<ExternalEventDefIdList> {
  const prefix = keys.externalEventDefSearchPrefix(ctx.tenant, optionalPrefix(req.prefix, 'prefix'));
  return readFilteredPage(deps, Records.externalEventDef, prefix, req.bookmark, req.limit, all, (d) => ({ name: d.id?.name ?? '' }));
}

export function searchWfSpec(deps: IngressDeps, ctx: CallContext, req: SearchWfSpecRequest): Promise<WfSpecIdList> {
  const criteria = req.wfSpecCriteria;
  let prefix = keys.wfSpecSearchPrefix(ctx.tenant);
  let keep: (spec: WfSpec) => boolean = all;
  switch (criteria?.$case) {
    case 'name':
      prefix = keys.wfSpecVersionsPrefix(ctx.tenant, requireLhName(criteria.value, 'name'));
      break;
    case 'prefix':
      prefix = keys.wfSpecSearchPrefix(ctx.tenant, optionalPrefix(criteria.value, 'prefix'));
      break;
    case 'taskDefName': {
      const taskDefName = requireLhName(criteria.value, 'task_def_name');
      keep = (spec) => usesTaskDef(spec, taskDefName);
      break;
    }
    case undefined:
      break;
  }
  return readFilteredPage(deps, Records.wfSpec, prefix, req.bookmark, req.limit, keep, (s) => s.id ?? { name: '', majorVersion: 0, revision: 0 });
}

function usesTaskDef(spec: WfSpec, taskDefName: string): boolean {
  for (const thread of Object.values(spec.threadSpecs)) {
    for (const node of Object.values(thread.nodes)) {
      const task = node.node?.$case === 'task' ? node.node.value.taskToExecute : undefined;
      if (task?.$case === 'taskDefId' && task.value.name === taskDefName) return true;
    }
  }
  return false;
}

export function searchTenant(deps: IngressDeps, req: SearchTenantRequest): Promise<TenantIdList> {
  return readFilteredPage(deps, Records.tenant, keys.tenantSearchPrefix(), req.bookmark, req.limit, all, (t) => ({ id: t.id?.id ?? '' }));
}

export function searchPrincipal(deps: IngressDeps, req: SearchPrincipalRequest): Promise<PrincipalIdList> {
  const earliestMs = msFromTs(req.earliestStart);
  const latestMs = msFromTs(req.latestStart);
  const criteria = req.principalCriteria;
  const keep = (p: Principal): boolean => {
    const createdMs = msFromTs(p.createdAt) ?? 0;
    if (earliestMs !== undefined && createdMs < earliestMs) return false;
    if (latestMs !== undefined && createdMs > latestMs) return false;
    if (criteria?.$case === 'isAdmin') return isAdmin(p) === criteria.value;
    if (criteria?.$case === 'tenantId') return Object.hasOwn(p.perTenantAcls, criteria.value);
    return true;
  };
  return readFilteredPage(deps, Records.principal, keys.principalSearchPrefix(), req.bookmark, req.limit, keep, (p) => ({ id: p.id?.id ?? '' }));
}
