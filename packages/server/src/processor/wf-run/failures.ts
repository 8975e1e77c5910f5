// Failures: how a NodeRun fails, and whether a failure is an ERROR or a business EXCEPTION.
import { FailureHandlerDef_LHFailureType as LHFailureType, LHErrorType, LHStatus, type Failure, type FailureHandlerDef, type VariableValue } from '@filly/proto';

/** Upstream's reserved failure names: exactly the LHErrorType names. Anything else is EXCEPTION. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(
  Object.entries(LHErrorType)
    .filter(([name, v]) => typeof v === 'number' && v >= 0 && name !== 'UNRECOGNIZED')
    .map(([name]) => name),
);

export const ErrorName = {
  CHILD_FAILURE: 'CHILD_FAILURE',
  VAR_SUB_ERROR: 'VAR_SUB_ERROR',
  VAR_MUTATION_ERROR: 'VAR_MUTATION_ERROR',
  TIMEOUT: 'TIMEOUT',
  TASK_FAILURE: 'TASK_FAILURE',
  VAR_ERROR: 'VAR_ERROR',
  TASK_ERROR: 'TASK_ERROR',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

export function isReservedFailureName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

export function statusOfFailure(failure: Failure): LHStatus {
  return isReservedFailureName(failure.failureName) ? LHStatus.ERROR : LHStatus.EXCEPTION;
}

export function newFailure(failureName: string, message: string, content?: VariableValue): Failure {
  return { failureName, message, content, wasProperlyHandled: false, failureHandlerThreadrunId: undefined };
}

/**
 * Thrown inside the runtime when a NodeRun fails (on arrival, while checking for completion, or
 * while leaving it through its edges). The thread catches it and decides what the failure does.
 */
export class NodeFailure extends Error {
  override readonly name = 'NodeFailure';
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(`${failure.failureName}: ${failure.message}`);
    this.failure = failure;
  }
}

/**
 * Whether a FailureHandlerDef catches a failure of this name: a specific name (VAR_ERROR and
 * TASK_ERROR also stand for the failures they group), any ERROR, any EXCEPTION, or, with
 * nothing set, anything.
 */
export function handlerCatches(def: FailureHandlerDef, failureName: string): boolean {
  const what = def.failureToCatch;
  if (what === undefined) return true;
  if (what.$case === 'anyFailureOfType') {
    if (what.value === LHFailureType.FAILURE_TYPE_ERROR) return isReservedFailureName(failureName);
    if (what.value === LHFailureType.FAILURE_TYPE_EXCEPTION) return !isReservedFailureName(failureName);
    return true;
  }
  const specific = what.value;
  if (specific === failureName) return true;
  if (specific === ErrorName.VAR_ERROR) return failureName === ErrorName.VAR_SUB_ERROR || failureName === ErrorName.VAR_MUTATION_ERROR;
  if (specific === ErrorName.TASK_ERROR) return failureName === ErrorName.TASK_FAILURE || failureName === ErrorName.TIMEOUT;
  return false;
}

/** The first handler in declaration order that catches the failure. */
export function findHandler(defs: readonly FailureHandlerDef[], failureName: string): FailureHandlerDef | undefined {
  return defs.find((d) => handlerCatches(d, failureName));
}
