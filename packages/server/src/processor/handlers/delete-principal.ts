// DeletePrincipal: `anonymous` stays (strip its ACLs with PutPrincipal instead), nobody deletes
// themselves, and the last admin cannot be deleted.
import { Empty } from '@filly/proto';
import type { DeletePrincipalRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { ApiError, Code, failedPrecondition, invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { ANONYMOUS_PRINCIPAL, isAdmin, otherAdminExists } from './put-principal.ts';

export function deletePrincipal(ctx: ProcessorContext, req: DeletePrincipalRequest): HandlerResult {
  const id = req.id?.id;
  if (!id) throw invalidArgument('DeletePrincipal: id is required.');
  if (id === ANONYMOUS_PRINCIPAL) {
    throw invalidArgument("The 'anonymous' principal cannot be deleted; remove its ACLs with PutPrincipal instead.");
  }
  if (id === ctx.command.principalId) throw new ApiError(Code.PERMISSION_DENIED, 'A principal cannot delete itself.');
  const key = keys.principalKey(id);
  const existing = ctx.get(Records.principal, key);
  if (existing === undefined) throw notFound(`Principal '${id}' does not exist.`);
  if (isAdmin(existing) && !otherAdminExists(ctx, id)) {
    throw failedPrecondition(`Principal '${id}' is the last admin and cannot be deleted.`);
  }
  ctx.delete(key);
  return Empty.encode({}).finish();
}
