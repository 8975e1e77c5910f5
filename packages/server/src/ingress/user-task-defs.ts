// UserTaskDef rpcs: writes become metadata commands; reads come from the in-memory metadata.
import { Empty, UserTaskDef } from '@filly/proto';
import type { DeleteUserTaskDefRequest, GetLatestUserTaskDefRequest, PutUserTaskDefRequest, UserTaskDefId } from '@filly/proto';
import { invalidArgument } from '../processor/api-error.ts';
import { Records } from '../processor/records.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { submitFor } from './submit.ts';
import { requireLhName, requirePresent } from './validate.ts';

export function putUserTaskDef(deps: IngressDeps, ctx: CallContext, req: PutUserTaskDefRequest): Promise<UserTaskDef> {
  requireLhName(req.name, 'name');
  return submitFor(deps, ctx, { $case: 'putUserTaskDef', value: req }, UserTaskDef.decode);
}

export function deleteUserTaskDef(deps: IngressDeps, ctx: CallContext, req: DeleteUserTaskDefRequest): Promise<Empty> {
  const id = requirePresent(req.id, 'id');
  requireLhName(id.name, 'id.name');
  requireVersion(id.version, 'id.version');
  return submitFor(deps, ctx, { $case: 'deleteUserTaskDef', value: req }, Empty.decode);
}

export function getUserTaskDef(deps: IngressDeps, ctx: CallContext, id: UserTaskDefId): Promise<UserTaskDef> {
  const name = requireLhName(id.name, 'name');
  requireVersion(id.version, 'version');
  return mustGet(deps.engine.get(Records.userTaskDef, keys.userTaskDefKey(ctx.tenant, name, id.version)),
    `UserTaskDef ${name} version ${id.version}`);
}

export async function getLatestUserTaskDef(deps: IngressDeps, ctx: CallContext, req: GetLatestUserTaskDefRequest): Promise<UserTaskDef> {
  const name = requireLhName(req.name, 'name');
  const what = `UserTaskDef ${name}`;
  const latest = await mustGet(deps.engine.get(Records.userTaskDefPointer, keys.userTaskDefLatestKey(ctx.tenant, name)), what);
  return mustGet(deps.engine.get(Records.userTaskDef, keys.userTaskDefKey(ctx.tenant, name, latest.version)), what);
}

function requireVersion(version: number, field: string): void {
  if (!Number.isSafeInteger(version) || version < 0) throw invalidArgument(`'${field}' must be a non-negative integer; got ${version}.`);
}
