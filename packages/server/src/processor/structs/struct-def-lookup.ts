// Finding a StructDef by name and version. Version -1 (what clients send for "latest") resolves to
// the newest stored version through the pointer record; any other version is read directly.
import { StructDefId, type StructDef } from '@filly/proto';
import type { RecordCodec, StateTx } from '../context.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';

/** The version number clients use to mean "the newest version". */
export const LATEST_VERSION = -1;

/** Resolves a StructDef; undefined when no such name or version is stored. */
export type StructDefLookup = (name: string, version: number) => StructDef | undefined;

export const structDefIdPointer: RecordCodec<StructDefId> = {
  name: 'StructDefIdPointer',
  encode: (value) => StructDefId.encode(value).finish(),
  decode: (bytes) => StructDefId.decode(bytes),
};

export function latestStructDefId(tx: Pick<StateTx, 'get'>, tenant: string, name: string): StructDefId | undefined {
  return tx.get(structDefIdPointer, keys.structDefLatestKey(tenant, name));
}

export function structDefLookupOf(tx: Pick<StateTx, 'get'>, tenant: string): StructDefLookup {
  return (name, version) => {
    if (name === '') return undefined;
    let v = version;
    if (v === LATEST_VERSION) {
      const latest = latestStructDefId(tx, tenant, name);
      if (latest === undefined) return undefined;
      v = latest.version;
    }
    if (!Number.isSafeInteger(v) || v < 0) return undefined;
    return tx.get(Records.structDef, keys.structDefKey(tenant, name, v));
  };
}

/** Upstream's rendering of a StructDefId in messages: the name and the zero-padded version. */
export function structDefIdText(id: StructDefId | undefined): string {
  if (id === undefined) return 'null';
  const v = id.version < 0 ? String(id.version) : String(id.version).padStart(5, '0');
  return `${id.name}/${v}`;
}
