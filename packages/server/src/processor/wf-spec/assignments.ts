// Checks of the small expression language inside a ThreadSpec: VariableAssignments (node inputs,
// conditions, timeouts), VariableMutations on edges, and edge conditions. Each check confirms
// every variable and node it names exists in scope and returns the static type where one is
// knowable, so callers can check it against what they expect.
import { VariableMutationType, VariableType } from '@filly/proto';
import type { Edge, TypeDefinition, VariableAssignment, VariableMutation } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import type { StructDefLookup } from '../structs/struct-def-lookup.ts';
import { isCompatibleType, typeOfValue, typeToString } from '../values/types.ts';
import { checkStructBuilder, nestedType } from './struct-builder-checks.ts';
import { refuseUnsupportedAssignment } from './supported-features.ts';
import { assignableWithoutCast, castable, primitiveName, primitiveOf } from './types.ts';

export interface ThreadScope {
  readonly threadName: string;
  /** The declared type of a variable visible from this thread (its own, then its ancestors'). */
  lookupVar(name: string): TypeDefinition | undefined;
  hasNode(name: string): boolean;
  /** StructDefs the spec may reference (version -1 = latest); absent means none exist. */
  readonly structs?: StructDefLookup;
}

/** A primitive type, or undefined when it cannot be known before the WfRun runs. */
export type StaticType = VariableType | undefined;

// Format strings and expressions nest; a spec nesting deeper than this is refused.
const MAX_ASSIGNMENT_DEPTH = 32;

const primitive = (t: VariableType): TypeDefinition => ({ definedType: { $case: 'primitiveType', value: t }, masked: false });

/** The primitive type of an assignment; undefined when unknowable or not primitive (STRUCT, arrays, maps). */
export function checkAssignment(a: VariableAssignment, scope: ThreadScope, label: string, depth = 0): StaticType {
  const t = checkAssignmentType(a, scope, label, depth);
  return t === undefined ? undefined : primitiveOf(t);
}

/** The full static type of an assignment, or undefined when it cannot be known before run time. */
export function checkAssignmentType(a: VariableAssignment, scope: ThreadScope, label: string, depth = 0): TypeDefinition | undefined {
  if (depth > MAX_ASSIGNMENT_DEPTH) throw invalidArgument(`${label}: nested deeper than ${MAX_ASSIGNMENT_DEPTH} levels.`);
  refuseUnsupportedAssignment(a, label);
  const source = a.source;
  if (source === undefined) throw invalidArgument(`${label}: the VariableAssignment has no source.`);
  let type: TypeDefinition | undefined;
  switch (source.$case) {
    case 'variableName': {
      const declared = scope.lookupVar(source.value);
      if (declared === undefined) {
        throw invalidArgument(`${label}: refers to variable '${source.value}', which is not declared in scope.`);
      }
      type = declared;
      break;
    }
    case 'literalValue':
      type = typeOfValue(source.value);
      break;
    case 'formatString': {
      const { format, args } = source.value;
      if (format === undefined) throw invalidArgument(`${label}: format string has no format.`);
      checkAssignmentType(format, scope, `${label} (format)`, depth + 1);
      args.forEach((arg, i) => checkAssignmentType(arg, scope, `${label} (format argument ${i})`, depth + 1));
      type = primitive(VariableType.STR);
      break;
    }
    case 'nodeOutput':
      if (!scope.hasNode(source.value.nodeName)) {
        throw invalidArgument(`${label}: refers to the output of node '${source.value.nodeName}', which does not exist in thread '${scope.threadName}'.`);
      }
      type = undefined;
      break;
    case 'expression': {
      const { lhs, rhs, operation } = source.value;
      if (lhs === undefined || rhs === undefined || operation === undefined) {
        throw invalidArgument(`${label}: expression needs a left side, an operation and a right side.`);
      }
      checkAssignmentType(lhs, scope, `${label} (left side)`, depth + 1);
      checkAssignmentType(rhs, scope, `${label} (right side)`, depth + 1);
      type = operation.$case === 'comparator' ? primitive(VariableType.BOOL) : undefined;
      break;
    }
    case 'sizeOf':
      if (source.value.operand === undefined) throw invalidArgument(`${label}: size-of has no operand.`);
      checkAssignmentType(source.value.operand, scope, `${label} (size-of operand)`, depth + 1);
      type = primitive(VariableType.INT);
      break;
    case 'structBuilder':
      type = checkStructBuilder(source.value, undefined, scope.structs, typerOf(scope), label, depth + 1);
      break;
  }
  const path = a.path;
  // A JSONPath selects inside an untyped JSON value: what it finds is unknown until run time.
  if (path?.$case === 'jsonPath') type = undefined;
  else if (path?.$case === 'lhPath' && type !== undefined) type = nestedType(type, path.value, scope.structs, label);
  if (a.targetType !== undefined) {
    const target = primitiveOf(a.targetType);
    if (target === undefined) throw invalidArgument(`${label}: can only cast to a primitive type.`);
    const from = type === undefined ? undefined : primitiveOf(type);
    if (type !== undefined && from === undefined) {
      throw invalidArgument(`${label}: Cannot cast from ${typeToString(type)} to ${primitiveName(target)}. This conversion is not supported.`);
    }
    if (from !== undefined && !castable(from, target)) {
      throw invalidArgument(`${label}: Cannot cast from ${primitiveName(from)} to ${primitiveName(target)}. This conversion is not supported.`);
    }
    type = primitive(target);
  }
  return type;
}

