import type { ExponentialBackoffRetryPolicy, Node, VariableAssignment } from '@filly/proto';
import { ValueHandle, type ValueTag } from './expression.ts';

/** Access to the node a handle refers to, while its thread is still being built. */
export interface NodeAccess {
  node(name: string): Node;
  assertActive(): void;
}

/** The output of a node (the most recent run of it in its thread). */
export class NodeOutput<T extends ValueTag> extends ValueHandle<T> {
  readonly valueType: T;
  readonly nodeName: string;
  readonly jsonPathExpr: string | undefined;
  protected readonly thread: NodeAccess;

  constructor(nodeName: string, valueType: T, thread: NodeAccess, jsonPath?: string) {
    super();
    this.nodeName = nodeName;
    this.valueType = valueType;
    this.thread = thread;
    this.jsonPathExpr = jsonPath;
  }

  /** A field of a JSON output, e.g. `$.items[0]`. */
  jsonPath(this: NodeOutput<'JSON_OBJ' | 'JSON_ARR' | 'ANY'>, path: string): NodeOutput<'ANY'> {
    if (this.jsonPathExpr !== undefined) throw new Error(`jsonPath() used twice on node ${this.nodeName}`);
    if (!path.startsWith('$')) throw new Error(`JSONPath must start with "$", got "${path}"`);
    return new NodeOutput(this.nodeName, 'ANY', this.thread, path);
  }

  toAssignment(): VariableAssignment {
    return {
      source: { $case: 'nodeOutput', value: { nodeName: this.nodeName } },
      ...(this.jsonPathExpr !== undefined ? { path: { $case: 'jsonPath', value: this.jsonPathExpr } } : {}),
    };
  }
}

export interface BackoffPolicy {
  readonly baseIntervalMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
}

export function backoffPolicy(p: BackoffPolicy): ExponentialBackoffRetryPolicy {
  if (!Number.isInteger(p.baseIntervalMs) || p.baseIntervalMs <= 0) throw new Error('baseIntervalMs must be > 0');
  if (!Number.isInteger(p.maxDelayMs) || p.maxDelayMs <= 0) throw new Error('maxDelayMs must be > 0');
  if (!(p.multiplier > 0)) throw new Error('multiplier must be > 0');
  return { baseIntervalMs: p.baseIntervalMs, maxDelayMs: BigInt(p.maxDelayMs), multiplier: p.multiplier };
}

/** Output of a TASK node; can still adjust the node's retry and timeout settings. */
export class TaskNodeOutput<T extends ValueTag> extends NodeOutput<T> {
  withRetries(retries: number): this {
    if (!Number.isInteger(retries) || retries < 0) throw new Error('retries must be a non-negative integer');
    this.#task().retries = retries;
    return this;
  }
  timeout(timeoutSeconds: number): this {
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) throw new Error('timeoutSeconds must be > 0');
    this.#task().timeoutSeconds = timeoutSeconds;
    return this;
  }
  withExponentialBackoff(policy: BackoffPolicy): this {
    this.#task().exponentialBackoff = backoffPolicy(policy);
    return this;
  }

  #task(): { retries: number; timeoutSeconds: number; exponentialBackoff?: ExponentialBackoffRetryPolicy | undefined } {
    this.thread.assertActive();
    const n = this.thread.node(this.nodeName).node;
    if (n?.$case !== 'task') throw new Error(`${this.nodeName} is not a TASK node`);
    return n.value;
  }
}

/** Output of an EXTERNAL_EVENT node (the event's content). */
export class ExternalEventNodeOutput extends NodeOutput<'ANY'> {
  timeout(timeoutSeconds: number): this {
    this.thread.assertActive();
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) throw new Error('timeoutSeconds must be > 0');
    const n = this.thread.node(this.nodeName).node;
    if (n?.$case !== 'externalEvent') throw new Error(`${this.nodeName} is not an EXTERNAL_EVENT node`);
    n.value.timeoutSeconds = {
      source: { $case: 'literalValue', value: { value: { $case: 'int', value: BigInt(timeoutSeconds) } } },
    };
    return this;
  }
}
