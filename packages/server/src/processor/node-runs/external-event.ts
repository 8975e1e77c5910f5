// EXTERNAL_EVENT: waits for an ExternalEvent of the node's def sent to this WfRun. Events may
// arrive before the node (even before the WfRun); the oldest unclaimed one that is not pinned to
// another thread or NodeRun is claimed. An optional timeout fails the NodeRun with TIMEOUT.
// With a correlation key, the NodeRun also registers with the key's correlation group, which
// sends it the CorrelatedEvent of that key as an ExternalEvent pinned to this NodeRun.
import type { ExternalEvent, Node, NodeRun, NodeRunId, ThreadRun } from '@filly/proto';
import { CorrelationMarkerAction } from '@filly/proto/internal';
import type { NodeKind } from './kind.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { VarSubError } from '../values/errors.ts';
import { kindOf } from '../values/types.ts';
import { assign } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { msFromTs } from '../wf-run/time.ts';

function eventRunOf(nodeRun: NodeRun) {
  if (nodeRun.nodeType?.$case !== 'externalEvent') throw new Error('not an EXTERNAL_EVENT NodeRun');
  return nodeRun.nodeType.value;
}

export const externalEventKind: NodeKind = {
  create: (_rt, _thread, node) => {
    if (node.node?.$case !== 'externalEvent') throw new Error('not an EXTERNAL_EVENT node');
    return {
      $case: 'externalEvent',
      value: {
        externalEventDefId: node.node.value.externalEventDefId,
        eventTime: undefined,
        externalEventId: undefined,
        timedOut: false,
        correlationKey: undefined,
        maskCorrelationKey: node.node.value.maskCorrelationKey,
      },
    };
  },

  arrive(rt, thread, nodeRun, node) {
    scheduleTimeout(rt, thread, nodeRun, node);
    registerCorrelation(rt, thread, nodeRun, node);
  },

  checkCompleted(rt, _thread, nodeRun) {
    const run = eventRunOf(nodeRun);
    if (run.externalEventId !== undefined) return true;
    if (run.timedOut) {
      // A marker has no TTL: leave none behind for a NodeRun that stopped waiting.
      if (run.correlationKey !== undefined) sendMarkerUpdate(rt, nodeRun, run.correlationKey, CorrelationMarkerAction.UNCORRELATE);
      throw new NodeFailure(newFailure(ErrorName.TIMEOUT, 'ExternalEvent did not arrive in time'));
    }
    const defName = run.externalEventDefId?.name;
    if (defName === undefined || nodeRun.id === undefined) throw new Error('EXTERNAL_EVENT NodeRun without def or id');
    const event = oldestClaimable(rt, defName, nodeRun.id);
    if (event === undefined) return false;
    // An event sent straight to the WfRun (not pinned here by a correlation) satisfied a NodeRun
    // that is still registered with its correlation key: unregister it.
    const viaCorrelation = event.nodeRunPosition !== undefined;
    if (run.correlationKey !== undefined && !viaCorrelation) {
      sendMarkerUpdate(rt, nodeRun, run.correlationKey, CorrelationMarkerAction.UNCORRELATE);
    }
    event.claimed = true;
    event.threadRunNumber = nodeRun.id.threadRunNumber;
    event.nodeRunPosition = nodeRun.id.position;
    run.eventTime = event.createdAt;
    run.externalEventId = event.id;
    return true;
  },

  canHalt: () => true,
};

function scheduleTimeout(rt: RunRuntime, thread: ThreadRun, nodeRun: NodeRun, node: Node): void {
  const timeout = node.node?.$case === 'externalEvent' ? node.node.value.timeoutSeconds : undefined;
  if (timeout === undefined) return;
  try {
    const v = assign(rt, thread, timeout);
    if (v.value?.$case !== 'int') throw new VarSubError(`Resulting TimeoutSeconds was of type ${kindOf(v)} not INT!`);
    const dueMs = rt.nowMs + Number(v.value.value) * 1000;
    rt.ctx.scheduleTimer(dueMs, { $case: 'externalEventTimeout', value: { nodeRunId: nodeRun.id } });
  } catch (err) {
    if (!(err instanceof VarSubError)) throw err;
    throw new NodeFailure(newFailure(ErrorName.VAR_ERROR, `Failed determining timeout for ext evt node: ${err.message}`));
  }
}

/** Evaluates the correlation key (a STR) and registers this NodeRun with the key's group. */
function registerCorrelation(rt: RunRuntime, thread: ThreadRun, nodeRun: NodeRun, node: Node): void {
  const assn = node.node?.$case === 'externalEvent' ? node.node.value.correlationKey : undefined;
  if (assn === undefined) return;
  let key: string;
  try {
    const v = assign(rt, thread, assn);
    if (v.value?.$case !== 'str') throw new VarSubError(`Resulting correlation id was of type ${kindOf(v)} not STR!`);
    key = v.value.value;
    // An empty key routes nowhere; PutCorrelatedEvent refuses it too.
    if (key === '') throw new VarSubError('Resulting correlation id was an empty STR');
  } catch (err) {
    if (!(err instanceof VarSubError)) throw err;
    throw new NodeFailure(newFailure(ErrorName.VAR_ERROR, `Failed determining correlationId for ext evt node: ${err.message}`));
  }
  eventRunOf(nodeRun).correlationKey = key;
  sendMarkerUpdate(rt, nodeRun, key, CorrelationMarkerAction.CORRELATE);
}

function sendMarkerUpdate(rt: RunRuntime, nodeRun: NodeRun, correlationKey: string, action: CorrelationMarkerAction): void {
  // Follow-ups due at the same time run in no defined order; an UNCORRELATE sent by the command
  // that also sent the CORRELATE must run after it, so it is due a millisecond later.
  const dueMs = action === CorrelationMarkerAction.UNCORRELATE ? rt.nowMs + 1 : rt.nowMs;
  rt.ctx.sendCommand(
    {
      $case: 'updateCorrelationMarker',
      value: { correlationKey, externalEventDefId: eventRunOf(nodeRun).externalEventDefId, waitingNodeRun: nodeRun.id, action },
    },
    dueMs,
  );
}

/** Bound on the events of one def and WfRun examined while looking for one to claim. */
const MAX_EVENTS_SCANNED = 10_000;

function oldestClaimable(rt: RunRuntime, defName: string, nodeRunId: NodeRunId): ExternalEvent | undefined {
  const prefix = keys.externalEventPrefix(rt.ctx.partition, rt.ctx.tenant, rt.wfRunId, defName);
  let best: ExternalEvent | undefined;
  let bestMs = Number.POSITIVE_INFINITY;
  const found = rt.ctx.scan(Records.externalEvent, prefix);
  if (found.length > MAX_EVENTS_SCANNED) throw new Error(`more than ${MAX_EVENTS_SCANNED} ExternalEvents of ${defName}`);
  for (const { key, value } of found) {
    const event = rt.adopt(Records.externalEvent, key, value);
    if (event.claimed) continue;
    if (event.threadRunNumber !== undefined && event.threadRunNumber !== nodeRunId.threadRunNumber) continue;
    if (event.nodeRunPosition !== undefined && event.nodeRunPosition !== nodeRunId.position) continue;
    const createdMs = msFromTs(event.createdAt) ?? 0;
    // Strictly older wins; ties keep key order, so the choice never depends on scan details.
    if (createdMs < bestMs) {
      best = event;
      bestMs = createdMs;
    }
  }
  return best;
}
