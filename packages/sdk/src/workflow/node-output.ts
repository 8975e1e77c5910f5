import type { ExponentialBackoffRetryPolicy, Node, VariableAssignment } from '@filly/proto';
import { ValueHandle, type ValueTag } from './expression.ts';
import { jsonPathFrom, lhPathFrom, type ValuePath } from './value-path.ts';

/** Access to the node a handle refers to, while its thread is still being built. */
export interface NodeAccess {
  node(name: string): Node;
  assertActive(): void;
}

/** The output of a node (the most recent run of it in its thread). */
export class NodeOutput<T extends ValueTag> extends ValueHandle<T> {
  readonly valueType: T;
  readonly nodeName: string;
  readonly path: ValuePath | undefined;
  protected readonly thread: NodeAccess;

  constructor(nodeName: string, valueType: T, thread: NodeAccess, path?: ValuePath) {
    super();
    this.nodeName = nodeName;
    this.valueType = valueType;
    this.thread = thread;
    this.path = path;
  }

  get jsonPathExpr(): string | undefined {
    return this.path?.$case === 'jsonPath' ? this.path.value : undefined;
  }

  /** A field of a JSON output, e.g. `$.items[0]`. */
  jsonPath(this: NodeOutput<'JSON_OBJ' | 'JSON_ARR' | 'ANY'>, path: string): NodeOutput<'ANY'> {
    return new NodeOutput(this.nodeName, 'ANY', this.thread, jsonPathFrom(this.path, path, `node ${this.nodeName}`));
  }

  /** A field (key) or element (index) of a JSON, struct, array or map output, via an LHPath. */
  get(this: NodeOutput<'JSON_OBJ' | 'JSON_ARR' | 'STRUCT' | 'ARRAY' | 'MAP' | 'ANY'>, keyOrIndex: string | number): NodeOutput<'ANY'> {
    return new NodeOutput(this.nodeName, 'ANY', this.thread, lhPathFrom(this.path, keyOrIndex, `node ${this.nodeName}`));
  }

  toAssignment(): VariableAssignment {
    return {
      source: { $case: 'nodeOutput', value: { nodeName: this.nodeName } },
      ...(this.path !== undefined ? { path: this.path } : {}),
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
