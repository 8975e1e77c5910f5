// AwaitWorkflowEvent: a long poll that answers with the first WorkflowEvent of a WfRun matching
// the request, thrown before or during the call.
//
// The waiter registers its listener on the WfRun's topic before it reads committed state, so an
// event committed between the read and the registration cannot slip past: either the read sees
// it or the notification (sent after commit) wakes the waiter, which reads again. Reads are
// coalesced: a wake during a read schedules one more read, never a pile of them.
//
// Compared with upstream (which waits on in-memory futures, ignores workflow_events_to_ignore and
// never answers an empty filter), this reads stored events: an empty event_def_ids matches any
// def, ignored events are skipped, and events thrown before a server restart are found too.
import type { AwaitWorkflowEventRequest, WfRunId, WorkflowEvent, WorkflowEventId } from '@filly/proto';
import { ApiError, Code, resourceExhausted } from '../processor/api-error.ts';
import { Records } from '../processor/records.ts';
import { workflowEventTopic } from '../processor/workflow-event-topic.ts';
import { msFromTs } from '../processor/wf-run/time.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { requireLhName, requireWfRunId } from './validate.ts';
import { wfRunPartition } from './workflow-event-reads.ts';

/** What the waiter needs of the gRPC call: its deadline and its cancellation. */
export interface AwaitCall {
  /** A Date or epoch milliseconds; Infinity when the client set no deadline. */
  getDeadline(): Date | number;
  on(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
}

/** Bounds on one read of a WfRun's events: rows per scan, scans per read. */
const SCAN_PAGE_ROWS = 1_000;
const MAX_SCAN_PAGES_PER_READ = 100;
/** Bound on the event defs one call may filter on. */
const MAX_EVENT_DEF_FILTERS = 100;

/** Calls waiting now, per engine (one server may host several engines in tests). */
const waitingByEngine = new WeakMap<object, { count: number }>();

export async function awaitWorkflowEvent(
  deps: IngressDeps,
  ctx: CallContext,
  req: AwaitWorkflowEventRequest,
  call: AwaitCall,
): Promise<WorkflowEvent> {
  const wfRunId = requireWfRunId(req.wfRunId, 'wf_run_id');
  if (req.eventDefIds.length > MAX_EVENT_DEF_FILTERS) {
    throw new ApiError(Code.INVALID_ARGUMENT, `'event_def_ids' lists more than ${MAX_EVENT_DEF_FILTERS} WorkflowEventDefs.`);
  }
  const defNames = [...new Set(req.eventDefIds.map((d, i) => requireLhName(d.name, `event_def_ids[${i}].name`)))].sort();
  const ignored = new Set(req.workflowEventsToIgnore.filter((id) => concernsWfRun(id, wfRunId)).map(eventKeyOf));

  const budget = waitingByEngine.get(deps.engine) ?? { count: 0 };
  waitingByEngine.set(deps.engine, budget);
  if (budget.count >= deps.config.limits.maxWorkflowEventWaiters) {
    throw resourceExhausted(`${budget.count} AwaitWorkflowEvent calls are already waiting; retry later.`);
  }
  budget.count += 1;

  const find = (): Promise<WorkflowEvent | undefined> => findMatching(deps, ctx.tenant, wfRunId, defNames, ignored);
  return new Promise<WorkflowEvent>((resolve, reject) => {
    let settled = false;
    let reading = false;
    let readAgain = false;
    let unwatch: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;

    const finish = (outcome: { event: WorkflowEvent } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      budget.count -= 1;
      unwatch();
      if (timer !== undefined) clearTimeout(timer);
      call.removeListener('cancelled', onCancelled);
      if ('event' in outcome) resolve(outcome.event);
      else reject(outcome.error);
    };
    const onCancelled = (): void => finish({ error: new ApiError(Code.CANCELLED, 'The client cancelled AwaitWorkflowEvent.') });

    const read = (): void => {
      if (settled) return;
      if (reading) {
        readAgain = true;
        return;
      }
      reading = true;
      readAgain = false;
      find().then(
        (event) => {
          reading = false;
          if (event !== undefined) finish({ event });
          else if (readAgain) read();
        },
        (error: unknown) => {
          reading = false;
          finish({ error });
        },
      );
    };

    call.on('cancelled', onCancelled);
    try {
      unwatch = deps.engine.watch(wfRunPartition(deps, wfRunId), workflowEventTopic(ctx.tenant, wfRunId), read);
    } catch (error) {
      finish({ error: resourceExhausted(`Too many callers wait on WfRun ${keys.wfRunIdString(wfRunId)}: ${(error as Error).message}`) });
      return;
    }
    const waitMs = Math.max(0, Math.min(deadlineMsOf(call) - Date.now(), deps.config.limits.maxAwaitWorkflowEventMs));
    timer = setTimeout(() => finish({ error: new ApiError(Code.DEADLINE_EXCEEDED, 'No matching WorkflowEvent was thrown before the deadline.') }), waitMs);
    read();
  });
}

function deadlineMsOf(call: AwaitCall): number {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms) ? ms : Number.POSITIVE_INFINITY;
}

/** The oldest stored event of the WfRun (of the given defs, if any) that is not ignored. */
async function findMatching(
  deps: IngressDeps,
  tenant: string,
  wfRunId: WfRunId,
  defNames: readonly string[],
  ignored: ReadonlySet<string>,
): Promise<WorkflowEvent | undefined> {
  const partition = wfRunPartition(deps, wfRunId);
  const prefixes = defNames.length === 0
    ? [keys.workflowEventPrefix(partition, tenant, wfRunId)]
    : defNames.map((name) => keys.workflowEventPrefix(partition, tenant, wfRunId, name));
  let best: WorkflowEvent | undefined;
  let bestMs = Number.POSITIVE_INFINITY;
  for (const prefix of prefixes) {
    let afterKey: string | undefined;
    for (let page = 0; page < MAX_SCAN_PAGES_PER_READ; page++) {
      const rows = await deps.engine.scan(Records.workflowEvent, prefix, afterKey === undefined ? { limit: SCAN_PAGE_ROWS } : { afterKey, limit: SCAN_PAGE_ROWS });
      for (const { value } of rows) {
        if (value.id === undefined || ignored.has(eventKeyOf(value.id))) continue;
        const createdMs = msFromTs(value.createdAt) ?? 0;
        if (createdMs < bestMs) {
          best = value;
          bestMs = createdMs;
        }
      }
      const last = rows[rows.length - 1];
      if (rows.length < SCAN_PAGE_ROWS || last === undefined) break;
      afterKey = last.key;
    }
  }
  return best;
}

function eventKeyOf(id: WorkflowEventId): string {
  return `${id.workflowEventDefId?.name ?? ''}/${id.number}`;
}

/** An ignore entry names an event of this WfRun (entries without a WfRun id apply to it too). */
function concernsWfRun(id: WorkflowEventId, wfRunId: WfRunId): boolean {
  return id.wfRunId === undefined || keys.wfRunIdString(id.wfRunId) === keys.wfRunIdString(wfRunId);
}
