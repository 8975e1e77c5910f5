// Storing and removing WfSpec versions together with the two pointer records that let RunWf find
// "latest" and "latest of major M" with one read each. Pointers are kept exact on every write.
import type { WfSpec, WfSpecId } from '@filly/proto';
import type { StateTx } from '../context.ts';
import { notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { wfSpecIdPointer } from './pointer-codec.ts';

const newer = (a: WfSpecId, b: WfSpecId): boolean =>
  a.majorVersion !== b.majorVersion ? a.majorVersion > b.majorVersion : a.revision > b.revision;

export function putWfSpecVersion(tx: StateTx, tenant: string, spec: WfSpec): void {
  const id = spec.id;
  if (id === undefined) throw new Error('putWfSpecVersion: WfSpec without id');
  tx.put(Records.wfSpec, keys.wfSpecKey(tenant, id), spec);
  const majorKey = keys.wfSpecMajorLatestKey(tenant, id.name, id.majorVersion);
  const majorHead = tx.get(wfSpecIdPointer, majorKey);
  if (majorHead === undefined || !newer(majorHead, id)) tx.put(wfSpecIdPointer, majorKey, id);
  const latestKey = keys.wfSpecLatestKey(tenant, id.name);
  const head = tx.get(wfSpecIdPointer, latestKey);
  if (head === undefined || !newer(head, id)) tx.put(wfSpecIdPointer, latestKey, id);
}

/** Deletes one version (NOT_FOUND if absent) and moves the pointers to the next newest version. */
export function deleteWfSpecVersion(tx: StateTx, tenant: string, id: WfSpecId): void {
  const key = keys.wfSpecKey(tenant, id);
  if (tx.get(Records.wfSpec, key) === undefined) {
    throw notFound(`WfSpec '${id.name}' version ${id.majorVersion}.${id.revision} does not exist.`);
  }
  tx.delete(key);
  // Deletes are rare; a scan of one name's versions is fine here (never on RunWf's path).
  const majorKey = keys.wfSpecMajorLatestKey(tenant, id.name, id.majorVersion);
  const inMajor = tx.scan(Records.wfSpec, keys.wfSpecMajorPrefix(tenant, id.name, id.majorVersion));
  const majorHead = inMajor[inMajor.length - 1]?.value.id;
  if (majorHead === undefined) tx.delete(majorKey);
  else tx.put(wfSpecIdPointer, majorKey, majorHead);

  const latestKey = keys.wfSpecLatestKey(tenant, id.name);
  const all = tx.scan(Records.wfSpec, keys.wfSpecVersionsPrefix(tenant, id.name));
  const head = all[all.length - 1]?.value.id;
  if (head === undefined) tx.delete(latestKey);
  else tx.put(wfSpecIdPointer, latestKey, head);
}