function typerOf(scope: ThreadScope) {
  return (a: VariableAssignment, label: string, depth: number): TypeDefinition | undefined => checkAssignmentType(a, scope, label, depth);
}

/** Checks an assignment that must produce `want` (if its type is knowable). */
export function checkAssignmentOfType(a: VariableAssignment, want: readonly VariableType[], scope: ThreadScope, label: string): void {
  const got = checkAssignment(a, scope, label);
  if (got === undefined) return;
  if (want.some((w) => assignableWithoutCast(got, w))) return;
  throw invalidArgument(`${label}: must be ${want.map(primitiveName).join(' or ')}, but it is ${primitiveName(got)}.`);
}

/**
 * Checks an assignment flowing into a place declared as `want` (a task input, a variable): a
 * struct builder is checked field by field against it; anything else must be of a compatible
 * type when its type is knowable.
 */
export function checkAssignmentFits(a: VariableAssignment, want: TypeDefinition, scope: ThreadScope, label: string): void {
  const src = a.source;
  if (src?.$case === 'structBuilder' && a.path === undefined && a.targetType === undefined) {
    refuseUnsupportedAssignment(a, label);
    checkStructBuilder(src.value, want, scope.structs, typerOf(scope), label, 1);
    return;
  }
  const got = checkAssignmentType(a, scope, label);
  if (got === undefined || isCompatibleType(want, got)) return;
  throw invalidArgument(`${label}: Cannot assign ${typeToString(got)} to ${typeToString(want)} without explicit casting.`);
}

export function checkMutation(m: VariableMutation, scope: ThreadScope, label: string): void {
  const declared = scope.lookupVar(m.lhsName);
  if (declared === undefined) {
    throw invalidArgument(`${label}: mutates variable '${m.lhsName}', which is not declared in scope.`);
  }
  if (!(m.operation in VariableMutationType) || m.operation === VariableMutationType.UNRECOGNIZED) {
    throw invalidArgument(`${label}: unknown mutation operation ${m.operation} on '${m.lhsName}'.`);
  }
  const rhs = m.rhsValue;
  const rhsLabel = `${label} (value for '${m.lhsName}')`;
  const plainAssign = m.operation === VariableMutationType.ASSIGN && m.lhsJsonPath === undefined;
  const lhsType = primitiveOf(declared);
  if (plainAssign && lhsType === undefined && rhs !== undefined && rhs.$case !== 'nodeOutput') {
    // STRUCT, array and map variables: the right-hand side must be of the declared type.
    if (rhs.$case === 'rhsAssignment') checkAssignmentFits(rhs.value, declared, scope, rhsLabel);
    else checkLiteralFits(typeOfValue(rhs.value), declared, rhsLabel);
    return;
  }
  let rhsType: StaticType;
  if (rhs?.$case === 'rhsAssignment') rhsType = checkAssignment(rhs.value, scope, rhsLabel);
  else if (rhs?.$case === 'literalValue') {
    const t = typeOfValue(rhs.value);
    rhsType = t === undefined ? undefined : primitiveOf(t);
  }
  if (plainAssign && lhsType !== undefined && rhsType !== undefined) {
    if (!assignableWithoutCast(rhsType, lhsType)) {
      throw invalidArgument(`${label}: cannot assign a ${primitiveName(rhsType)} to '${m.lhsName}' of type ${primitiveName(lhsType)}.`);
    }
  }
}

function checkLiteralFits(got: TypeDefinition | undefined, want: TypeDefinition, label: string): void {
  if (got === undefined || isCompatibleType(want, got)) return;
  throw invalidArgument(`${label}: Cannot assign ${typeToString(got)} to ${typeToString(want)} without explicit casting.`);
}

export function checkEdgeConditionAndMutations(edge: Edge, scope: ThreadScope, label: string): void {
  const cond = edge.edgeCondition;
  if (cond?.$case === 'condition') {
    checkAssignmentOfType(cond.value, [VariableType.BOOL], scope, `${label} condition`);
  } else if (cond?.$case === 'legacyCondition') {
    const { left, right } = cond.value;
    if (left === undefined || right === undefined) throw invalidArgument(`${label} condition: needs a left and a right side.`);
    checkAssignment(left, scope, `${label} condition (left side)`);
    checkAssignment(right, scope, `${label} condition (right side)`);
  }
  edge.variableMutations.forEach((m, i) => checkMutation(m, scope, `${label} mutation ${i}`));
}
