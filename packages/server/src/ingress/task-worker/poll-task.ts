// PollTask: a bidirectional stream on which each request is a credit for exactly one response.
// A request waits (with no server-side timeout) until a task of its TaskDef is queued; the match
// becomes a TaskClaimEvent command, and the task is sent only after that claim commits, so the
// attempt's timeout starts at the claim. A task someone else claimed first gives an empty
// response, and the worker simply asks again.
//
// Backpressure: a worker that stops reading its responses must not keep claiming tasks it will
// never see (they would wait for their timeout while other workers idle), nor make the server
// buffer responses without bound. So a stream offers only some of its credits to the task queue
// at once (its claim window, counting claims in progress and responses not yet flushed), none
// while the transport's write buffer is full, and shrinks that window when its responses stop
// flowing out; held credits are offered again on 'drain'.
import type { PollTaskRequest, PollTaskResponse, ScheduledTask } from '@filly/proto';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { ApiError, Code } from '../../processor/api-error.ts';
import { partitionForKey } from '../../commands/partition.ts';
import { rootWfRunId, scheduledTaskKey } from '../../store/keys.ts';
import { callContextOf } from '../call-context.ts';
import type { IngressDeps } from '../deps.ts';
import { encodedAsField, encodedResponse } from '../encoded-response.ts';
import { isMalformed, malformedReason } from '../malformed-request.ts';
import { submit } from '../submit.ts';
import { isLhName } from '../validate.ts';
import { toServiceError } from '../status.ts';
import { endStreamWithError } from '../stream-status.ts';

/**
 * A stream's claim window: how many of its credits may wait in the task queue, and how many of
 * its responses may be in the making (claimed, or not yet flushed) before the rest are held back.
 * It starts small, so a worker that asks for many tasks and never reads them takes few; it grows
 * by one for each request that arrives after a response went out while the transport keeps up
 * (the worker is working through its tasks), up to the stream's outstanding-poll limit; and it
 * drops back to the start when written responses stay unflushed for RESPONSE_STALL_MS.
 */
const INITIAL_CLAIM_WINDOW = 16;
/**
 * How long responses may sit unflushed before the stream counts as stalled. A batch that commits
 * hundreds of claims at once fills the write buffer for a few milliseconds; that is not a worker
 * refusing to read, and shrinking the window on it starved fast workers under load.
 */
const RESPONSE_STALL_MS = 250;
/** PollTaskResponse.result's field number. */
const POLL_TASK_RESULT_FIELD = 1;

