import { VariableType, type TypeDefinition } from '@filly/proto';
import { variableTypeOf, type VarTypeName } from '../common/variable-types.ts';

/**
 * How a workflow variable's (or an event's) type is written in the builder:
 *
 *   'INT'                                 a primitive type
 *   { struct: 'car', version?: 2 }        an instance of a StructDef (latest version if omitted)
 *   { arrayOf: 'INT' }                    a native typed Array
 *   { mapOf: ['STR', { struct: 'car' }] } a native typed Map (primitive keys)
 */
export type TypeSpec = VarTypeName | StructTypeSpec | ArrayTypeSpec | MapTypeSpec;

export interface StructTypeSpec {
  readonly struct: string;
  readonly version?: number;
}
export interface ArrayTypeSpec {
  readonly arrayOf: TypeSpec;
}
export interface MapTypeSpec {
  readonly mapOf: readonly [MapKeyType, TypeSpec];
}

/** Native Map keys must be primitive and not JSON. */
export type MapKeyType = Exclude<VarTypeName, 'JSON_OBJ' | 'JSON_ARR'>;

/** The static tag (see ValueTag) a value of a TypeSpec carries. */
export type TagOfSpec<S extends TypeSpec> = S extends VarTypeName
  ? S
  : S extends StructTypeSpec
    ? 'STRUCT'
    : S extends ArrayTypeSpec
      ? 'ARRAY'
      : 'MAP';

/** Bound on nesting (array of map of array...), so a cyclic spec object cannot loop forever. */
const MAX_TYPE_DEPTH = 16;

/** Upstream's StructDefId version meaning "the latest version". */
export const LATEST_STRUCT_DEF_VERSION = -1;

export function tagOfSpec<S extends TypeSpec>(spec: S): TagOfSpec<S> {
  const s: TypeSpec = spec;
  if (typeof s === 'string') return s as TagOfSpec<S>;
  if ('struct' in s) return 'STRUCT' as TagOfSpec<S>;
  if ('arrayOf' in s) return 'ARRAY' as TagOfSpec<S>;
  return 'MAP' as TagOfSpec<S>;
}

/** The TypeDefinition of a spec, as upstream's builder writes it (masked: false). */
export function typeDefinitionOf(spec: TypeSpec): TypeDefinition {
  return build(spec, 0, false);
}

function build(spec: TypeSpec, depth: number, nested: boolean): TypeDefinition {
  if (depth > MAX_TYPE_DEPTH) throw new Error(`type nesting deeper than ${MAX_TYPE_DEPTH}`);
  if (typeof spec === 'string') {
    const primitive = variableTypeOf(spec);
    // Native arrays and maps refuse JSON members, as upstream's builder does.
    if (nested && (primitive === VariableType.JSON_OBJ || primitive === VariableType.JSON_ARR)) {
      throw new Error(`${spec} cannot be an element, key or value of a native Array or Map`);
    }
    return { definedType: { $case: 'primitiveType', value: primitive }, masked: false };
  }
  if ('struct' in spec) {
    if (spec.struct.length === 0) throw new Error('a StructDef name must not be empty');
    const version = spec.version ?? LATEST_STRUCT_DEF_VERSION;
    if (!Number.isInteger(version) || version < LATEST_STRUCT_DEF_VERSION) throw new Error(`bad StructDef version ${version}`);
    return { definedType: { $case: 'structDefId', value: { name: spec.struct, version } }, masked: false };
  }
  if ('arrayOf' in spec) {
    return { definedType: { $case: 'inlineArrayDef', value: { arrayType: build(spec.arrayOf, depth + 1, true) } }, masked: false };
  }
  const [key, value] = spec.mapOf;
  return {
    definedType: {
      $case: 'inlineMapDef',
      value: { keyType: build(key, depth + 1, true), valueType: build(value, depth + 1, true) },
    },
    masked: false,
  };
}
