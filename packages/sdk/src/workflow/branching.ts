import type { Edge, VariableAssignment } from '@filly/proto';
import type { ThreadGraph } from './thread-graph.ts';

/**
 * Branch and loop wiring, node for node as the upstream Java builder does it, so that
 * the same workflow produces the same WfSpec in either SDK:
 *
 *   if:    [nop] --cond--> body... --> [nop]
 *            \------------------------^        (unconditional "else" edge, last)
 *   while: [nop] --cond--> body... --> [nop] --cond--> back to the first nop
 *            \--not cond-------------^
 */

const NOP = { $case: 'nop', value: {} } as const;

export interface IfBranchNodes {
  readonly firstNop: string;
  readonly lastNop: string;
}

export function buildIf(g: ThreadGraph, condition: VariableAssignment, body: () => void): IfBranchNodes {
  g.addNode('nop', NOP);
  const firstNop = g.lastNodeName;
  g.pendingCondition = condition;
  body();
  g.addNode('nop', NOP);
  const lastNop = g.lastNodeName;
  g.addEdge(firstNop, { sinkNodeName: lastNop, variableMutations: [] });
  return { firstNop, lastNop };
}

/** Adds an else-if branch (condition set) or the else branch (condition undefined). */
export function buildElseIf(
  g: ThreadGraph,
  branch: IfBranchNodes,
  condition: VariableAssignment | undefined,
  body: () => void,
): void {
  const elseEdge = g.removeLastEdge(branch.firstNop);
  const resumeAt = g.lastNodeName;
  body();
  const lastOfBody = g.lastNodeName;

  if (lastOfBody === resumeAt) {
    const edge: Edge = { sinkNodeName: branch.lastNop, variableMutations: g.takeMutations() };
    if (condition !== undefined) edge.edgeCondition = { $case: 'condition', value: condition };
    g.addEdge(branch.firstNop, edge);
  } else {
    // The body's first node was linked from the node we resumed at; move that link so it
    // leaves the branch's first nop instead.
    const linkIntoBody = g.removeLastEdge(resumeAt);
    const edgeToBody: Edge = { sinkNodeName: linkIntoBody.sinkNodeName, variableMutations: linkIntoBody.variableMutations };
    if (condition !== undefined) edgeToBody.edgeCondition = { $case: 'condition', value: condition };
    g.addEdge(branch.firstNop, edgeToBody);
    g.addEdge(lastOfBody, { sinkNodeName: branch.lastNop, variableMutations: g.takeMutations() });
  }

  if (condition !== undefined) g.addEdge(branch.firstNop, elseEdge);
  g.lastNodeName = resumeAt;
}

export function buildWhile(
  g: ThreadGraph,
  condition: VariableAssignment,
  negated: VariableAssignment,
  body: () => void,
): void {
  g.addNode('nop', NOP);
  const head = g.lastNodeName;
  g.pendingCondition = condition;
  body();
  g.addNode('nop', NOP);
  const tail = g.lastNodeName;
  g.addEdge(head, { sinkNodeName: tail, variableMutations: [], edgeCondition: { $case: 'condition', value: negated } });
  g.addEdge(tail, { sinkNodeName: head, variableMutations: [], edgeCondition: { $case: 'condition', value: condition } });
}

/** Returned by doIf: chain doElseIf / doElse to add branches. */
export class WorkflowIfStatement<W extends { assertActive(): void }> {
  readonly #graph: ThreadGraph;
  readonly #branch: IfBranchNodes;
  readonly #thread: W;
  #hasElse = false;

  constructor(graph: ThreadGraph, branch: IfBranchNodes, thread: W) {
    this.#graph = graph;
    this.#branch = branch;
    this.#thread = thread;
  }

  doElseIf(condition: { toAssignment(): VariableAssignment }, body: (wf: W) => void): this {
    this.#thread.assertActive();
    if (this.#hasElse) throw new Error('doElseIf() after doElse()');
    buildElseIf(this.#graph, this.#branch, condition.toAssignment(), () => body(this.#thread));
    return this;
  }

  doElse(body: (wf: W) => void): void {
    this.#thread.assertActive();
    if (this.#hasElse) throw new Error('doElse() can only be called once per if statement');
    this.#hasElse = true;
    buildElseIf(this.#graph, this.#branch, undefined, () => body(this.#thread));
  }
}
