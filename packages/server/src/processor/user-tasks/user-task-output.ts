// The output of a completed USER_TASK NodeRun: a JSON_OBJ of the submitted results, field name to
// plain value, as upstream builds it (so `form.myStr` paths and JSON_OBJ variables work).
import type { UserTaskRunId, VariableValue } from '@filly/proto';
import { Records } from '../records.ts';
import { jsonNodeOfValue, valueOfJsonNode } from '../values/json.ts';
import type { JsonObject } from '../values/json-tree.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { userTaskRunKeyOf } from './user-task-runs.ts';

export function userTaskNodeOutput(rt: RunRuntime, id: UserTaskRunId | undefined): VariableValue | undefined {
  if (id === undefined) return undefined;
  const utr = rt.get(Records.userTaskRun, userTaskRunKeyOf(rt.ctx, id));
  if (utr === undefined) return undefined;
  const out: JsonObject = new Map();
  // Sorted, so the JSON text (and thus the stored variable) never depends on submission order.
  for (const name of Object.keys(utr.results).sort()) out.set(name, jsonNodeOfValue(utr.results[name]));
  return valueOfJsonNode(out);
}
