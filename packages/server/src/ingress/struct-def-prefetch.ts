// Ingress answers ValidateStructDefEvolution without a command, but the validation code is the
// processor's synchronous code. It runs over a cache of StructDefs: each pass records the ones it
// missed, they are read from committed state, and the pass is repeated until nothing is missing.
import type { StructDef } from '@filly/proto';
import type { StructDefLookup } from '../processor/structs/struct-def-lookup.ts';

/** A schema references a handful of StructDefs; each pass adds at least one. */
const MAX_PASSES = 64;

export type StructDefFetch = (name: string, version: number) => Promise<StructDef | undefined>;

export async function withStructDefs<T>(fetch: StructDefFetch, run: (structs: StructDefLookup) => T): Promise<T> {
  const cache = new Map<string, StructDef | null>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const missing = new Map<string, [string, number]>();
    const lookup: StructDefLookup = (name, version) => {
      const key = `${version}/${name}`;
      const hit = cache.get(key);
      if (hit !== undefined) return hit ?? undefined;
      missing.set(key, [name, version]);
      return undefined;
    };
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: run(lookup) };
    } catch (error) {
      result = { ok: false, error };
    }
    if (missing.size === 0) {
      if (result.ok) return result.value;
      throw result.error;
    }
    for (const [key, [name, version]] of missing) cache.set(key, (await fetch(name, version)) ?? null);
  }
  throw new Error('StructDef references did not settle');
}
