import { FailureHandlerDef_LHFailureType, LHErrorType, lHErrorTypeToJSON, type FailureHandlerDef } from '@filly/proto';
import type { ThreadFunc, ThreadInternals } from './compile-context.ts';

/** An LHErrorType, as the enum value or its name ('TIMEOUT', 'TASK_FAILURE', ...). */
export type ErrorTypeArg = LHErrorType | Exclude<keyof typeof LHErrorType, 'UNRECOGNIZED'>;

/**
 * Where a handler is attached: the node's own failure handlers, or (WAIT_FOR_THREADS
 * only) the handlers run for each failed child thread. Upstream names the handler
 * threads differently in each case; the prefixes below follow it exactly.
 */
export type HandlerSite = 'node' | 'child';

export function errorTypeName(errorType: ErrorTypeArg): string {
  const name = typeof errorType === 'string' ? errorType : lHErrorTypeToJSON(errorType);
  if (!(name in LHErrorType) || name === 'UNRECOGNIZED') throw new Error(`unknown LHErrorType ${String(errorType)}`);
  return name;
}

/** Catches a business EXCEPTION: one by name, or any exception. */
export function addExceptionHandler(t: ThreadInternals, site: HandlerSite, nodeName: string, exceptionName: string | undefined, handler: ThreadFunc): void {
  if (exceptionName !== undefined && exceptionName.length === 0) throw new Error('an exception name must not be empty');
  // Upstream prints a missing name as "null" on a node, and as the failure type on a child wait.
  const label = exceptionName ?? (site === 'node' ? 'null' : 'FAILURE_TYPE_EXCEPTION');
  const catching: FailureHandlerDef['failureToCatch'] =
    exceptionName !== undefined
      ? { $case: 'specificFailure', value: exceptionName }
      : { $case: 'anyFailureOfType', value: FailureHandlerDef_LHFailureType.FAILURE_TYPE_EXCEPTION };
  addHandler(t, site, nodeName, `exn-handler-${nodeName}-${label}`, catching, handler);
}

/** Catches a LittleHorse ERROR: one type, or any error. */
export function addErrorHandler(t: ThreadInternals, site: HandlerSite, nodeName: string, errorType: ErrorTypeArg | undefined, handler: ThreadFunc): void {
  const name = errorType !== undefined ? errorTypeName(errorType) : undefined;
  const prefix = site === 'node' ? 'exn-handler' : 'error-handler';
  const catching: FailureHandlerDef['failureToCatch'] =
    name !== undefined
      ? { $case: 'specificFailure', value: name }
      : { $case: 'anyFailureOfType', value: FailureHandlerDef_LHFailureType.FAILURE_TYPE_ERROR };
  addHandler(t, site, nodeName, `${prefix}-${nodeName}-${name ?? 'FAILURE_TYPE_ERROR'}`, catching, handler);
}

/** Catches any failure, exception or error. */
export function addAnyFailureHandler(t: ThreadInternals, site: HandlerSite, nodeName: string, handler: ThreadFunc): void {
  const threadName = site === 'node' ? `exn-handler-${nodeName}-any-failure` : `failure-handler-${nodeName}-ANY_FAILURE`;
  addHandler(t, site, nodeName, threadName, undefined, handler);
}

function addHandler(
  t: ThreadInternals,
  site: HandlerSite,
  nodeName: string,
  threadName: string,
  catching: FailureHandlerDef['failureToCatch'],
  handler: ThreadFunc,
): void {
  t.assertActive();
  const node = t.graph.node(nodeName);
  const name = t.ctx.addSubThread(threadName, handler);
  const def: FailureHandlerDef = { handlerSpecName: name, ...(catching !== undefined ? { failureToCatch: catching } : {}) };
  if (site === 'node') {
    node.failureHandlers.push(def);
    return;
  }
  if (node.node?.$case !== 'waitForThreads') throw new Error(`${nodeName} is not a WAIT_FOR_THREADS node`);
  node.node.value.perThreadFailureHandlers.push(def);
}
