import type { Edge, Node, VariableAssignment, VariableMutation } from '@filly/proto';

export type NodeBody = NonNullable<Node['node']>;

/** Upstream's NodeCase names, which appear in generated node names ("1-greet-TASK"). */
const NODE_CASE_NAMES: Readonly<Record<NodeBody['$case'], string>> = {
  entrypoint: 'ENTRYPOINT',
  exit: 'EXIT',
  task: 'TASK',
  externalEvent: 'EXTERNAL_EVENT',
  startThread: 'START_THREAD',
  waitForThreads: 'WAIT_FOR_THREADS',
  nop: 'NOP',
  sleep: 'SLEEP',
  userTask: 'USER_TASK',
  startMultipleThreads: 'START_MULTIPLE_THREADS',
  throwEvent: 'THROW_EVENT',
  waitForCondition: 'WAIT_FOR_CONDITION',
  runChildWf: 'RUN_CHILD_WF',
  waitForChildWf: 'WAIT_FOR_CHILD_WF',
};

/** Bound on nodes per thread: a runaway builder loop fails instead of eating memory. */
export const MAX_NODES_PER_THREAD = 10_000;

export const ENTRYPOINT_NODE_NAME = '0-entrypoint-ENTRYPOINT';

/**
 * The node graph of one thread under construction, with the same wiring rules as the
 * upstream builders: each new node is linked from the previous one; pending variable
 * mutations and a pending branch condition ride on that edge; nothing leaves an EXIT.
 */
export class ThreadGraph {
  readonly nodes = new Map<string, Node>();
  lastNodeName: string;
  pendingCondition: VariableAssignment | undefined;
  readonly #pendingMutations: VariableMutation[] = [];

  constructor() {
    this.nodes.set(ENTRYPOINT_NODE_NAME, { outgoingEdges: [], failureHandlers: [], node: { $case: 'entrypoint', value: {} } });
    this.lastNodeName = ENTRYPOINT_NODE_NAME;
  }

  node(name: string): Node {
    const n = this.nodes.get(name);
    if (n === undefined) throw new Error(`no node named ${name} in this thread`);
    return n;
  }

  get lastNode(): Node {
    return this.node(this.lastNodeName);
  }

  isExit(name: string): boolean {
    return this.node(name).node?.$case === 'exit';
  }

  addMutation(m: VariableMutation): void {
    this.#pendingMutations.push(m);
  }

  takeMutations(): VariableMutation[] {
    return this.#pendingMutations.splice(0);
  }

  /** Appends a node named "<index>-<label>-<CASE>" after the last one and returns its name. */
  addNode(label: string, body: NodeBody): string {
    if (this.nodes.size >= MAX_NODES_PER_THREAD) throw new Error(`a thread may have at most ${MAX_NODES_PER_THREAD} nodes`);
    const name = `${this.nodes.size}-${label}-${NODE_CASE_NAMES[body.$case]}`;
    if (this.nodes.has(name)) throw new Error(`duplicate node name ${name}`);
    const edge: Edge = { sinkNodeName: name, variableMutations: this.takeMutations() };
    if (this.pendingCondition !== undefined) {
      edge.edgeCondition = { $case: 'condition', value: this.pendingCondition };
      this.pendingCondition = undefined;
    }
    const feeder = this.lastNode;
    if (feeder.node?.$case !== 'exit') feeder.outgoingEdges.push(edge);
    this.nodes.set(name, { outgoingEdges: [], failureHandlers: [], node: body });
    this.lastNodeName = name;
    return name;
  }

  addEdge(from: string, edge: Edge): void {
    this.node(from).outgoingEdges.push(edge);
  }

  removeLastEdge(from: string): Edge {
    const edge = this.node(from).outgoingEdges.pop();
    if (edge === undefined) throw new Error(`node ${from} has no outgoing edge to remove`);
    return edge;
  }
}
