// Reads of metadata that the runtime handlers need on their hot paths. Each is a pointer lookup
// plus at most one record read: no scans.
import type { ExternalEventDef, TaskDef, WfSpec, WfSpecId } from '@filly/proto';
import type { StateTx } from './context.ts';
import { Records } from './records.ts';
import * as keys from '../store/keys.ts';
import { wfSpecIdPointer } from './wf-spec/pointer-codec.ts';

/** The newest WfSpec of that name, or the newest revision of `majorVersion` when one is given. */
export function latestWfSpec(tx: StateTx, tenant: string, name: string, majorVersion?: number): WfSpec | undefined {
  const pointerKey =
    majorVersion === undefined ? keys.wfSpecLatestKey(tenant, name) : keys.wfSpecMajorLatestKey(tenant, name, majorVersion);
  const id = tx.get(wfSpecIdPointer, pointerKey);
  if (id === undefined) return undefined;
  return tx.get(Records.wfSpec, keys.wfSpecKey(tenant, id));
}

export function wfSpecById(tx: StateTx, tenant: string, id: WfSpecId): WfSpec | undefined {
  return tx.get(Records.wfSpec, keys.wfSpecKey(tenant, id));
}

export function taskDefByName(tx: StateTx, tenant: string, name: string): TaskDef | undefined {
  return tx.get(Records.taskDef, keys.taskDefKey(tenant, name));
}

export function externalEventDefByName(tx: StateTx, tenant: string, name: string): ExternalEventDef | undefined {
  return tx.get(Records.externalEventDef, keys.externalEventDefKey(tenant, name));
}
