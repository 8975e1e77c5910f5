// Failures: how a NodeRun fails, and whether a failure is an ERROR or a business EXCEPTION.
import { LHErrorType, LHStatus, type Failure, type VariableValue } from '@filly/proto';

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
