// Static checks of STRUCT values inside a spec: struct builders (every required field given, no
// unknown field, each field's value of the field's type) and LHPath selections into typed values
// (the field exists on the StructDef; arrays take indexes, maps take keys).
import { VariableType } from '@filly/proto';
import type { InlineStructBuilder, LHPath, StructBuilder, StructDef, TypeDefinition, VariableAssignment } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { isRequiredField } from '../structs/conform-value.ts';
import { structDefIdText, type StructDefLookup } from '../structs/struct-def-lookup.ts';
import { isCompatibleType, typeToString } from '../values/types.ts';

/** How a builder field's simple value is typed: the assignment checker, passed in to avoid a cycle. */
export type AssignmentTyper = (a: VariableAssignment, label: string, depth: number) => TypeDefinition | undefined;

/** Builders nest; deeper than this is refused. */
const MAX_BUILDER_DEPTH = 32;

function structDefOf(structs: StructDefLookup | undefined, name: string, version: number, label: string): StructDef {
  const def = structs?.(name, version);
  if (def?.id === undefined) throw invalidArgument(`${label}: StructDef not found: ${structDefIdText({ name, version })}`);
  return def;
}

/**
 * Checks a builder, against `expected` when the place it flows into declares a type. Returns the
 * builder's own type, pinned to the concrete version of its StructDef.
 */
export function checkStructBuilder(
  b: StructBuilder,
  expected: TypeDefinition | undefined,
  structs: StructDefLookup | undefined,
  typer: AssignmentTyper,
  label: string,
  depth: number,
): TypeDefinition {
  if (depth > MAX_BUILDER_DEPTH) throw invalidArgument(`${label}: struct builders nested deeper than ${MAX_BUILDER_DEPTH} levels.`);
  const id = b.structDefId;
  if (id === undefined || id.name === '') throw invalidArgument(`${label}: the struct builder names no StructDef.`);
  const own = structDefOf(structs, id.name, id.version, label);
  const ownType: TypeDefinition = { definedType: { $case: 'structDefId', value: { name: id.name, version: own.id?.version ?? 0 } }, masked: false };
  let target = ownType;
  if (expected?.definedType !== undefined) {
    if (!isCompatibleType(expected, ownType)) {
      throw invalidArgument(`${label}: Cannot assign ${typeToString(ownType)} to ${typeToString(expected)} without explicit casting.`);
    }
    target = expected;
  }
  const d = target.definedType;
  if (d?.$case !== 'structDefId') throw invalidArgument(`${label}: does not resolve to a STRUCT value.`);
  const def = structDefOf(structs, d.value.name, d.value.version, label);
  checkInlineBuilder(b.value ?? { fields: {} }, def, structs, typer, label, depth);
  return ownType;
}

function checkInlineBuilder(
  builder: InlineStructBuilder,
  def: StructDef,
  structs: StructDefLookup | undefined,
  typer: AssignmentTyper,
  label: string,
  depth: number,
): void {
  if (depth > MAX_BUILDER_DEPTH) throw invalidArgument(`${label}: struct builders nested deeper than ${MAX_BUILDER_DEPTH} levels.`);
  const shown = structDefIdText(def.id);
  const fieldDefs = def.structDef?.fields ?? {};
  const missing = Object.keys(fieldDefs).sort().filter((name) => {
    const fd = fieldDefs[name];
    return fd !== undefined && isRequiredField(fd) && !Object.hasOwn(builder.fields, name);
  });
  if (missing.length > 0) throw invalidArgument(`${label}: Missing required field(s) for StructDef ${shown}: ${missing.join(', ')}`);
  for (const name of Object.keys(builder.fields).sort()) {
    const fieldDef = Object.hasOwn(fieldDefs, name) ? fieldDefs[name] : undefined;
    if (fieldDef === undefined) throw invalidArgument(`${label}: StructDef ${shown} does not contain field '${name}'`);
    const fieldType = fieldDef.fieldType ?? { definedType: undefined, masked: false };
    const fieldLabel = `${label} field '${name}'`;
    const v = builder.fields[name]?.structValue;
    if (v?.$case === 'simpleValue') {
      const a = v.value;
      if (a.source?.$case === 'structBuilder' && a.path === undefined && a.targetType === undefined) {
        checkStructBuilder(a.source.value, fieldType, structs, typer, fieldLabel, depth + 1);
        continue;
      }
      const got = typer(a, fieldLabel, depth + 1);
      if (got !== undefined && !isCompatibleType(fieldType, got)) {
        throw invalidArgument(`${label}: Field '${name}' expects ${typeToString(fieldType)} but got ${typeToString(got)}`);
      }
    } else if (v?.$case === 'subStructure') {
      const fd = fieldType.definedType;
      if (fd?.$case !== 'structDefId') throw invalidArgument(`${fieldLabel}: does not resolve to a STRUCT value.`);
      checkInlineBuilder(v.value, structDefOf(structs, fd.value.name, fd.value.version, fieldLabel), structs, typer, fieldLabel, depth + 1);
    } else {
      throw invalidArgument(`${label}: Field '${name}' is missing a value`);
    }
  }
}

function pathText(path: LHPath): string {
  return '$' + path.path.map((s) => (s.selectorType?.$case === 'index' ? `[${s.selectorType.value}]` : `.${s.selectorType?.value ?? ''}`)).join('');
}

/** The type an LHPath selects inside `type`; undefined once it reaches JSON (untyped). */
export function nestedType(type: TypeDefinition, path: LHPath, structs: StructDefLookup | undefined, label: string): TypeDefinition | undefined {
  let cur = type;
  for (const selector of path.path) {
    const d = cur.definedType;
    const sel = selector.selectorType;
    switch (d?.$case) {
      case undefined:
        return undefined;
      case 'primitiveType':
        if (d.value === VariableType.JSON_OBJ || d.value === VariableType.JSON_ARR) return undefined;
        throw invalidArgument(`${label}: Failed fetching LHPath to '${pathText(path)}' on Type '${typeToString(cur)}'`);
      case 'structDefId': {
        const def = structDefOf(structs, d.value.name, d.value.version, label);
        const key = sel?.$case === 'key' ? sel.value : '';
        const fields = def.structDef?.fields ?? {};
        const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
        if (field?.fieldType === undefined) throw invalidArgument(`${label}: could not find field '${key}' on type ${typeToString(cur)}`);
        cur = field.fieldType;
        break;
      }
      case 'inlineArrayDef':
        if (sel?.$case !== 'index') {
          throw invalidArgument(`${label}: Expected numeric index selector for Array type, got key selector '${sel?.value ?? ''}'`);
        }
        if (d.value.arrayType === undefined) return undefined;
        cur = d.value.arrayType;
        break;
      case 'inlineMapDef':
        if (sel?.$case !== 'key') throw invalidArgument(`${label}: Expected key selector for Map type, got index selector '${sel?.value ?? ''}'`);
        if (d.value.valueType === undefined) return undefined;
        cur = d.value.valueType;
        break;
      case 'inlineStructDef':
        return undefined;
    }
  }
  return cur;
}
