// Pinning: a type that names a StructDef by "latest" (version -1) is rewritten to name the concrete
// newest version, so a stored spec keeps meaning what it meant when it was registered.
import type { TypeDefinition } from '@filly/proto';
import { LATEST_VERSION, type StructDefLookup } from './struct-def-lookup.ts';

/** Nested array/map types are walked recursively; deeper nesting is refused by the callers. */
const MAX_PIN_DEPTH = 32;

export class UnknownStructDefError extends Error {
  override readonly name = 'UnknownStructDefError';
}

function unknownStructDef(name: string, version: number): UnknownStructDefError {
  const suffix = version === LATEST_VERSION ? '' : ` with version ${version}`;
  return new UnknownStructDefError(`Refers to non-existent StructDef ${name}${suffix}`);
}

/**
 * Returns a copy of `td` whose StructDef references (also inside array and map types) name
 * existing, concrete versions. Throws UnknownStructDefError when one does not exist.
 */
export function pinStructVersions(td: TypeDefinition, structs: StructDefLookup, depth = 0): TypeDefinition {
  if (depth > MAX_PIN_DEPTH) throw new UnknownStructDefError('Type nested too deeply');
  const d = td.definedType;
  switch (d?.$case) {
    case 'structDefId': {
      const found = structs(d.value.name, d.value.version);
      if (found?.id === undefined) throw unknownStructDef(d.value.name, d.value.version);
      return { ...td, definedType: { $case: 'structDefId', value: { name: d.value.name, version: found.id.version } } };
    }
    case 'inlineArrayDef': {
      const item = d.value.arrayType;
      if (item === undefined) return td;
      return { ...td, definedType: { $case: 'inlineArrayDef', value: { arrayType: pinStructVersions(item, structs, depth + 1) } } };
    }
    case 'inlineMapDef': {
      const { keyType, valueType } = d.value;
      return {
        ...td,
        definedType: {
          $case: 'inlineMapDef',
          value: {
            keyType: keyType === undefined ? undefined : pinStructVersions(keyType, structs, depth + 1),
            valueType: valueType === undefined ? undefined : pinStructVersions(valueType, structs, depth + 1),
          },
        },
      };
    }
    default:
      return td;
  }
}
