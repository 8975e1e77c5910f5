// Correlated events: Put and Delete are commands on the entity group of the correlation key;
// Get reads that group's committed state.
import { CorrelatedEvent, Empty, type CorrelatedEventId, type DeleteCorrelatedEventRequest, type PutCorrelatedEventRequest } from '@filly/proto';
import { partitionForKey } from '../commands/partition.ts';
import { invalidArgument } from '../processor/api-error.ts';
import { Records } from '../processor/records.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { submitFor } from './submit.ts';
import { requireLhName, requirePresent } from './validate.ts';

/** Longest correlation key accepted: it is a partition key and part of every key of its group. */
export const MAX_CORRELATION_KEY_LENGTH = 1024;

function requireCorrelationKey(key: string | undefined, field: string): string {
  if (key === undefined || key === '') throw invalidArgument(`Missing required argument '${field}'.`);
  if (key.length > MAX_CORRELATION_KEY_LENGTH) throw invalidArgument(`'${field}' is longer than ${MAX_CORRELATION_KEY_LENGTH} characters.`);
  return key;
}

export function putCorrelatedEvent(deps: IngressDeps, ctx: CallContext, req: PutCorrelatedEventRequest): Promise<CorrelatedEvent> {
  requireCorrelationKey(req.key, 'key');
  requireLhName(requirePresent(req.externalEventDefId, 'external_event_def_id').name, 'external_event_def_id.name');
  return submitFor(deps, ctx, { $case: 'putCorrelatedEvent', value: req }, CorrelatedEvent.decode);
}

export function deleteCorrelatedEvent(deps: IngressDeps, ctx: CallContext, req: DeleteCorrelatedEventRequest): Promise<Empty> {
  const id = requirePresent(req.id, 'id');
  requireCorrelationKey(id.key, 'id.key');
  requireLhName(id.externalEventDefId?.name, 'id.external_event_def_id.name');
  return submitFor(deps, ctx, { $case: 'deleteCorrelatedEvent', value: req }, Empty.decode);
}

export function getCorrelatedEvent(deps: IngressDeps, ctx: CallContext, id: CorrelatedEventId): Promise<CorrelatedEvent> {
  const key = requireCorrelationKey(id.key, 'key');
  const defName = requireLhName(id.externalEventDefId?.name, 'external_event_def_id.name');
  const partition = partitionForKey(key, deps.engine.partitionCount);
  return mustGet(deps.engine.get(Records.correlatedEvent, keys.correlatedEventKey(partition, ctx.tenant, key, defName)),
    `CorrelatedEvent ${key}/${defName}`);
}
