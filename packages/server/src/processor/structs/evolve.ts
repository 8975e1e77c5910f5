// The decisions behind PutStructDef and ValidateStructDefEvolution, shared so both answer alike.
import { StructDefCompatibilityType, type InlineStructDef, type StructDef } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { incompatibleFields, sameInlineStructDef } from './evolution.ts';
import { LATEST_VERSION, type StructDefLookup } from './struct-def-lookup.ts';
import { StructDefInvalidError, validateInlineStructDef } from './validate-struct-def.ts';

/** Validates the schema, turning a problem into INVALID_ARGUMENT prefixed by `prefix`. */
export function validatedSchema(def: InlineStructDef | undefined, structs: StructDefLookup, prefix: string): InlineStructDef {
  try {
    return validateInlineStructDef(def ?? { fields: {} }, structs);
  } catch (err) {
    if (err instanceof StructDefInvalidError) throw invalidArgument(`${prefix}: ${err.message}`);
    throw err;
  }
}

export type PutDecision =
  | { kind: 'unchanged'; existing: StructDef }
  | { kind: 'new-version'; version: number };

/** Upstream compatibility type names, as they appear in messages. */
function compatibilityName(kind: StructDefCompatibilityType): string {
  return StructDefCompatibilityType[kind] ?? String(kind);
}

/**
 * What PutStructDef does with a validated schema: nothing when neither the schema nor the
 * description changed, else a new version, provided a schema change passes `allowed`.
 */
export function decidePut(
  schema: InlineStructDef,
  description: string | undefined,
  latest: StructDef | undefined,
  allowed: StructDefCompatibilityType,
): PutDecision {
  if (latest?.id === undefined) return { kind: 'new-version', version: 0 };
  const previous = latest.structDef ?? { fields: {} };
  const schemaChanged = !sameInlineStructDef(schema, previous);
  const descriptionChanged = description !== latest.description;
  if (!schemaChanged && !descriptionChanged) return { kind: 'unchanged', existing: latest };
  if (schemaChanged) {
    const bad = incompatibleFields(allowed, schema, previous);
    if (bad.length > 0) {
      throw invalidArgument(
        `Incompatible StructDef evolution on field(s): [${bad.join(', ')}] using ${compatibilityName(allowed)} compatibility type`,
      );
    }
  }
  return { kind: 'new-version', version: latest.id.version + 1 };
}

/** ValidateStructDefEvolution: valid when nothing is stored under that id, else by `kind`. */
export function isValidEvolution(
  name: string,
  version: number,
  def: InlineStructDef | undefined,
  kind: StructDefCompatibilityType,
  structs: StructDefLookup,
): boolean {
  const schema = validatedSchema(def, structs, 'StructDef evolution request invalid');
  const existing = structs(name, version < 0 ? LATEST_VERSION : version);
  if (existing === undefined) return true;
  return incompatibleFields(kind, schema, existing.structDef ?? { fields: {} }).length === 0;
}
