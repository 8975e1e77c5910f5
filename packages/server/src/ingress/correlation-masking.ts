// A correlated EXTERNAL_EVENT NodeRun whose node sets mask_correlation_key shows "*****" instead
// of its correlation key on every read, as upstream; the stored NodeRun keeps the real key.
import type { NodeRun } from '@filly/proto';

const MASKED_KEY = '*****';

export function maskCorrelationKey(nodeRun: NodeRun): NodeRun {
  const sub = nodeRun.nodeType;
  if (sub?.$case !== 'externalEvent' || !sub.value.maskCorrelationKey || sub.value.correlationKey === undefined) return nodeRun;
  return { ...nodeRun, nodeType: { $case: 'externalEvent', value: { ...sub.value, correlationKey: MASKED_KEY } } };
}
