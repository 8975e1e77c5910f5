// Checks of the small expression language inside a ThreadSpec: VariableAssignments (node inputs,
// conditions, timeouts), VariableMutations on edges, and edge conditions. Each check confirms
// every variable and node it names exists in scope and returns the static type where one is
// knowable, so callers can check it against what they expect.
import { VariableMutationType, VariableType } from '@filly/proto';
import type { Edge, TypeDefinition, VariableAssignment, VariableMutation } from '@filly/proto';
import { invalidArgument } from '../api-error.ts';
import { refuseUnsupportedAssignment } from './supported-features.ts';
import { assignableWithoutCast, castable, literalPrimitive, primitiveName, primitiveOf } from './types.ts';

export interface ThreadScope {
  readonly threadName: string;
  /** The declared type of a variable visible from this thread (its own, then its ancestors'). */
  lookupVar(name: string): TypeDefinition | undefined;
  hasNode(name: string): boolean;
}

/** A primitive type, or undefined when it cannot be known before the WfRun runs. */
export type StaticType = VariableType | undefined;

// Format strings and expressions nest; a spec nesting deeper than this is refused.
const MAX_ASSIGNMENT_DEPTH = 32;

export function checkAssignment(a: VariableAssignment, scope: ThreadScope, label: string, depth = 0): StaticType {
  if (depth > MAX_ASSIGNMENT_DEPTH) throw invalidArgument(`${label}: nested deeper than ${MAX_ASSIGNMENT_DEPTH} levels.`);
  refuseUnsupportedAssignment(a, label);
  const source = a.source;
  if (source === undefined) throw invalidArgument(`${label}: the VariableAssignment has no source.`);
  let type: StaticType;
  switch (source.$case) {
    case 'variableName': {
      const declared = scope.lookupVar(source.value);
      if (declared === undefined) {
        throw invalidArgument(`${label}: refers to variable '${source.value}', which is not declared in scope.`);
      }
      type = primitiveOf(declared);
      break;
    }
    case 'literalValue':
      type = literalPrimitive(source.value);
      break;
    case 'formatString': {
      const { format, args } = source.value;
      if (format === undefined) throw invalidArgument(`${label}: format string has no format.`);
      checkAssignment(format, scope, `${label} (format)`, depth + 1);
      args.forEach((arg, i) => checkAssignment(arg, scope, `${label} (format argument ${i})`, depth + 1));
      type = VariableType.STR;
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
      checkAssignment(lhs, scope, `${label} (left side)`, depth + 1);
      checkAssignment(rhs, scope, `${label} (right side)`, depth + 1);
      type = operation.$case === 'comparator' ? VariableType.BOOL : undefined;
      break;
    }
    case 'sizeOf':
      if (source.value.operand === undefined) throw invalidArgument(`${label}: size-of has no operand.`);
      checkAssignment(source.value.operand, scope, `${label} (size-of operand)`, depth + 1);
      type = VariableType.INT;
      break;
    case 'structBuilder':
      // Refused above while STRUCTs are unsupported; its type is never a primitive.
      type = undefined;
      break;
  }
  // A path selects inside a JSON or structured value: what it finds is unknown until runtime.
  if (a.path !== undefined) type = undefined;
  if (a.targetType !== undefined) {
    const target = primitiveOf(a.targetType);
    if (target === undefined) throw invalidArgument(`${label}: can only cast to a primitive type.`);
    if (type !== undefined && !castable(type, target)) {
      throw invalidArgument(`${label}: cannot cast ${primitiveName(type)} to ${primitiveName(target)}.`);
    }
    type = target;
  }
  return type;
}

/** Checks an assignment that must produce `want` (if its type is knowable). */
export function checkAssignmentOfType(a: VariableAssignment, want: readonly VariableType[], scope: ThreadScope, label: string): void {
  const got = checkAssignment(a, scope, label);
  if (got === undefined) return;
  if (want.some((w) => assignableWithoutCast(got, w))) return;
  throw invalidArgument(`${label}: must be ${want.map(primitiveName).join(' or ')}, but it is ${primitiveName(got)}.`);
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
  let rhsType: StaticType;
  if (rhs?.$case === 'rhsAssignment') rhsType = checkAssignment(rhs.value, scope, `${label} (value for '${m.lhsName}')`);
  else if (rhs?.$case === 'literalValue') rhsType = literalPrimitive(rhs.value);
  const lhsType = primitiveOf(declared);
  if (m.operation === VariableMutationType.ASSIGN && m.lhsJsonPath === undefined && lhsType !== undefined && rhsType !== undefined) {
    if (!assignableWithoutCast(rhsType, lhsType)) {
      throw invalidArgument(`${label}: cannot assign a ${primitiveName(rhsType)} to '${m.lhsName}' of type ${primitiveName(lhsType)}.`);
    }
  }
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
