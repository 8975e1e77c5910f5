// Turns a validated PutWfSpecRequest into the WfSpec that would be stored (version still 0.0 and
// frozen variables still empty: versioning fills those in). Normalizes what upstream normalizes,
// so a spec registered by an old client and by a new one compares equal.
import { MetadataStatus, ThreadSpec } from '@filly/proto';
import type { PutWfSpecRequest, WfSpec } from '@filly/proto';
import { timestampOfMs } from './timestamps.ts';
import { normalizeVariableDef } from './types.ts';

/** What a TASK node with timeout_seconds 0 waits for a worker's report. */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

export function buildCandidateWfSpec(req: PutWfSpecRequest, nowMs: number): WfSpec {
  const threadSpecs: Record<string, ThreadSpec> = {};
  for (const name of Object.keys(req.threadSpecs).sort()) {
    const src = req.threadSpecs[name];
    if (src === undefined) continue;
    // A deep copy, so normalizing never touches the command the caller handed us.
    const thread = ThreadSpec.decode(ThreadSpec.encode(src).finish());
    for (const tvd of thread.variableDefs) if (tvd.varDef) tvd.varDef = normalizeVariableDef(tvd.varDef);
    for (const node of Object.values(thread.nodes)) {
      if (node.node?.$case === 'task' && node.node.value.timeoutSeconds === 0) {
        node.node.value.timeoutSeconds = DEFAULT_TASK_TIMEOUT_SECONDS;
      }
    }
    threadSpecs[name] = thread;
  }
  const spec: WfSpec = {
    id: { name: req.name, majorVersion: 0, revision: 0 },
    createdAt: timestampOfMs(nowMs),
    frozenVariables: [],
    status: MetadataStatus.ACTIVE,
    threadSpecs,
    entrypointThreadName: req.entrypointThreadName,
  };
  if (req.retentionPolicy !== undefined) spec.retentionPolicy = req.retentionPolicy;
  if (req.parentWfSpec !== undefined) spec.parentWfSpec = req.parentWfSpec;
  return spec;
}
