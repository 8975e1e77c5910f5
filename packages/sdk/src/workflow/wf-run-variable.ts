import {
  VariableMutationType,
  WfRunVariableAccessLevel,
  type ThreadVarDef,
  type VariableAssignment,
  type VariableMutation,
  type VariableValue,
} from '@filly/proto';
import { variableTypeOf, type VarTypeName } from '../common/variable-types.ts';
import { assignmentOf, ValueHandle, type AnyValue, type Assignable, type ValueTag } from './expression.ts';

/** Where a variable's mutations go: the thread being built when the mutation is declared. */
export type MutationSink = (mutation: VariableMutation) => void;

interface VariableDecl {
  readonly name: string;
  readonly type: VarTypeName;
  defaultValue: VariableValue | undefined;
  required: boolean;
  searchable: boolean;
  masked: boolean;
  accessLevel: WfRunVariableAccessLevel;
}

/**
 * A variable of the WfRun's thread, typed by its declaration. Mutations (`assign`,
 * `add`, ...) are attached to the edge leaving the most recently added node, as in the
 * upstream SDKs.
 */
export class WfRunVariable<T extends ValueTag> extends ValueHandle<T> {
  readonly valueType: T;
  readonly name: string;
  readonly jsonPathExpr: string | undefined;
  readonly #decl: VariableDecl;
  readonly #sink: MutationSink;

  /** @internal Use wf.declareStr() and friends. */
  constructor(decl: VariableDecl, sink: MutationSink, valueType: T, jsonPath?: string) {
    super();
    this.#decl = decl;
    this.#sink = sink;
    this.valueType = valueType;
    this.name = decl.name;
    this.jsonPathExpr = jsonPath;
  }

  /** @internal */
  static declare<T extends VarTypeName>(name: string, type: T, defaultValue: VariableValue | undefined, sink: MutationSink): WfRunVariable<T> {
    const decl: VariableDecl = {
      name,
      type,
      defaultValue,
      required: false,
      searchable: false,
      masked: false,
      accessLevel: WfRunVariableAccessLevel.PRIVATE_VAR,
    };
    return new WfRunVariable(decl, sink, type);
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
  /** Its value is shown as "*****" through the API. */
  masked(): this {
    this.#decl.masked = true;
    return this;
  }
  /** Visible to child WfRuns (PUBLIC_VAR). */
  asPublic(): this {
    this.#decl.accessLevel = WfRunVariableAccessLevel.PUBLIC_VAR;
    return this;
  }
  /** Refers to the parent WfRun's public variable of the same name (INHERITED_VAR). */
  asInherited(): this {
    this.#decl.accessLevel = WfRunVariableAccessLevel.INHERITED_VAR;
    return this;
  }

  /** A field of a JSON_OBJ / JSON_ARR variable, e.g. `$.address.city`. */
  jsonPath(this: WfRunVariable<'JSON_OBJ' | 'JSON_ARR'>, path: string): WfRunVariable<'ANY'> {
    if (this.jsonPathExpr !== undefined) throw new Error(`jsonPath() used twice on variable ${this.name}`);
    if (!path.startsWith('$')) throw new Error(`JSONPath must start with "$", got "${path}"`);
    return new WfRunVariable(this.#decl, this.#sink, 'ANY', path);
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
      ...(this.jsonPathExpr !== undefined ? { path: { $case: 'jsonPath', value: this.jsonPathExpr } } : {}),
    };
  }

  /** @internal The ThreadVarDef of the declaration. */
  toThreadVarDef(): ThreadVarDef {
    const d = this.#decl;
    return {
      varDef: {
        name: d.name,
        typeDef: { definedType: { $case: 'primitiveType', value: variableTypeOf(d.type) }, masked: d.masked },
        ...(d.defaultValue !== undefined ? { defaultValue: d.defaultValue } : {}),
      },
      required: d.required,
      searchable: d.searchable,
      jsonIndexes: [],
      accessLevel: d.accessLevel,
    };
  }

  #mutate(operation: VariableMutationType, rhs: unknown, typed: boolean): void {
    // Literals assigned to a typed variable take its type (3 into a DOUBLE is 3.0).
    const hint = typed && this.jsonPathExpr === undefined ? this.#decl.type : undefined;
    this.#sink({
      lhsName: this.name,
      ...(this.jsonPathExpr !== undefined ? { lhsJsonPath: this.jsonPathExpr } : {}),
      operation,
      rhsValue: { $case: 'rhsAssignment', value: assignmentOf(rhs, hint) },
    });
  }
}
