// The variables a ThreadSpec refers to: every VariableAssignment naming a variable and every
// mutation's target, found by walking the spec (the shapes that name variables are few and fixed).
import type { ThreadSpec } from '@filly/proto';

const MAX_WALK_DEPTH = 64;

export function variablesUsedBy(thread: ThreadSpec): Set<string> {
  const out = new Set<string>();
  walk(thread.nodes, out, 0);
  return out;
}

function walk(x: unknown, out: Set<string>, depth: number): void {
  if (depth > MAX_WALK_DEPTH || x === null || typeof x !== 'object') return;
  if (Array.isArray(x)) {
    for (const item of x) walk(item, out, depth + 1);
    return;
  }
  const obj = x as Record<string, unknown>;
  if (obj['$case'] === 'variableName' && typeof obj['value'] === 'string') out.add(obj['value']);
  if (typeof obj['lhsName'] === 'string' && obj['lhsName'] !== '') out.add(obj['lhsName']);
  for (const value of Object.values(obj)) walk(value, out, depth + 1);
}
