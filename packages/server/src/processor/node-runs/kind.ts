// What the thread runtime needs from each node type. One file per node type implements it.
import type { Node, NodeRun, ThreadRun } from '@filly/proto';
import type { RunRuntime } from '../wf-run/runtime.ts';

export interface NodeKind {
  /** The NodeRun's sub-structure, created when the thread arrives at the node. */
  create(rt: RunRuntime, thread: ThreadRun, node: Node): NodeRun['nodeType'];
  /** Starts the node's work (schedule a task, arm a timer). Throws NodeFailure. */
  arrive(rt: RunRuntime, thread: ThreadRun, nodeRun: NodeRun, node: Node): void;
  /** True once the node's work is done; may change the sub-structure. Throws NodeFailure. */
  checkCompleted(rt: RunRuntime, thread: ThreadRun, nodeRun: NodeRun, node: Node): boolean;
  /** Called on an in-progress NodeRun whose thread halts: true when it can stop where it is. */
  canHalt(rt: RunRuntime, nodeRun: NodeRun): boolean;
}
