import {
  AllowedUpdateType,
  PutWfSpecRequest,
  type ExponentialBackoffRetryPolicy,
  type PutExternalEventDefRequest,
  type PutWorkflowEventDefRequest,
  type ThreadRetentionPolicy,
  type ThreadSpec,
  type VariableMutation,
  type WfSpec,
} from '@filly/proto';
import type { LittleHorseClient } from '../client/client.ts';
import type { CompileContext, ThreadFunc } from './compile-context.ts';
import { backoffPolicy, type BackoffPolicy } from './node-output.ts';
import { WorkflowThread } from './workflow-thread.ts';

/** Bound on threads per WfSpec, so a builder that spawns threads in a loop fails fast. */
const MAX_THREAD_SPECS = 1_000;
export const ENTRYPOINT_THREAD_NAME = 'entrypoint';

export interface CompiledWorkflow {
  readonly request: PutWfSpecRequest;
  readonly taskDefNames: readonly string[];
  readonly externalEventDefNames: readonly string[];
  readonly workflowEventDefNames: readonly string[];
  /** WfSpecs run as child WfRuns by name (runWf('name')). */
  readonly childWfSpecNames: readonly string[];
  /** Event defs declared with registeredAs() / withEventType(), sorted by name. */
  readonly externalEventDefsToRegister: readonly PutExternalEventDefRequest[];
  readonly workflowEventDefsToRegister: readonly PutWorkflowEventDefRequest[];
}

/**
 * A WfSpec defined in code: `new Workflow('name', (wf) => { ... })`. Compiling runs the
 * thread functions and produces a PutWfSpecRequest; the same code always yields a
 * byte-identical request, so re-registering an unchanged workflow changes nothing.
 */
export class Workflow {
  readonly name: string;
  readonly #entrypoint: ThreadFunc;
  #defaultTimeoutSeconds: number | undefined;
  #defaultRetries = 0;
  #defaultBackoff: ExponentialBackoffRetryPolicy | undefined;
  #retentionSeconds: bigint | undefined;
  #allowedUpdates: AllowedUpdateType = AllowedUpdateType.ALL_UPDATES;
  #parentWfSpecName: string | undefined;
  #defaultThreadRetention: ThreadRetentionPolicy | undefined;

  constructor(name: string, entrypoint: ThreadFunc) {
    if (!/^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/.test(name)) {
      throw new Error(`workflow name "${name}" must be letters, digits and inner dashes`);
    }
    this.name = name;
    this.#entrypoint = entrypoint;
  }

