// SearchUserTaskDef, SearchStructDef and SearchWorkflowEventDef: range scans over the metadata
// keys (every instance holds all metadata), in key order: name, then version.
import type {
  SearchStructDefRequest,
  SearchUserTaskDefRequest,
  SearchWorkflowEventDefRequest,
  StructDefIdList,
  UserTaskDefIdList,
  WorkflowEventDefIdList,
} from '@filly/proto';
import { invalidArgument } from '../../processor/api-error.ts';
import { Records } from '../../processor/records.ts';
import * as keys from '../../store/keys.ts';
import type { CallContext } from '../call-context.ts';
import type { IngressDeps } from '../deps.ts';
import { readFilteredPage } from '../pages.ts';

const all = (): boolean => true;
const MAX_PREFIX_CHARS = 128;

type NameCriteria = { $case: 'prefix'; value: string } | { $case: 'name'; value: string } | undefined;

/** The key range of a name or name-prefix criterion; an empty one means every record. */
function rangeOf(criteria: NameCriteria, byPrefix: (p: string) => string, byName: (n: string) => string): string {
  const value = criteria?.value ?? '';
  if (value.length > MAX_PREFIX_CHARS) throw invalidArgument(`'${criteria?.$case}' is longer than ${MAX_PREFIX_CHARS} characters.`);
  if (criteria?.$case === 'name' && value !== '') return byName(value);
  return byPrefix(value);
}

export function searchUserTaskDef(deps: IngressDeps, ctx: CallContext, req: SearchUserTaskDefRequest): Promise<UserTaskDefIdList> {
  const prefix = rangeOf(
    req.userTaskDefCriteria,
    (p) => keys.userTaskDefSearchPrefix(ctx.tenant, p),
    (n) => keys.userTaskDefVersionsPrefix(ctx.tenant, n),
  );
  return readFilteredPage(deps, Records.userTaskDef, prefix, req.bookmark, req.limit, all, (d) => ({ name: d.name, version: d.version }));
}

export function searchStructDef(deps: IngressDeps, ctx: CallContext, req: SearchStructDefRequest): Promise<StructDefIdList> {
  const prefix = rangeOf(
    req.structDefCriteria,
    (p) => keys.structDefSearchPrefix(ctx.tenant, p),
    (n) => keys.structDefVersionsPrefix(ctx.tenant, n),
  );
  return readFilteredPage(deps, Records.structDef, prefix, req.bookmark, req.limit, all, (d) => d.id ?? { name: '', version: 0 });
}

export function searchWorkflowEventDef(deps: IngressDeps, ctx: CallContext, req: SearchWorkflowEventDefRequest): Promise<WorkflowEventDefIdList> {
  const prefix = rangeOf(
    req.prefix === undefined ? undefined : { $case: 'prefix', value: req.prefix },
    (p) => keys.workflowEventDefSearchPrefix(ctx.tenant, p),
    (n) => keys.workflowEventDefSearchPrefix(ctx.tenant, n),
  );
  return readFilteredPage(deps, Records.workflowEventDef, prefix, req.bookmark, req.limit, all, (d) => d.id ?? { name: '' });
}
