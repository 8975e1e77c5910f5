import { Comparator, VariableMutationType, type VariableAssignment } from '@filly/proto';
import { isVarTypeName, type OutputJsType, type VarTypeName } from '../common/variable-types.ts';
import { inferVariableValue, toVariableValue } from '../common/variable-value.ts';

/**
 * The static type of a workflow value: a primitive LittleHorse type, 'ANY' when it is
 * not known at build time (a JSONPath into JSON, an external event's content,
 * arithmetic), 'STRUCT' / 'ARRAY' / 'MAP' for values of a StructDef or a native typed
 * Array / Map, or 'NONE' for a node that produces no output.
 */
export type ValueTag = VarTypeName | 'STRUCT' | 'ARRAY' | 'MAP' | 'ANY' | 'NONE';

/** Anything that compiles to a VariableAssignment and knows its static type. */
export interface ValueSource<T extends ValueTag = ValueTag> {
  readonly valueType: T;
  toAssignment(): VariableAssignment;
}

/**
 * What may be passed where a value of type T is expected: a JS literal of that type,
 * a workflow value of that type, or an untyped one. An INT value also fits a DOUBLE
 * (LittleHorse widens it without a cast).
 */
export type Assignable<T extends ValueTag> = T extends VarTypeName
  ? OutputJsType<T> | ValueSource<T> | ValueSource<'ANY'> | (T extends 'DOUBLE' ? ValueSource<'INT'> : never)
  : unknown;

/** Any literal or workflow value, for positions without a declared type. */
export type AnyValue = unknown;

export function isValueSource(v: unknown): v is ValueSource {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Partial<ValueSource>).toAssignment === 'function' &&
    typeof (v as Partial<ValueSource>).valueType === 'string'
  );
}

/**
 * Compiles a literal or workflow value. A literal is encoded as `typeHint` when the
 * expected type is known, else by its JS type (see inferVariableValue).
 */
export function assignmentOf(value: unknown, typeHint?: ValueTag): VariableAssignment {
  if (isValueSource(value)) return value.toAssignment();
  const hint = isVarTypeName(typeHint) ? typeHint : undefined;
  const literal = hint !== undefined ? toVariableValue(value as never, hint) : inferVariableValue(value);
  return { source: { $case: 'literalValue', value: literal } };
}

/** The primitive type a literal should take when compared with / assigned to `tag`. */
function hintFor(tag: ValueTag): ValueTag | undefined {
  return tag === 'JSON_OBJ' || tag === 'JSON_ARR' ? undefined : tag;
}

/** Shared comparison methods of variables, node outputs and expressions. */
export abstract class ValueHandle<T extends ValueTag> implements ValueSource<T> {
  abstract readonly valueType: T;
  abstract toAssignment(): VariableAssignment;

  isEqualTo(rhs: Assignable<T>): Condition {
    return this.#compare(Comparator.EQUALS, rhs);
  }
  isNotEqualTo(rhs: Assignable<T>): Condition {
    return this.#compare(Comparator.NOT_EQUALS, rhs);
  }
  isLessThan(rhs: Assignable<T>): Condition {
    return this.#compare(Comparator.LESS_THAN, rhs);
  }
  isLessThanEq(rhs: Assignable<T>): Condition {
    return this.#compare(Comparator.LESS_THAN_EQ, rhs);
  }
  isGreaterThan(rhs: Assignable<T>): Condition {
    return this.#compare(Comparator.GREATER_THAN, rhs);
  }
  isGreaterThanEq(rhs: Assignable<T>): Condition {
    return this.#compare(Comparator.GREATER_THAN_EQ, rhs);
  }
  /** This value is an element of `collection` (JSON_ARR, or a key of a JSON_OBJ). */
  isIn(collection: AnyValue): Condition {
    return new Condition(this, Comparator.IN, collection);
  }
  isNotIn(collection: AnyValue): Condition {
    return new Condition(this, Comparator.NOT_IN, collection);
  }
  /** This collection contains `element`. */
  doesContain(element: AnyValue): Condition {
    return new Condition(element, Comparator.IN, this);
  }
  doesNotContain(element: AnyValue): Condition {
    return new Condition(element, Comparator.NOT_IN, this);
  }

