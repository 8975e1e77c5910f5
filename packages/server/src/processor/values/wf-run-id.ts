/** The `parent_child` string form of a WfRunId, both ways. */
import type { WfRunId } from '@filly/proto';

/** Guard against pathological nesting; real WfRun trees are a handful of levels deep. */
const MAX_WF_RUN_ID_DEPTH = 1_000;

export function wfRunIdToString(id: WfRunId): string {
  const parts: string[] = [];
  let cur: WfRunId | undefined = id;
  while (cur !== undefined) {
    if (parts.length >= MAX_WF_RUN_ID_DEPTH) throw new Error('WfRunId nested too deeply');
    parts.push(cur.id);
    cur = cur.parentWfRunId;
  }
  return parts.reverse().join('_');
}

/** "a_b_c" is WfRun "c" whose parent is "b" whose parent is "a". */
export function wfRunIdFromString(s: string): WfRunId {
  const parts = s.split('_');
  if (parts.length > MAX_WF_RUN_ID_DEPTH) throw new Error('WfRunId nested too deeply');
  let out: WfRunId | undefined;
  for (const p of parts) out = out === undefined ? { id: p } : { id: p, parentWfRunId: out };
  return out ?? { id: s };
}
