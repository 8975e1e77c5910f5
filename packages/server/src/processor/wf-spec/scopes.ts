// Which variables each ThreadSpec can see: its own, then those of every thread that can start
// it (as a child, a failure handler or an interrupt handler), transitively.
import type { Node, ThreadSpec, TypeDefinition } from '@filly/proto';
import type { ThreadScope } from './assignments.ts';
import { declaredTypeDef } from './types.ts';

/** Threads a ThreadSpec may start, by name. */
export function childThreadNames(thread: ThreadSpec): Set<string> {
  const out = new Set<string>();
  for (const node of Object.values(thread.nodes)) {
    addNodeChildren(node, out);
    for (const h of node.failureHandlers) out.add(h.handlerSpecName);
  }
  for (const idef of thread.interruptDefs) out.add(idef.handlerSpecName);
  return out;
}

function addNodeChildren(node: Node, out: Set<string>): void {
  const n = node.node;
  if (n?.$case === 'startThread' || n?.$case === 'startMultipleThreads') out.add(n.value.threadSpecName);
  if (n?.$case === 'waitForThreads') for (const h of n.value.perThreadFailureHandlers) out.add(h.handlerSpecName);
}

export function buildScopes(threads: Readonly<Record<string, ThreadSpec>>): Map<string, ThreadScope> {
  const names = Object.keys(threads).sort();
  const declared = new Map<string, Map<string, TypeDefinition>>();
  const parents = new Map<string, Set<string>>();
  for (const name of names) {
    const thread = threads[name];
    if (thread === undefined) continue;
    const vars = new Map<string, TypeDefinition>();
    for (const tvd of thread.variableDefs) if (tvd.varDef) vars.set(tvd.varDef.name, declaredTypeDef(tvd.varDef));
    declared.set(name, vars);
    for (const child of childThreadNames(thread)) {
      const set = parents.get(child) ?? new Set<string>();
      set.add(name);
      parents.set(child, set);
    }
  }
  const scopes = new Map<string, ThreadScope>();
  for (const name of names) {
    const chain = [name, ...ancestors(name, parents)];
    const thread = threads[name];
    scopes.set(name, {
      threadName: name,
      lookupVar(varName: string): TypeDefinition | undefined {
        for (const owner of chain) {
          const t = declared.get(owner)?.get(varName);
          if (t !== undefined) return t;
        }
        return undefined;
      },
      hasNode: (nodeName: string): boolean => thread?.nodes[nodeName] !== undefined,
    });
  }
  return scopes;
}

function ancestors(start: string, parents: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const seen = new Set<string>([start]);
  const out: string[] = [];
  const queue = [start];
  // Each thread is queued at most once, so the walk is bounded by the number of threads.
  for (let i = 0; i < queue.length; i++) {
    for (const p of [...(parents.get(queue[i] ?? '') ?? [])].sort()) {
      if (seen.has(p)) continue;
      seen.add(p);
      out.push(p);
      queue.push(p);
    }
  }
  return out;
}