  #compare(comparator: Comparator, rhs: unknown): Condition {
    return new Condition(this, comparator, rhs, hintFor(this.valueType));
  }
}

const REVERSED: Readonly<Partial<Record<Comparator, Comparator>>> = {
  [Comparator.LESS_THAN]: Comparator.GREATER_THAN_EQ,
  [Comparator.GREATER_THAN]: Comparator.LESS_THAN_EQ,
  [Comparator.LESS_THAN_EQ]: Comparator.GREATER_THAN,
  [Comparator.GREATER_THAN_EQ]: Comparator.LESS_THAN,
  [Comparator.IN]: Comparator.NOT_IN,
  [Comparator.NOT_IN]: Comparator.IN,
  [Comparator.EQUALS]: Comparator.NOT_EQUALS,
  [Comparator.NOT_EQUALS]: Comparator.EQUALS,
};

/** A comparison; evaluates to BOOL. Used by doIf / doWhile and edges. */
export class Condition extends ValueHandle<'BOOL'> {
  readonly valueType = 'BOOL' as const;
  readonly lhs: unknown;
  readonly comparator: Comparator;
  readonly rhs: unknown;
  readonly #rhsHint: ValueTag | undefined;

  constructor(lhs: unknown, comparator: Comparator, rhs: unknown, rhsHint?: ValueTag) {
    super();
    this.lhs = lhs;
    this.comparator = comparator;
    this.rhs = rhs;
    this.#rhsHint = rhsHint;
  }

  /** The opposite comparison (what doWhile uses to leave the loop). */
  negate(): Condition {
    const reversed = REVERSED[this.comparator];
    if (reversed === undefined) throw new Error(`cannot negate comparator ${this.comparator}`);
    return new Condition(this.lhs, reversed, this.rhs, this.#rhsHint);
  }

  toAssignment(): VariableAssignment {
    return {
      source: {
        $case: 'expression',
        value: {
          lhs: assignmentOf(this.lhs),
          operation: { $case: 'comparator', value: this.comparator },
          rhs: assignmentOf(this.rhs, this.#rhsHint),
        },
      },
    };
  }
}

/** Arithmetic or collection operation on two values (LittleHorse `Expression`). */
export class LHExpression extends ValueHandle<'ANY'> {
  readonly valueType = 'ANY' as const;
  readonly lhs: unknown;
  readonly operation: VariableMutationType;
  readonly rhs: unknown;

  constructor(lhs: unknown, operation: VariableMutationType, rhs: unknown) {
    super();
    this.lhs = lhs;
    this.operation = operation;
    this.rhs = rhs;
  }

  toAssignment(): VariableAssignment {
    return {
      source: {
        $case: 'expression',
        value: {
          lhs: assignmentOf(this.lhs),
          operation: { $case: 'mutationType', value: this.operation },
          rhs: assignmentOf(this.rhs),
        },
      },
    };
  }
}

/** `wf.format('{0}-{1}', a, b)`: a STR built at run time. */
export class LHFormatString extends ValueHandle<'STR'> {
  readonly valueType = 'STR' as const;
  readonly format: string;
  readonly args: readonly unknown[];

  constructor(format: string, args: readonly unknown[]) {
    super();
    this.format = format;
    this.args = args;
  }

  toAssignment(): VariableAssignment {
    return {
      source: {
        $case: 'formatString',
        value: {
          format: { source: { $case: 'literalValue', value: { value: { $case: 'str', value: this.format } } } },
          args: this.args.map((a) => assignmentOf(a)),
        },
      },
    };
  }
}
