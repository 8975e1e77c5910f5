import {
  VariableMutationType,
  VariableType,
  WfRunVariableAccessLevel,
  type JsonIndex,
  type ThreadVarDef,
  type TypeDefinition,
  type VariableAssignment,
  type VariableMutation,
  type VariableValue,
} from '@filly/proto';
import { variableTypeOf, type VarTypeName } from '../common/variable-types.ts';
import { assignmentOf, ValueHandle, type AnyValue, type Assignable, type ValueTag } from './expression.ts';
import { typeDefinitionOf, type TypeSpec } from './type-spec.ts';
import { jsonPathFrom, lhPathFrom, type ValuePath } from './value-path.ts';

/** Where a variable's mutations go: the thread being built when the mutation is declared. */
export type MutationSink = (mutation: VariableMutation) => void;

/** Bound on searchableOn() indexes per variable. */
const MAX_JSON_INDEXES = 100;

interface VariableDecl {
  readonly name: string;
  /** The declared type, without the masked flag (kept apart so masked() can flip it). */
  readonly typeDef: TypeDefinition;
  /** Set for primitive variables: the type literals assigned to it are encoded as. */
  readonly primitive: VarTypeName | undefined;
  defaultValue: VariableValue | undefined;
  required: boolean;
  searchable: boolean;
  masked: boolean;
  accessLevel: WfRunVariableAccessLevel;
  readonly jsonIndexes: JsonIndex[];
}

/** The tags on which get() is allowed (JSON, structs, native arrays and maps). */
export type PathableTag = 'JSON_OBJ' | 'JSON_ARR' | 'STRUCT' | 'ARRAY' | 'MAP' | 'ANY';

/**
 * A variable of the WfRun's thread, typed by its declaration. Mutations (`assign`,
 * `add`, ...) are attached to the edge leaving the most recently added node, as in the
 * upstream SDKs.
 */
export class WfRunVariable<T extends ValueTag> extends ValueHandle<T> {
  readonly valueType: T;
  readonly name: string;
  readonly path: ValuePath | undefined;
  readonly #decl: VariableDecl;
  readonly #sink: MutationSink;

  /** @internal Use wf.declareStr() and friends. */
  constructor(decl: VariableDecl, sink: MutationSink, valueType: T, path?: ValuePath) {
    super();
    this.#decl = decl;
    this.#sink = sink;
    this.valueType = valueType;
    this.name = decl.name;
    this.path = path;
  }

  /** @internal A primitive variable. */
  static declare<T extends VarTypeName>(name: string, type: T, defaultValue: VariableValue | undefined, sink: MutationSink): WfRunVariable<T> {
    const typeDef: TypeDefinition = { definedType: { $case: 'primitiveType', value: variableTypeOf(type) }, masked: false };
    return new WfRunVariable(newDecl(name, typeDef, type, defaultValue), sink, type);
  }

  /** @internal A struct, native array or native map variable. */
  static declareTyped<T extends ValueTag>(name: string, spec: TypeSpec, tag: T, sink: MutationSink): WfRunVariable<T> {
    const primitive = typeof spec === 'string' ? spec : undefined;
    return new WfRunVariable(newDecl(name, typeDefinitionOf(spec), primitive, undefined), sink, tag);
  }