  /** Timeout of every task node that does not set its own. */
  withDefaultTaskTimeout(timeoutSeconds: number): this {
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) throw new Error('timeoutSeconds must be > 0');
    this.#defaultTimeoutSeconds = timeoutSeconds;
    return this;
  }
  withDefaultTaskRetries(retries: number): this {
    if (!Number.isInteger(retries) || retries < 0) throw new Error('retries must be a non-negative integer');
    this.#defaultRetries = retries;
    return this;
  }
  withDefaultExponentialBackoff(policy: BackoffPolicy): this {
    this.#defaultBackoff = backoffPolicy(policy);
    return this;
  }
  /** Deletes each WfRun this long after it terminates. */
  withRetentionSeconds(secondsAfterTermination: number): this {
    if (!Number.isInteger(secondsAfterTermination) || secondsAfterTermination <= 0) throw new Error('retention must be > 0');
    this.#retentionSeconds = BigInt(secondsAfterTermination);
    return this;
  }
  /** Deletes each ThreadRun this long after it terminates, unless its thread sets its own policy. */
  withDefaultThreadRetentionSeconds(secondsAfterThreadTermination: number): this {
    if (!Number.isInteger(secondsAfterThreadTermination) || secondsAfterThreadTermination <= 0) throw new Error('retention must be > 0');
    this.#defaultThreadRetention = {
      threadGcPolicy: { $case: 'secondsAfterThreadTermination', value: BigInt(secondsAfterThreadTermination) },
    };
    return this;
  }
  withUpdateType(allowed: AllowedUpdateType): this {
    this.#allowedUpdates = allowed;
    return this;
  }
  /** WfRuns of this spec must be children of a WfRun of `wfSpecName`. */
  withParent(wfSpecName: string): this {
    this.#parentWfSpecName = wfSpecName;
    return this;
  }

  compile(): PutWfSpecRequest {
    return this.compileWithDependencies().request;
  }

  /** The encoded request: equal bytes for equal workflow code. */
  compileToBytes(): Uint8Array {
    return PutWfSpecRequest.encode(this.compile()).finish();
  }

  compileWithDependencies(): CompiledWorkflow {
    const queue: [string, ThreadFunc][] = [[ENTRYPOINT_THREAD_NAME, this.#entrypoint]];
    const queued = new Set([ENTRYPOINT_THREAD_NAME]);
    let current: WorkflowThread | undefined;
    const ctx: CompileContext = {
      addSubThread: (name, func) => {
        if (queued.has(name)) throw new Error(`thread ${name} already exists`);
        if (queued.size >= MAX_THREAD_SPECS) throw new Error(`a workflow may have at most ${MAX_THREAD_SPECS} threads`);
        queued.add(name);
        queue.push([name, func]);
        return name;
      },
      recordMutation: (m: VariableMutation) => {
        if (current === undefined) throw new Error('variables can only be mutated while the workflow is compiling');
        current.recordMutation(m);
      },
      defaultTimeoutSeconds: this.#defaultTimeoutSeconds,
      defaultRetries: this.#defaultRetries,
      defaultBackoff: this.#defaultBackoff,
      defaultThreadRetention: this.#defaultThreadRetention,
      taskDefNames: new Set(),
      externalEventDefNames: new Set(),
      workflowEventDefNames: new Set(),
      childWfSpecNames: new Set(),
      externalEventDefsToRegister: new Map(),
      workflowEventDefsToRegister: new Map(),
    };

    const threadSpecs: Record<string, ThreadSpec> = {};
    // Bounded by MAX_THREAD_SPECS through addSubThread.
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [threadName, func] = next;
      const thread = new WorkflowThread(threadName, ctx);
      current = thread;
      try {
        func(thread);
        threadSpecs[threadName] = thread.finish();
      } finally {
        current = undefined;
      }
    }

    const request = PutWfSpecRequest.fromPartial({
      name: this.name,
      threadSpecs,
      entrypointThreadName: ENTRYPOINT_THREAD_NAME,
      allowedUpdates: this.#allowedUpdates,
      ...(this.#retentionSeconds !== undefined
        ? { retentionPolicy: { wfGcPolicy: { $case: 'secondsAfterWfTermination', value: this.#retentionSeconds } } }
        : {}),
      ...(this.#parentWfSpecName !== undefined ? { parentWfSpec: { wfSpecName: this.#parentWfSpecName } } : {}),
    });
    return {
      request,
      taskDefNames: [...ctx.taskDefNames].sort(),
      externalEventDefNames: [...ctx.externalEventDefNames].sort(),
      workflowEventDefNames: [...ctx.workflowEventDefNames].sort(),
      childWfSpecNames: [...ctx.childWfSpecNames].sort(),
      externalEventDefsToRegister: sortedValues(ctx.externalEventDefsToRegister),
      workflowEventDefsToRegister: sortedValues(ctx.workflowEventDefsToRegister),
    };
  }

  /**
   * Registers the event defs declared with registeredAs() / withEventType(), then the
   * WfSpec (PutWfSpec), and returns the resulting WfSpec.
   */
  async register(client: LittleHorseClient, options: { readonly timeoutMs?: number } = {}): Promise<WfSpec> {
    const compiled = this.compileWithDependencies();
    for (const def of compiled.externalEventDefsToRegister) await client.putExternalEventDef(def, options);
    for (const def of compiled.workflowEventDefsToRegister) await client.putWorkflowEventDef(def, options);
    return client.putWfSpec(compiled.request, options);
  }
}

function sortedValues<V>(byName: ReadonlyMap<string, V>): V[] {
  return [...byName.keys()].sort().map((k) => byName.get(k) as V);
}