export function pollTask(deps: IngressDeps, stream: ServerDuplexStream<PollTaskRequest, PollTaskResponse>): void {
  const ctx = callContextOf(stream.metadata);
  const maxOutstanding = deps.config.limits.maxOutstandingPollsPerStream;
  const waiting = new Map<() => void, PollTaskRequest>();
  const held: PollTaskRequest[] = [];
  let claiming = 0;
  let claimWindow = INITIAL_CLAIM_WINDOW;
  let responded = false;
  let taskDefName: string | undefined;
  let closed = false;
  let stallTimer: NodeJS.Timeout | undefined;

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearStallTimer();
    for (const cancel of waiting.keys()) cancel();
    waiting.clear();
    held.length = 0;
  };
  const fail = (err: ApiError): void => {
    if (closed) return;
    close();
    endStreamWithError(stream as ServerDuplexStream<unknown, unknown>, toServiceError(err, deps.log, 'PollTask'));
  };
  const flowing = (): boolean => !stream.writableNeedDrain && claiming + stream.writableLength < claimWindow;
  const clearStallTimer = (): void => {
    if (stallTimer) clearTimeout(stallTimer);
    stallTimer = undefined;
  };
  // Responses did not flush in time: the worker is not reading, so it gets a small window again.
  const stalled = (): void => {
    stallTimer = undefined;
    if (!closed && stream.writableNeedDrain) claimWindow = INITIAL_CLAIM_WINDOW;
  };
  const respond = (response: PollTaskResponse): void => {
    if (closed || stream.destroyed || !stream.writable) return;
    responded = true;
    if (stream.write(response)) return;
    // The write buffer is full: take back the credits waiting in the task queue until 'drain'.
    holdWaiting();
    if (!stallTimer) {
      stallTimer = setTimeout(stalled, RESPONSE_STALL_MS);
      stallTimer.unref();
    }
  };
  // Takes the credits back from the task queue while responses cannot flow.
  const holdWaiting = (): void => {
    for (const [cancel, req] of waiting) {
      cancel();
      held.push(req);
    }
    waiting.clear();
  };
  const offer = (): void => {
    let guard = 0;
    while (!closed && held.length > 0 && waiting.size < claimWindow && flowing()) {
      if (++guard > maxOutstanding) throw new Error('PollTask offer loop did not converge');
      const req = held.shift()!;
      if (!register(req)) return;
    }
  };

  // False when the stream was failed instead.
  const register = (req: PollTaskRequest): boolean => {
    const defName = taskDefName!;
    // The queue may hand a task over synchronously, before waitForTask returns its cancel.
    let served = false;
    let cancel: (() => void) | undefined;
    try {
      cancel = deps.engine.tasks.waitForTask(ctx.tenant, defName, (task) => {
        served = true;
        if (cancel) waiting.delete(cancel);
        claiming++;
        claim(task, req)
          .then(respond, (err: unknown) => {
            deps.log.warn({ err, taskDefName: defName }, 'task claim failed; answering the poll empty and queueing the task again');
            // The claim never committed (or its fate is unknown): the task is still scheduled in
            // the store, so it must stay dispatchable. A duplicate claim is refused by the processor.
            requeue(task, defName);
            respond({ result: undefined });
          })
          .finally(() => {
            claiming--;
            offer();
          });
      });
    } catch (err) {
      fail(err instanceof ApiError ? err : new ApiError(Code.UNAVAILABLE, 'The task queue refused the poll; retry later.'));
      return false;
    }
    if (!served) waiting.set(cancel, req);
    return true;
  };

  stream.on('data', (req: PollTaskRequest) => {
    if (closed) return;
    if (isMalformed(req)) return fail(new ApiError(Code.INVALID_ARGUMENT, malformedReason(req)));
    const name = req.taskDefId?.name ?? '';
    if (taskDefName === undefined) {
      if (!isLhName(name)) return fail(new ApiError(Code.INVALID_ARGUMENT, `PollTask needs a valid task_def_id.name; got "${name.slice(0, 80)}".`));
      if (req.clientId === '') return fail(new ApiError(Code.INVALID_ARGUMENT, 'PollTask needs a client_id.'));
      taskDefName = name;
    } else if (name !== taskDefName) {
      deps.log.warn({ expected: taskDefName.slice(0, 80), got: name.slice(0, 80) }, 'PollTask stream switched TaskDef; keeping the first');
    }
    if (waiting.size + held.length + claiming >= maxOutstanding) {
      return fail(new ApiError(Code.RESOURCE_EXHAUSTED, `More than ${maxOutstanding} outstanding polls on one stream (FILLY_MAX_OUTSTANDING_POLLS_PER_STREAM); send the next request after each response.`));
    }
    if (responded && claimWindow < maxOutstanding && !stream.writableNeedDrain) claimWindow++;
    held.push(req);
    offer();
  });
  stream.on('drain', () => {
    clearStallTimer();
    offer();
  });
  stream.on('end', () => {
    close();
    stream.end();
  });
  stream.on('error', close);
  stream.on('close', close);

  function requeue(task: ScheduledTask, defName: string): void {
    const taskRunId = task.taskRunId;
    if (taskRunId?.wfRunId === undefined) return;
    const partition = partitionForKey(rootWfRunId(taskRunId.wfRunId), deps.engine.partitionCount);
    deps.engine.tasks.requeue(ctx.tenant, defName, scheduledTaskKey(partition, ctx.tenant, defName, taskRunId), task);
  }

  async function claim(task: ScheduledTask, req: PollTaskRequest): Promise<PollTaskResponse> {
    try {
      const response = await submit(deps, ctx, {
        $case: 'taskClaimEvent',
        value: { taskRunId: task.taskRunId, taskWorkerId: req.clientId, taskWorkerVersion: req.taskWorkerVersion },
      });
      if (response === undefined) return { result: undefined };
      // The claim's answer is the ScheduledTask's bytes: sent on as the response's field 1.
      return encodedResponse<PollTaskResponse>(encodedAsField(POLL_TASK_RESULT_FIELD, response));
    } catch (err) {
      if (err instanceof ApiError && (err.code === Code.FAILED_PRECONDITION || err.code === Code.NOT_FOUND)) return { result: undefined };
      throw err;
    }
  }
}