  /** The JSONPath this handle reads, if any. */
  get jsonPathExpr(): string | undefined {
    return this.path?.$case === 'jsonPath' ? this.path.value : undefined;
  }
  get isMasked(): boolean {
    return this.#decl.masked;
  }
  /** The declared type (what a ThreadVarDef carries). */
  get typeDefinition(): TypeDefinition {
    return { ...this.#decl.typeDef, masked: this.#decl.masked };
  }

  /** RunWf must provide a value for it. */
  required(): this {
    this.#decl.required = true;
    return this;
  }
  /** Indexed, so SearchVariable can find WfRuns by its value. */
  searchable(): this {
    this.#decl.searchable = true;
    return this;
  }
  /** Indexes one field of a JSON variable (`$.a.b`) so SearchVariable can find it. */
  searchableOn<S extends 'JSON_OBJ' | 'JSON_ARR'>(this: WfRunVariable<S>, fieldPath: string, fieldType: VarTypeName): WfRunVariable<S> {
    if (!fieldPath.startsWith('$.')) throw new Error(`invalid JSONPath ${fieldPath}: it must start with "$."`);
    const primitive = this.#decl.primitive;
    if (primitive !== 'JSON_OBJ' && primitive !== 'JSON_ARR') throw new Error(`variable ${this.name} is not JSON; it cannot have a JSON index`);
    if (this.#decl.jsonIndexes.length >= MAX_JSON_INDEXES) throw new Error(`at most ${MAX_JSON_INDEXES} JSON indexes per variable`);
    this.#decl.jsonIndexes.push({ fieldPath, fieldType: variableTypeOf(fieldType) });
    return this;
  }
  /** Its value is shown as "*****" through the API. */
  masked(): this {
    this.#decl.masked = true;
    return this;
  }
  /** Visible to child WfRuns (PUBLIC_VAR). */
  asPublic(): this {
    return this.withAccessLevel(WfRunVariableAccessLevel.PUBLIC_VAR);
  }
  /** Refers to the parent WfRun's public variable of the same name (INHERITED_VAR). */
  asInherited(): this {
    return this.withAccessLevel(WfRunVariableAccessLevel.INHERITED_VAR);
  }
  withAccessLevel(accessLevel: WfRunVariableAccessLevel): this {
    this.#decl.accessLevel = accessLevel;
    return this;
  }

  /** A field of a JSON_OBJ / JSON_ARR variable, e.g. `$.address.city`. */
  jsonPath(this: WfRunVariable<'JSON_OBJ' | 'JSON_ARR'>, path: string): WfRunVariable<'ANY'> {
    return new WfRunVariable(this.#decl, this.#sink, 'ANY', jsonPathFrom(this.path, path, `variable ${this.name}`));
  }

  /**
   * A field (string key) or element (integer index) of a JSON, struct, native array or
   * native map variable, read through an LHPath. Chain calls to go deeper.
   */
  get(this: WfRunVariable<PathableTag>, keyOrIndex: string | number): WfRunVariable<'ANY'> {
    const defined = this.#decl.typeDef.definedType;
    const isJson =
      defined?.$case === 'primitiveType' && (defined.value === VariableType.JSON_OBJ || defined.value === VariableType.JSON_ARR);
    const fits =
      isJson || defined?.$case === 'structDefId' || defined?.$case === 'inlineMapDef' || (defined?.$case === 'inlineArrayDef' && typeof keyOrIndex === 'number');
    if (!fits) throw new Error(`get(${JSON.stringify(keyOrIndex)}) is not allowed on variable ${this.name}`);
    return new WfRunVariable(this.#decl, this.#sink, 'ANY', lhPathFrom(this.path, keyOrIndex, `variable ${this.name}`));
  }

  assign(rhs: Assignable<T>): void {
    this.#mutate(VariableMutationType.ASSIGN, rhs, true);
  }
  add(rhs: AnyValue): void {
    this.#mutate(VariableMutationType.ADD, rhs, false);
  }
  extend(rhs: AnyValue): void {
    this.#mutate(VariableMutationType.EXTEND, rhs, false);
  }
  subtract(rhs: AnyValue): void {
    this.#mutate(VariableMutationType.SUBTRACT, rhs, false);
  }
  multiply(rhs: AnyValue): void {
    this.#mutate(VariableMutationType.MULTIPLY, rhs, false);
  }
  divide(rhs: AnyValue): void {
    this.#mutate(VariableMutationType.DIVIDE, rhs, false);
  }
  removeIfPresent(rhs: AnyValue): void {
    this.#mutate(VariableMutationType.REMOVE_IF_PRESENT, rhs, false);
  }
  removeIndex(index: number | ValueHandle<'INT'> | ValueHandle<'ANY'>): void {
    this.#mutate(VariableMutationType.REMOVE_INDEX, index, false);
  }
  removeKey(key: string | ValueHandle<'STR'> | ValueHandle<'ANY'>): void {
    this.#mutate(VariableMutationType.REMOVE_KEY, key, false);
  }

  /** Generic form of the mutation methods. */
  mutate(operation: VariableMutationType, rhs: AnyValue): void {
    this.#mutate(operation, rhs, operation === VariableMutationType.ASSIGN);
  }

  toAssignment(): VariableAssignment {
    return {
      source: { $case: 'variableName', value: this.name },
      ...(this.path !== undefined ? { path: this.path } : {}),
    };
  }

  /** @internal The ThreadVarDef of the declaration. */
  toThreadVarDef(): ThreadVarDef {
    const d = this.#decl;
    return {
      varDef: {
        name: d.name,
        typeDef: this.typeDefinition,
        ...(d.defaultValue !== undefined ? { defaultValue: d.defaultValue } : {}),
      },
      required: d.required,
      searchable: d.searchable,
      jsonIndexes: d.jsonIndexes.map((i) => ({ ...i })),
      accessLevel: d.accessLevel,
    };
  }

  #mutate(operation: VariableMutationType, rhs: unknown, typed: boolean): void {
    // A VariableMutation can only address a variable or a JSONPath into it.
    if (this.path?.$case === 'lhPath') throw new Error(`cannot mutate through get() on variable ${this.name}; use jsonPath()`);
    // Literals assigned to a typed variable take its type (3 into a DOUBLE is 3.0).
    const hint = typed && this.path === undefined ? this.#decl.primitive : undefined;
    this.#sink({
      lhsName: this.name,
      ...(this.jsonPathExpr !== undefined ? { lhsJsonPath: this.jsonPathExpr } : {}),
      operation,
      rhsValue: { $case: 'rhsAssignment', value: assignmentOf(rhs, hint) },
    });
  }
}

function newDecl(name: string, typeDef: TypeDefinition, primitive: VarTypeName | undefined, defaultValue: VariableValue | undefined): VariableDecl {
  if (name.length === 0) throw new Error('a variable name must not be empty');
  return {
    name,
    typeDef,
    primitive,
    defaultValue,
    required: false,
    searchable: false,
    masked: false,
    accessLevel: WfRunVariableAccessLevel.PRIVATE_VAR,
    jsonIndexes: [],
  };
}
