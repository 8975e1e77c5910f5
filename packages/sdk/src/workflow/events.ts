import type { CorrelatedEventConfig, ExternalEventNode, PutExternalEventDefRequest, ReturnType } from '@filly/proto';
import type { ThreadFunc, ThreadInternals } from './compile-context.ts';
import { assignmentOf, type AnyValue, type Condition, type ValueSource } from './expression.ts';
import { NodeOutput } from './node-output.ts';
import { typeDefinitionOf, type TypeSpec } from './type-spec.ts';
import { WfRunVariable } from './wf-run-variable.ts';

/** The content type of a registered event def; null means the event carries no content. */
export type EventContentType = TypeSpec | null;

export interface CorrelatedEventOptions {
  readonly ttlSeconds?: number;
  readonly deleteAfterFirstCorrelation?: boolean;
}

function returnTypeOf(contentType: EventContentType): ReturnType {
  return contentType === null ? {} : { returnType: typeDefinitionOf(contentType) };
}

/** Output of an EXTERNAL_EVENT node (the event's content). */
export class ExternalEventNodeOutput extends NodeOutput<'ANY'> {
  readonly externalEventDefName: string;
  readonly #t: ThreadInternals;
  #registration: PutExternalEventDefRequest | undefined;
  #correlated: CorrelatedEventConfig | undefined;

  /** @internal */
  constructor(nodeName: string, externalEventDefName: string, t: ThreadInternals) {
    super(nodeName, 'ANY', t.access);
    this.externalEventDefName = externalEventDefName;
    this.#t = t;
  }

  timeout(timeoutSeconds: number): this {
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) throw new Error('timeoutSeconds must be > 0');
    this.#node().timeoutSeconds = assignmentOf(BigInt(timeoutSeconds), 'INT');
    return this;
  }

  /**
   * Matches a CorrelatedEvent by key instead of by WfRunId. The key is masked when
   * `masked` says so or, by default, when the key is a masked variable.
   */
  withCorrelationId(correlationId: string | ValueSource<'STR'> | ValueSource<'ANY'>, masked?: boolean): this {
    const node = this.#node();
    node.correlationKey = assignmentOf(correlationId);
    node.maskCorrelationKey = masked ?? (correlationId instanceof WfRunVariable && correlationId.isMasked);
    this.#correlated ??= { deleteAfterFirstCorrelation: false };
    this.#sync();
    return this;
  }

  /** How the ExternalEventDef registered with registeredAs() keeps correlated events. */
  withCorrelatedEventConfig(options: CorrelatedEventOptions): this {
    this.#t.assertActive();
    const ttl = options.ttlSeconds;
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0)) throw new Error('ttlSeconds must be > 0');
    this.#correlated = {
      ...(ttl !== undefined ? { ttlSeconds: BigInt(ttl) } : {}),
      deleteAfterFirstCorrelation: options.deleteAfterFirstCorrelation ?? false,
    };
    this.#sync();
    return this;
  }

  /** Registers the ExternalEventDef (with this content type) when the workflow is registered. */
  registeredAs(contentType: EventContentType): this {
    this.#t.assertActive();
    this.#registration = { name: this.externalEventDefName, contentType: returnTypeOf(contentType) };
    this.#sync();
    return this;
  }

  #sync(): void {
    if (this.#registration === undefined) return;
    if (this.#correlated !== undefined) this.#registration.correlatedEventConfig = { ...this.#correlated };
    this.#t.ctx.externalEventDefsToRegister.set(this.externalEventDefName, this.#registration);
  }

  #node(): ExternalEventNode {
    this.#t.assertActive();
    const n = this.#t.graph.node(this.nodeName).node;
    if (n?.$case !== 'externalEvent') throw new Error(`${this.nodeName} is not an EXTERNAL_EVENT node`);
    return n.value;
  }
}

/** Returned by throwEvent(): can register the WorkflowEventDef with the workflow. */
export class ThrowEventNodeOutput {
  readonly workflowEventDefName: string;
  readonly #t: ThreadInternals;

  /** @internal */
  constructor(workflowEventDefName: string, t: ThreadInternals) {
    this.workflowEventDefName = workflowEventDefName;
    this.#t = t;
  }

  registeredAs(contentType: EventContentType): void {
    this.#t.assertActive();
    this.#t.ctx.workflowEventDefsToRegister.set(this.workflowEventDefName, {
      name: this.workflowEventDefName,
      contentType: returnTypeOf(contentType),
    });
  }
}

/** Returned by registerInterruptHandler(): can register the interrupt's ExternalEventDef. */
export class InterruptHandler {
  readonly externalEventDefName: string;
  readonly #t: ThreadInternals;
  #registered = false;

  /** @internal */
  constructor(externalEventDefName: string, t: ThreadInternals) {
    this.externalEventDefName = externalEventDefName;
    this.#t = t;
  }

  withEventType(contentType: EventContentType): void {
    this.#t.assertActive();
    if (this.#registered) throw new Error(`interrupt event type already registered: ${this.externalEventDefName}`);
    this.#registered = true;
    this.#t.ctx.externalEventDefsToRegister.set(this.externalEventDefName, {
      name: this.externalEventDefName,
      contentType: returnTypeOf(contentType),
    });
  }
}

export function waitForEvent(t: ThreadInternals, externalEventDefName: string): ExternalEventNodeOutput {
  t.assertActive();
  if (externalEventDefName.length === 0) throw new Error('an ExternalEventDef name must not be empty');
  t.ctx.externalEventDefNames.add(externalEventDefName);
  const nodeName = t.graph.addNode(externalEventDefName, {
    $case: 'externalEvent',
    value: { externalEventDefId: { name: externalEventDefName }, maskCorrelationKey: false },
  });
  return new ExternalEventNodeOutput(nodeName, externalEventDefName, t);
}

export function throwEvent(t: ThreadInternals, workflowEventDefName: string, content: AnyValue): ThrowEventNodeOutput {
  t.assertActive();
  if (workflowEventDefName.length === 0) throw new Error('a WorkflowEventDef name must not be empty');
  t.ctx.workflowEventDefNames.add(workflowEventDefName);
  t.graph.addNode(`throw-${workflowEventDefName}`, {
    $case: 'throwEvent',
    value: { eventDefId: { name: workflowEventDefName }, content: assignmentOf(content) },
  });
  return new ThrowEventNodeOutput(workflowEventDefName, t);
}

export function registerInterruptHandler(t: ThreadInternals, externalEventDefName: string, handler: ThreadFunc): { threadName: string; handle: InterruptHandler } {
  t.assertActive();
  const threadName = t.ctx.addSubThread(`interrupt-${externalEventDefName}`, handler);
  t.ctx.externalEventDefNames.add(externalEventDefName);
  return { threadName, handle: new InterruptHandler(externalEventDefName, t) };
}

export function waitForCondition(t: ThreadInternals, condition: Condition | ValueSource<'BOOL'>): NodeOutput<'NONE'> {
  t.assertActive();
  const nodeName = t.graph.addNode('wait-for-condition', { $case: 'waitForCondition', value: { nodeCondition: { $case: 'condition', value: condition.toAssignment() } } });
  return new NodeOutput(nodeName, 'NONE', t.access);
}
