// WfSpec lookups for ingress code that must tell "absent" apart from an error of its own
// (searches, validation before a command is built): undefined when there is no such version.
import type { WfSpec, WfSpecId } from '@filly/proto';
import { Records } from '../processor/records.ts';
import { wfSpecIdPointer } from '../processor/wf-spec/pointer-codec.ts';
import * as keys from '../store/keys.ts';
import type { IngressDeps } from './deps.ts';

export function wfSpecIn(deps: IngressDeps, tenant: string, id: WfSpecId): Promise<WfSpec | undefined> {
  return deps.engine.get(Records.wfSpec, keys.wfSpecKey(tenant, id));
}

/** The newest version, or the newest revision of one major version. */
export async function latestWfSpecIn(deps: IngressDeps, tenant: string, name: string, majorVersion?: number): Promise<WfSpec | undefined> {
  const pointerKey = majorVersion === undefined ? keys.wfSpecLatestKey(tenant, name) : keys.wfSpecMajorLatestKey(tenant, name, majorVersion);
  const id = await deps.engine.get(wfSpecIdPointer, pointerKey);
  return id === undefined ? undefined : wfSpecIn(deps, tenant, id);
}
